#if os(Linux)
import CCurl
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The system libcurl, opened with dlopen on the first request so commands that send nothing never load it
/// (linking FoundationNetworking loads libcurl and ~30 libraries it needs at start-up: about 10 ms of every run).
/// Every call goes through the typed C wrappers of `CCurl`, which call the variadic `curl_easy_setopt` and
/// `curl_easy_getinfo` as variadic functions. The option and info numbers are libcurl's stable ABI.
enum LibCurl {
    typealias Handle = UnsafeMutableRawPointer

    /// An easy handle kept for reuse, with the multi handle its streams ran on (libcurl keeps connections per multi
    /// handle, so a second stream on this handle reuses the first one's connection).
    struct Pooled {
        let easy: Handle
        var multi: UnsafeMutableRawPointer?

        /// Frees both handles.
        func cleanup() {
            dscurl_multi_cleanup(multi)
            dscurl_easy_cleanup(easy)
        }
    }

    /// Whether the library is usable, decided once per process.
    static let loaded: Result<Void, TransportError> = {
        switch dscurl_load() {
        case Int32(DSCURL_LOADED): return .success(())
        case Int32(DSCURL_NO_LIBRARY):
            return .failure(.libraryMissing("libcurl is not installed (looked for libcurl.so.4, libcurl-gnutls.so.4 and libcurl.so)"))
        case Int32(DSCURL_MISSING_SYMBOL):
            return .failure(.libraryMissing("the installed libcurl is too old (it lacks functions this tool needs)"))
        default:
            return .failure(.libraryMissing("libcurl failed to initialise"))
        }
    }()

    /// The text libcurl gives for a result code.
    static func describe(_ code: Int32) -> String {
        dscurl_easy_strerror(code).map { String(cString: $0) } ?? "libcurl error \(code)"
    }

    /// `CURLoption` numbers used here (long options are below 10000, pointers from 10000, functions from 20000, off_t from 30000).
    enum Option {
        static let writeData: Int32 = 10001
        static let url: Int32 = 10002
        static let readData: Int32 = 10009
        static let errorBuffer: Int32 = 10010
        static let writeFunction: Int32 = 20011
        static let readFunction: Int32 = 20012
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
        static let timeoutMS: Int32 = 155
        static let seekFunction: Int32 = 20167
        static let seekData: Int32 = 10168
        static let protocols: Int32 = 181
        static let redirectProtocols: Int32 = 182
        static let xferInfoFunction: Int32 = 20219
        static let protocolsString: Int32 = 10318
        static let redirectProtocolsString: Int32 = 10319
    }

    /// `CURLPROTO_HTTP | CURLPROTO_HTTPS`, for libcurl older than 7.85 (no `*_PROTOCOLS_STR`).
    static let httpProtocolBits = 1 | 2

    /// `CURLINFO` numbers used here.
    enum Info {
        static let requestSize: Int32 = 0x200000 + 12
        static let pretransferTime: Int32 = 0x300000 + 6
        static let contentLengthDownload: Int32 = 0x600000 + 15
    }

    /// `CURLcode` values the transport tells apart.
    enum Code {
        static let ok: Int32 = 0
        static let couldNotResolveProxy: Int32 = 5
        static let partialFile: Int32 = 18
        static let timedOut: Int32 = 28
        static let proxyHandshake: Int32 = 97

        /// Certificate and CA store failures: a trust problem to fix, not an outage to wait out.
        static let trust: Set<Int32> = [
            58, // SSL_CERTPROBLEM: the client certificate
            60, // PEER_FAILED_VERIFICATION: the server's certificate is not trusted
            77, // SSL_CACERT_BADFILE: the CA bundle cannot be read
            83, // SSL_ISSUERERROR
            90, // SSL_PINNEDPUBKEYNOTMATCH
            91, // SSL_INVALIDCERTSTATUS
        ]
    }
}
#endif
