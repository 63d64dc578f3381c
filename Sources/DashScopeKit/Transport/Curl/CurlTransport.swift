#if os(Linux)
import Foundation

/// The Linux transport: libcurl's easy interface, loaded on first use, one thread per exchange, idle handles kept
/// for connection reuse, redirects followed here so the key never goes to another host.
public final class CurlTransport: HTTPTransport, @unchecked Sendable {
    private let trust: TrustStore
    private let lock = NSLock()
    private var idle: [LibCurl.Handle] = []
    private static let maxIdle = 4
    private static let maxRedirects = 10

    /// Creates the transport, trusting libcurl's default CA bundle unless `trust` names other certificates;
    /// libcurl is loaded by the first request, not here.
    public init(trust: TrustStore = TrustStore()) {
        self.trust = trust
    }

    deinit {
        if case .success(let curl) = LibCurl.shared { idle.forEach(curl.easyCleanup) }
    }

    /// Sends a request and collects its body in memory.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await follow(request, file: nil, progress: nil)
    }

    /// Sends a request and streams a 2xx body into `file` (created or truncated).
    public func download(_ request: HTTPRequest, to file: URL, progress: (@Sendable (Int64) -> Void)?) async throws -> HTTPResponse {
        let handle = try openDownloadTarget(file)
        defer { try? handle.close() }
        return try await follow(request, file: handle, progress: progress)
    }

    /// Runs the exchange and follows redirects: 303 (and 301/302 after a POST) turn into a GET without a body,
    /// and `Authorization` is dropped as soon as the target leaves the original host.
    private func follow(_ first: HTTPRequest, file: FileHandle?, progress: (@Sendable (Int64) -> Void)?) async throws -> HTTPResponse {
        var request = first
        for _ in 0...Self.maxRedirects {
            let response = try await exchange(request, file: file, progress: progress)
            guard [301, 302, 303, 307, 308].contains(response.status), let location = response.headers["location"],
                  let next = URL(string: location, relativeTo: request.url)?.absoluteURL else {
                return response
            }
            if response.status == 303 || (request.method == "POST" && [301, 302].contains(response.status)) {
                request.method = "GET"
                request.body = nil
                request.removeHeader("Content-Type")
            }
            if next.host != first.url.host || next.port != first.url.port || next.scheme != first.url.scheme {
                request.removeHeader("Authorization")
            }
            request.url = next
        }
        throw TransportError.connectionLost("more than \(Self.maxRedirects) redirects")
    }

    /// One exchange on its own thread, cancelled when the calling task is.
    private func exchange(_ request: HTTPRequest, file: FileHandle?, progress: (@Sendable (Int64) -> Void)?) async throws -> HTTPResponse {
        let curl = try LibCurl.shared.get()
        let transfer = CurlTransfer(curl: curl, request: request, trust: trust, file: file, progress: progress)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, Error>) in
                let thread = Thread { [self] in
                    guard let handle = takeHandle(curl) else {
                        continuation.resume(throwing: TransportError.connectionLost("libcurl could not start a transfer (out of memory?)"))
                        return
                    }
                    let result = transfer.perform(on: handle)
                    putBack(handle, curl)
                    continuation.resume(with: result)
                }
                thread.name = "dashscope.http"
                thread.start()
            }
        } onCancel: {
            transfer.cancel()
        }
    }

    private func takeHandle(_ curl: LibCurl) -> LibCurl.Handle? {
        lock.withLock { idle.popLast() } ?? curl.easyInit()
    }

    private func putBack(_ handle: LibCurl.Handle, _ curl: LibCurl) {
        curl.easyReset(handle)
        let kept = lock.withLock { () -> Bool in
            guard idle.count < Self.maxIdle else { return false }
            idle.append(handle)
            return true
        }
        if !kept { curl.easyCleanup(handle) }
    }
}
#endif
