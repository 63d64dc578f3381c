#if os(Linux)
import Foundation
import Glibc

/// The system libcurl, opened with dlopen on the first request so commands that send nothing never load it
/// (linking FoundationNetworking loads libcurl and ~30 libraries it needs at start-up: about 10 ms of every run).
///
/// Only the easy interface is used. `curl_easy_setopt` and `curl_easy_getinfo` are variadic in C; they are called
/// through non-variadic pointer types with one integer or pointer argument, which the Linux x86-64 and AArch64
/// calling conventions pass exactly as a variadic call would. The option and info numbers are libcurl's stable ABI.
struct LibCurl: @unchecked Sendable {
    typealias Handle = OpaquePointer
    typealias DataCallback = @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int
    typealias ProgressCallback = @convention(c) (UnsafeMutableRawPointer?, Int64, Int64, Int64, Int64) -> Int32

    let easyInit: @convention(c) () -> Handle?
    let easyCleanup: @convention(c) (Handle?) -> Void
    let easyReset: @convention(c) (Handle?) -> Void
    let easyPerform: @convention(c) (Handle?) -> Int32
    let easyStrerror: @convention(c) (Int32) -> UnsafePointer<CChar>?
    let setoptLong: @convention(c) (Handle?, Int32, Int) -> Int32
    let setoptPointer: @convention(c) (Handle?, Int32, UnsafeRawPointer?) -> Int32
    let getinfoPointer: @convention(c) (Handle?, Int32, UnsafeMutableRawPointer?) -> Int32
    let slistAppend: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> OpaquePointer?
    let slistFreeAll: @convention(c) (OpaquePointer?) -> Void

    /// The library, loaded once per process; nil with the reason when it cannot be loaded.
    static let shared: Result<LibCurl, TransportError> = load()

    /// Names tried in order: the usual soname, then Debian's GnuTLS build.
    static let libraryNames = ["libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so"]

    private static func load() -> Result<LibCurl, TransportError> {
        guard let library = libraryNames.lazy.compactMap({ dlopen($0, RTLD_NOW | RTLD_LOCAL) }).first else {
            return .failure(.cannotConnect("libcurl is not installed (looked for \(libraryNames.joined(separator: ", "))); "
                + "install it, e.g. apt install libcurl4"))
        }
        func symbol<T>(_ name: String, as type: T.Type) -> T? {
            dlsym(library, name).map { unsafeBitCast($0, to: type) }
        }
        guard let globalInit = symbol("curl_global_init", as: (@convention(c) (Int) -> Int32).self),
              let easyInit = symbol("curl_easy_init", as: (@convention(c) () -> Handle?).self),
              let easyCleanup = symbol("curl_easy_cleanup", as: (@convention(c) (Handle?) -> Void).self),
              let easyReset = symbol("curl_easy_reset", as: (@convention(c) (Handle?) -> Void).self),
              let easyPerform = symbol("curl_easy_perform", as: (@convention(c) (Handle?) -> Int32).self),
              let easyStrerror = symbol("curl_easy_strerror", as: (@convention(c) (Int32) -> UnsafePointer<CChar>?).self),
              let setoptLong = symbol("curl_easy_setopt", as: (@convention(c) (Handle?, Int32, Int) -> Int32).self),
              let setoptPointer = symbol("curl_easy_setopt", as: (@convention(c) (Handle?, Int32, UnsafeRawPointer?) -> Int32).self),
              let getinfoPointer = symbol("curl_easy_getinfo",
                                          as: (@convention(c) (Handle?, Int32, UnsafeMutableRawPointer?) -> Int32).self),
              let slistAppend = symbol("curl_slist_append",
                                       as: (@convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> OpaquePointer?).self),
              let slistFreeAll = symbol("curl_slist_free_all", as: (@convention(c) (OpaquePointer?) -> Void).self)
        else {
            return .failure(.cannotConnect("the installed libcurl lacks functions this tool needs; install libcurl 7.32 or later"))
        }
        guard globalInit(Global.all) == 0 else {
            return .failure(.cannotConnect("libcurl failed to initialise"))
        }
        return .success(LibCurl(easyInit: easyInit, easyCleanup: easyCleanup, easyReset: easyReset, easyPerform: easyPerform,
                                easyStrerror: easyStrerror, setoptLong: setoptLong, setoptPointer: setoptPointer,
                                getinfoPointer: getinfoPointer, slistAppend: slistAppend, slistFreeAll: slistFreeAll))
    }

    /// The text libcurl gives for a result code.
    func describe(_ code: Int32) -> String {
        easyStrerror(code).map { String(cString: $0) } ?? "libcurl error \(code)"
    }

    /// `curl_global_init` flags.
    enum Global {
        static let all = 3
    }

    /// `CURLoption` numbers used here (long options are below 10000, pointers from 10000, functions from 20000, off_t from 30000).
    enum Option {
        static let writeData: Int32 = 10001
        static let url: Int32 = 10002
        static let errorBuffer: Int32 = 10010
        static let writeFunction: Int32 = 20011
        static let postFields: Int32 = 10015
        static let lowSpeedLimit: Int32 = 19
        static let lowSpeedTime: Int32 = 20
        static let httpHeader: Int32 = 10023
        static let headerData: Int32 = 10029
        static let customRequest: Int32 = 10036
        static let noProgress: Int32 = 43
        static let post: Int32 = 47
        static let followLocation: Int32 = 52
        static let xferInfoData: Int32 = 10057
        static let caInfo: Int32 = 10065
        static let connectTimeout: Int32 = 78
        static let headerFunction: Int32 = 20079
        static let httpGet: Int32 = 80
        static let caPath: Int32 = 10097
        static let noSignal: Int32 = 99
        static let postFieldSizeLarge: Int32 = 30120
        static let xferInfoFunction: Int32 = 20219
    }

    /// `CURLINFO` numbers used here.
    enum Info {
        static let contentLengthDownload: Int32 = 0x600000 + 15
    }

    /// `CURLcode` values the transport tells apart.
    enum Code {
        static let ok: Int32 = 0
        static let couldNotResolveProxy: Int32 = 5
        static let couldNotResolveHost: Int32 = 6
        static let couldNotConnect: Int32 = 7
        static let partialFile: Int32 = 18
        static let writeError: Int32 = 23
        static let timedOut: Int32 = 28
        static let sslConnectError: Int32 = 35
        static let abortedByCallback: Int32 = 42
        static let sslCertProblem: Int32 = 58
        static let sslCipher: Int32 = 59
        static let peerFailedVerification: Int32 = 60
        static let sslCACertBadFile: Int32 = 77
        static let proxyHandshake: Int32 = 97

        /// Codes meaning the request never reached the server, so a create may be re-sent.
        static let beforeSending: Set<Int32> = [
            couldNotResolveProxy, couldNotResolveHost, couldNotConnect, sslConnectError, sslCertProblem, sslCipher,
            peerFailedVerification, sslCACertBadFile, proxyHandshake,
        ]
    }
}
#endif
