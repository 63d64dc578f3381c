#if canImport(Darwin)
import Foundation

/// The transport on Apple platforms: one URLSession whose delegate keeps bodies in memory (capped), streams them,
/// or writes them to a file, refuses redirects that leave http(s), strips the key on cross-origin redirects, and
/// stops at the request's deadline. File and multipart bodies are uploaded from disk.
public final class URLSessionTransport: HTTPTransport, @unchecked Sendable {
    private let session: URLSession
    private let delegate: SessionDelegate

    /// Creates the transport with its own session.
    public init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.timeoutIntervalForResource = 24 * 3600
        delegate = SessionDelegate()
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    deinit { session.invalidateAndCancel() }

    /// Sends a request and collects its body in memory, up to `request.maxBodyBytes`.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await run(request, sink: Sink(mode: .memory, limit: request.maxBodyBytes))
    }

    /// Sends a request and hands a 2xx body to `onChunk` as it arrives.
    public func stream(_ request: HTTPRequest, onChunk: @escaping StreamChunkHandler) async throws -> HTTPResponse {
        try await run(request, sink: Sink(mode: .stream(onChunk), limit: request.maxBodyBytes, streamLimit: request.maxStreamedBytes))
    }

    /// Sends a request and saves a 2xx body in `file`, continuing it from `resumeFrom` when the server agrees.
    public func download(_ request: HTTPRequest, to file: URL, resumeFrom: Int64,
                         progress: (@Sendable (Int64) -> Void)?) async throws -> HTTPResponse {
        try request.check()
        let target = try DownloadFile(path: file.path, resumeFrom: resumeFrom, progress: progress)
        return try await run(request, sink: Sink(mode: .file(target), limit: request.maxBodyBytes))
    }

    /// Sends a request and streams a 2xx body into `file` from its start.
    public func download(_ request: HTTPRequest, to file: URL, progress: (@Sendable (Int64) -> Void)?) async throws -> HTTPResponse {
        try await download(request, to: file, resumeFrom: 0, progress: progress)
    }

    private func run(_ request: HTTPRequest, sink: Sink) async throws -> HTTPResponse {
        try request.check()
        var left = request.timeout
        if let deadline = request.deadline {
            left = deadline.timeIntervalSinceNow
            guard left > 0 else { throw TransportError.deadlineReached(sent: false) }
        }
        var urlRequest = URLRequest(url: request.url, timeoutInterval: request.timeout)
        urlRequest.httpMethod = request.method
        let resumeFrom: Int64 = if case let .file(file) = sink.mode { file.resumeFrom } else { 0 }
        for (name, value) in request.headers(resumeFrom: resumeFrom) { urlRequest.addValue(value, forHTTPHeaderField: name) }
        let (task, spooled) = try makeTask(urlRequest, content: request.content)
        defer { if let spooled { unlink(spooled) } }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                sink.continuation = continuation
                delegate.register(task, sink: sink)
                if Task.isCancelled { task.cancel() }
                if request.deadline != nil, left < Double(Int32.max) / 1000 {
                    DispatchQueue.global().asyncAfter(deadline: .now() + left) { [weak task] in
                        sink.markDeadline()
                        task?.cancel()
                    }
                }
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
    }

    /// The task for a body: bytes in memory, a file uploaded from disk, or a form spooled to a temporary file first.
    private func makeTask(_ request: URLRequest, content: HTTPBody) throws -> (URLSessionTask, String?) {
        switch content {
        case .none:
            return (session.dataTask(with: request), nil)
        case let .data(data):
            return (session.uploadTask(with: request, from: data), nil)
        case let .file(path):
            _ = try BodyReader(content)
            return (session.uploadTask(with: request, fromFile: URL(fileURLWithPath: path)), nil)
        case .multipart:
            let path = NSTemporaryDirectory() + "dashscope-form-\(UUID().uuidString).part"
            try Self.spool(content, to: path)
            return (session.uploadTask(with: request, fromFile: URL(fileURLWithPath: path)), path)
        }
    }

    /// Writes a body to a new file, a buffer at a time.
    private static func spool(_ content: HTTPBody, to path: String) throws {
        let reader = try BodyReader(content)
        let target = try DownloadFile(path: path, resumeFrom: 0, progress: nil)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
            if count == 0 { break }
            try buffer.withUnsafeBytes { try target.write(UnsafeRawBufferPointer(rebasing: $0[0..<count]), status: 200, headers: [:]) }
        }
    }
}

/// The per-task state the delegate fills in.
private final class Sink: @unchecked Sendable {
    enum Mode {
        case memory
        case stream(StreamChunkHandler)
        case file(DownloadFile)
    }

    let mode: Mode
    /// The cap on a body kept in memory.
    let limit: Int
    /// The cap on a 2xx stream handed over.
    let streamLimit: Int
    private let lock = NSLock()
    var continuation: CheckedContinuation<HTTPResponse, Error>?
    var response: HTTPURLResponse?
    var body = Data()
    var received: Int64 = 0
    var failure: Error?
    private var deadlineHit = false

    init(mode: Mode, limit: Int, streamLimit: Int = HTTPRequest.maxStreamBytes) {
        self.mode = mode
        self.limit = limit
        self.streamLimit = streamLimit
    }

