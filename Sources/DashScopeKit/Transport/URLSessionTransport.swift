#if canImport(Darwin)
import Foundation

/// The transport on Apple platforms: one URLSession whose delegate streams bodies to memory or to a file and strips the key on cross-host redirects.
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

    /// Sends a request and collects its body in memory.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await run(request, sink: Sink(file: nil, progress: nil))
    }

    /// Sends a request and streams a 2xx body into `file`.
    public func download(_ request: HTTPRequest, to file: URL, progress: (@Sendable (Int64) -> Void)?) async throws -> HTTPResponse {
        let handle = try openDownloadTarget(file)
        defer { try? handle.close() }
        return try await run(request, sink: Sink(file: handle, progress: progress))
    }

    private func run(_ request: HTTPRequest, sink: Sink) async throws -> HTTPResponse {
        var urlRequest = URLRequest(url: request.url, timeoutInterval: request.timeout)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.addValue(value, forHTTPHeaderField: name) }
        urlRequest.httpBody = request.body
        let task = session.dataTask(with: urlRequest)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                sink.continuation = continuation
                delegate.register(task, sink: sink)
                if Task.isCancelled { task.cancel() }
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
    }
}

/// The per-task state the delegate fills in.
private final class Sink: @unchecked Sendable {
    let file: FileHandle?
    let progress: (@Sendable (Int64) -> Void)?
    var continuation: CheckedContinuation<HTTPResponse, Error>?
    var response: HTTPURLResponse?
    var body = Data()
    var written: Int64 = 0
    var writeError: String?

    init(file: FileHandle?, progress: (@Sendable (Int64) -> Void)?) {
        self.file = file
        self.progress = progress
    }

    var toFile: Bool { file != nil && (200..<300).contains(response?.statusCode ?? 0) }
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
        guard let sink = sink(for: dataTask) else { return }
        if sink.toFile, let file = sink.file {
            do {
                try file.write(contentsOf: data)
                sink.written += Int64(data.count)
                sink.progress?(sink.written)
            } catch {
                sink.writeError = "\(error.localizedDescription)"
                dataTask.cancel()
            }
        } else {
            sink.body.append(data)
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        var next = request
        if request.url?.host != task.originalRequest?.url?.host {
            next.setValue(nil, forHTTPHeaderField: "Authorization")
        }
        completionHandler(next)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        guard let sink = lock.withLock({ sinks.removeValue(forKey: task.taskIdentifier) }) else { return }
        let continuation = sink.continuation
        sink.continuation = nil
        if let message = sink.writeError {
            continuation?.resume(throwing: TransportError.writeFailed(message))
            return
        }
        if let error {
            continuation?.resume(throwing: Self.classify(error))
            return
        }
        guard let http = sink.response else {
            continuation?.resume(throwing: TransportError.connectionLost("no HTTP answer"))
            return
        }
        let expected = http.expectedContentLength
        let received = sink.toFile ? sink.written : Int64(sink.body.count)
        if expected > 0, received < expected {
            continuation?.resume(throwing: TransportError.truncated(expected: expected, received: received))
            return
        }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let k = key as? String, let v = value as? String { headers[k.lowercased()] = v }
        }
        continuation?.resume(returning: HTTPResponse(status: http.statusCode, headers: headers, body: sink.body))
    }

    /// Sorts URLSession errors into "never reached the server" and "may have reached it".
    static func classify(_ error: Error) -> Error {
        let ns = error as NSError
        guard ns.domain == NSURLErrorDomain else { return TransportError.connectionLost(ns.localizedDescription) }
        switch ns.code {
        case NSURLErrorCancelled:
            return CancellationError()
        case NSURLErrorCannotConnectToHost, NSURLErrorCannotFindHost, NSURLErrorDNSLookupFailed,
             NSURLErrorNotConnectedToInternet, NSURLErrorSecureConnectionFailed,
             NSURLErrorServerCertificateUntrusted, NSURLErrorServerCertificateHasBadDate,
             NSURLErrorServerCertificateHasUnknownRoot, NSURLErrorServerCertificateNotYetValid:
            return TransportError.cannotConnect(ns.localizedDescription)
        case NSURLErrorTimedOut:
            return TransportError.connectionLost("timed out")
        case NSURLErrorUnknown:
            return TransportError.connectionLost("unknown network error (if you use a proxy, check https_proxy/HTTPS_PROXY and NO_PROXY)")
        default:
            return TransportError.connectionLost(ns.localizedDescription)
        }
    }
}
#endif
