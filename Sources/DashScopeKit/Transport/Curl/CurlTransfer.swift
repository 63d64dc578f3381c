#if os(Linux)
import Foundation

/// One HTTP exchange on a libcurl easy handle, run to the end on the calling thread: it collects the status and
/// headers, keeps the body in memory or streams a 2xx body into a file, and stops early when cancelled.
final class CurlTransfer: @unchecked Sendable {
    private let curl: LibCurl
    private let request: HTTPRequest
    private let trust: TrustStore
    private let file: FileHandle?
    private let progress: (@Sendable (Int64) -> Void)?
    private let lock = NSLock()
    private var isCancelled = false

    /// The longest wait for a connection: a create that cannot connect is safe to re-send, so fail it early.
    private static let connectSeconds = 30

    private var status = 0
    private var headers: [String: String] = [:]
    private var body = Data()
    private var written: Int64 = 0
    private var writeError: String?

    /// Prepares an exchange; `file` receives a 2xx body instead of memory.
    init(curl: LibCurl, request: HTTPRequest, trust: TrustStore, file: FileHandle?, progress: (@Sendable (Int64) -> Void)?) {
        self.curl = curl
        self.request = request
        self.trust = trust
        self.file = file
        self.progress = progress
    }

    /// Asks the running exchange to stop at libcurl's next callback.
    func cancel() {
        lock.withLock { isCancelled = true }
    }

    private var cancelled: Bool { lock.withLock { isCancelled } }

    /// Performs the exchange on `handle` (freshly made or reset) and returns the answer or the classified failure.
    func perform(on handle: LibCurl.Handle) -> Result<HTTPResponse, Error> {
        var headerList: OpaquePointer?
        for line in headerLines() { headerList = curl.slistAppend(headerList, line) }
        defer { curl.slistFreeAll(headerList) }
        let bodyBytes = request.body.map { [UInt8]($0) } ?? []
        var errorText = [CChar](repeating: 0, count: 256)
        let me = Unmanaged.passUnretained(self).toOpaque()
        let code: Int32 = bodyBytes.withUnsafeBufferPointer { bodyBuffer in
            errorText.withUnsafeMutableBufferPointer { errorBuffer in
                var options = Options(curl: curl, handle: handle)
                options.set(LibCurl.Option.noSignal, 1)
                options.set(LibCurl.Option.followLocation, 0)
                options.set(LibCurl.Option.url, request.url.absoluteString)
                options.set(LibCurl.Option.httpHeader, UnsafeRawPointer(headerList))
                options.set(LibCurl.Option.errorBuffer, UnsafeRawPointer(errorBuffer.baseAddress))
                if let file = trust.file { options.set(LibCurl.Option.caInfo, file) }
                if let directory = trust.directory { options.set(LibCurl.Option.caPath, directory) }
                let seconds = max(1, Int(request.timeout.rounded(.up)))
                options.set(LibCurl.Option.connectTimeout, min(seconds, Self.connectSeconds))
                options.set(LibCurl.Option.lowSpeedLimit, 1)
                options.set(LibCurl.Option.lowSpeedTime, seconds)
                setMethod(&options, body: bodyBuffer)
                options.set(LibCurl.Option.writeFunction, unsafeBitCast(curlReceiveBody, to: UnsafeRawPointer.self))
                options.set(LibCurl.Option.writeData, UnsafeRawPointer(me))
                options.set(LibCurl.Option.headerFunction, unsafeBitCast(curlReceiveHeader, to: UnsafeRawPointer.self))
                options.set(LibCurl.Option.headerData, UnsafeRawPointer(me))
                options.set(LibCurl.Option.noProgress, 0)
                options.set(LibCurl.Option.xferInfoFunction, unsafeBitCast(curlCheckCancel, to: UnsafeRawPointer.self))
                options.set(LibCurl.Option.xferInfoData, UnsafeRawPointer(me))
                if let refused = options.firstRefusal { return refused }
                return curl.easyPerform(handle)
            }
        }
        let message = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let detail = message.isEmpty ? curl.describe(code) : message
        return finish(code: code, detail: detail, handle: handle)
    }

    /// The request's header lines, plus empty `Expect:` (no 100-continue pause) and, for bodies without a type,
    /// an empty `Content-Type:` so libcurl adds no form type of its own.
    private func headerLines() -> [String] {
        var lines = request.headers.map { "\($0.0): \($0.1)" }
        lines.append("Expect:")
        if request.header("Content-Type") == nil { lines.append("Content-Type:") }
        return lines
    }