    func markDeadline() { lock.withLock { deadlineHit = true } }

    var pastDeadline: Bool { lock.withLock { deadlineHit } }

    var status: Int { response?.statusCode ?? 0 }

    var headers: [String: String] {
        var headers: [String: String] = [:]
        for (key, value) in response?.allHeaderFields ?? [:] {
            if let k = key as? String, let v = value as? String { headers[k.lowercased()] = v }
        }
        return headers
    }

    /// Takes a piece of the body; throws to stop the task.
    func take(_ data: Data) throws {
        let success = (200..<300).contains(status)
        if case .stream = mode, success, received + Int64(data.count) > Int64(streamLimit) {
            throw TransportError.answerTooLarge(limit: streamLimit)
        }
        switch mode {
        case let .stream(deliver) where success: try data.withUnsafeBytes(deliver)
        case let .file(file) where success:
            try data.withUnsafeBytes { try file.write($0, status: status, headers: headers) }
        default:
            guard body.count + data.count <= limit else { throw TransportError.answerTooLarge(limit: limit) }
            body.append(data)
        }
        received += Int64(data.count)
    }
}

/// Routes URLSession callbacks to each task's sink.
private final class SessionDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var sinks: [Int: Sink] = [:]

    func register(_ task: URLSessionTask, sink: Sink) {
        lock.withLock { sinks[task.taskIdentifier] = sink }
    }

    private func sink(for task: URLSessionTask) -> Sink? { lock.withLock { sinks[task.taskIdentifier] } }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        sink(for: dataTask)?.response = response as? HTTPURLResponse
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let sink = sink(for: dataTask), sink.failure == nil else { return }
        do {
            try sink.take(data)
        } catch {
            sink.failure = error
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        guard let url = request.url, HTTPRequest.schemes.contains(url.scheme?.lowercased() ?? "") else {
            sink(for: task)?.failure = TransportError.unsupportedScheme(HTTPRequest.printable(request.url?.absoluteString ?? "?"))
            completionHandler(nil)
            return
        }
        let original = task.originalRequest?.url
        if let original, !HTTPRequest.mayResendBody(request.httpMethod ?? "GET", from: original, to: url) {
            sink(for: task)?.failure = TransportError.insecureRedirect(HTTPRequest.printable(url.absoluteString))
            completionHandler(nil)
            return
        }
        var next = request
        if url.host != original?.host || url.port != original?.port || url.scheme != original?.scheme {
            next.setValue(nil, forHTTPHeaderField: "Authorization")
        }
        completionHandler(next)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        guard let sink = lock.withLock({ sinks.removeValue(forKey: task.taskIdentifier) }) else { return }
        let continuation = sink.continuation
        sink.continuation = nil
        continuation?.resume(with: Self.outcome(sink, task: task, error: error))
    }

    private static func outcome(_ sink: Sink, task: URLSessionTask, error: Error?) -> Result<HTTPResponse, Error> {
        let sent = task.countOfBytesSent > 0 || sink.response != nil
        if sink.pastDeadline { return .failure(TransportError.deadlineReached(sent: sent)) }
        if let failure = sink.failure { return .failure(failure) }
        if let error { return .failure(classify(error, sent: sent)) }
        guard let http = sink.response else { return .failure(TransportError.connectionLost("no HTTP answer")) }
        let expected = http.expectedContentLength
        if expected > 0, sink.received < expected {
            return .failure(TransportError.truncated(expected: expected, received: sink.received))
        }
        if case let .file(file) = sink.mode, (200..<300).contains(http.statusCode) {
            do { try file.finish(status: http.statusCode, headers: sink.headers) } catch { return .failure(error) }
        }
        return .success(HTTPResponse(status: http.statusCode, headers: sink.headers, body: sink.body))
    }

    /// Sorts URLSession errors into "never reached the server", trust failures and "may have reached it".
    static func classify(_ error: Error, sent: Bool) -> Error {
        let ns = error as NSError
        guard ns.domain == NSURLErrorDomain else { return TransportError.connectionLost(ns.localizedDescription) }
        switch ns.code {
        case NSURLErrorCancelled:
            return CancellationError()
        case NSURLErrorServerCertificateUntrusted, NSURLErrorServerCertificateHasBadDate, NSURLErrorServerCertificateHasUnknownRoot,
             NSURLErrorServerCertificateNotYetValid, NSURLErrorClientCertificateRejected, NSURLErrorClientCertificateRequired:
            return TransportError.tlsFailed(ns.localizedDescription)
        case NSURLErrorCannotConnectToHost, NSURLErrorCannotFindHost, NSURLErrorDNSLookupFailed,
             NSURLErrorNotConnectedToInternet, NSURLErrorSecureConnectionFailed:
            return TransportError.cannotConnect(ns.localizedDescription)
        case NSURLErrorTimedOut:
            return sent ? TransportError.connectionLost("timed out") : TransportError.cannotConnect("timed out")
        case NSURLErrorUnknown:
            return TransportError.connectionLost("unknown network error (if you use a proxy, check https_proxy/HTTPS_PROXY and NO_PROXY)")
        default:
            return TransportError.connectionLost(ns.localizedDescription)
        }
    }
}
#endif