    private func setMethod(_ options: inout Options, body: UnsafeBufferPointer<UInt8>) {
        if request.method == "GET" && request.body == nil {
            options.set(LibCurl.Option.httpGet, 1)
            return
        }
        options.set(LibCurl.Option.post, 1)
        options.set(LibCurl.Option.postFieldSizeLarge, body.count)
        // An empty body still needs a non-null pointer, or libcurl would read the body from stdin.
        options.set(LibCurl.Option.postFields, body.baseAddress.map(UnsafeRawPointer.init) ?? UnsafeRawPointer(emptyBody))
        if request.method != "POST" {
            options.set(LibCurl.Option.customRequest, request.method)
        }
    }

    private func finish(code: Int32, detail: String, handle: LibCurl.Handle) -> Result<HTTPResponse, Error> {
        if let writeError {
            return .failure(TransportError.writeFailed(writeError))
        }
        switch code {
        case LibCurl.Code.ok:
            return .success(HTTPResponse(status: status, headers: headers, body: body))
        case LibCurl.Code.abortedByCallback where cancelled, LibCurl.Code.writeError where cancelled:
            return .failure(CancellationError())
        case LibCurl.Code.partialFile:
            var expected: Int64 = -1
            _ = curl.getinfoPointer(handle, LibCurl.Info.contentLengthDownload, &expected)
            let received = isToFile ? written : Int64(body.count)
            return .failure(TransportError.truncated(expected: expected, received: received))
        case LibCurl.Code.timedOut:
            return .failure(TransportError.connectionLost("timed out (\(detail))"))
        case _ where LibCurl.Code.beforeSending.contains(code):
            return .failure(TransportError.cannotConnect(detail + Self.proxyHint(code)))
        default:
            return .failure(TransportError.connectionLost(detail))
        }
    }

    private static func proxyHint(_ code: Int32) -> String {
        code == LibCurl.Code.couldNotResolveProxy || code == LibCurl.Code.proxyHandshake
            ? " (check https_proxy/HTTPS_PROXY and NO_PROXY)" : ""
    }

    // MARK: - Callbacks

    private var isToFile: Bool { file != nil && (200..<300).contains(status) }

    /// Takes one header line; a status line starts a new header block (after 100 Continue or a proxy's CONNECT answer).
    fileprivate func receiveHeader(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            let parts = trimmed.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = [:]
        } else if let colon = trimmed.firstIndex(of: ":") {
            let name = trimmed[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            headers[name] = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
    }

    /// Takes a piece of the body; returning less than its size makes libcurl stop with a write error.
    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        if cancelled { return 0 }
        guard isToFile, let file else {
            body.append(contentsOf: bytes)
            return bytes.count
        }
        do {
            try file.write(contentsOf: Data(bytes))
        } catch {
            writeError = error.localizedDescription
            return 0
        }
        written += Int64(bytes.count)
        progress?(written)
        return bytes.count
    }

    /// Says whether to go on: libcurl calls it at least once a second, even while it waits for bytes.
    fileprivate func shouldStop() -> Bool { cancelled }
}

/// Sets options on one easy handle and remembers the first one libcurl refused.
private struct Options {
    let curl: LibCurl
    let handle: LibCurl.Handle
    /// The first failing `CURLcode`, if any.
    var firstRefusal: Int32?

    init(curl: LibCurl, handle: LibCurl.Handle) {
        self.curl = curl
        self.handle = handle
    }

    mutating func set(_ option: Int32, _ value: Int) {
        record(curl.setoptLong(handle, option, value))
    }

    mutating func set(_ option: Int32, _ value: UnsafeRawPointer?) {
        record(curl.setoptPointer(handle, option, value))
    }

    mutating func set(_ option: Int32, _ value: String) {
        record(value.withCString { curl.setoptPointer(handle, option, $0) })
    }

    private mutating func record(_ code: Int32) {
        if code != LibCurl.Code.ok && firstRefusal == nil { firstRefusal = code }
    }
}

/// The non-null pointer given as an empty request body.
nonisolated(unsafe) private let emptyBody = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

private let curlReceiveBody: LibCurl.DataCallback = { pointer, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.receiveBody(UnsafeRawBufferPointer(start: pointer, count: size * count))
}

private let curlReceiveHeader: LibCurl.DataCallback = { pointer, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: pointer, count: size * count)
    transfer.receiveHeader(String(decoding: bytes, as: UTF8.self))
    return size * count
}

private let curlCheckCancel: LibCurl.ProgressCallback = { context, _, _, _, _ in
    guard let context else { return 0 }
    return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().shouldStop() ? 1 : 0
}
#endif
