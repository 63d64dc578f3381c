#if os(Linux)
import CCurl
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The Linux transport: libcurl's easy interface, loaded on first use, one thread per exchange, idle handles kept
/// for connection reuse, redirects followed here so the key never goes to another host and no hop leaves http(s).
public final class CurlTransport: HTTPTransport, @unchecked Sendable {
    private let trust: TrustStore
    private let downloadStall: StallRule
    private let lock = Lock()
    private var idle: [LibCurl.Pooled] = []
    private static let maxIdle = 4
    private static let maxRedirects = 10

    /// Creates the transport, trusting libcurl's default CA bundle unless `trust` names other certificates;
    /// downloads slower than `downloadStall` fail. libcurl is loaded by the first request, not here.
    public init(trust: TrustStore = TrustStore(), downloadStall: StallRule = .downloads) {
        self.trust = trust
        self.downloadStall = downloadStall
    }

    deinit {
        if case .success = LibCurl.loaded { idle.forEach { $0.cleanup() } }
    }

    /// Sends a request and collects its body in memory, up to `request.maxBodyBytes`.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await follow(request, sink: .memory)
    }

    /// Sends a request and hands a 2xx body to `onChunk` as it arrives.
    public func stream(_ request: HTTPRequest, onChunk: @escaping StreamChunkHandler) async throws -> HTTPResponse {
        try await follow(request, sink: .stream(onChunk))
    }

    /// Sends a request and saves a 2xx body in `file`, continuing it from `resumeFrom` when the server agrees.
    public func download(_ request: HTTPRequest, to file: URL, resumeFrom: Int64,
                         progress: (@Sendable (Int64) -> Void)?) async throws -> HTTPResponse {
        try request.check()
        let target = try DownloadFile(path: file.path, resumeFrom: resumeFrom, progress: progress)
        return try await follow(request, sink: .file(target))
    }

    /// Sends a request and streams a 2xx body into `file` from its start.
    public func download(_ request: HTTPRequest, to file: URL, progress: (@Sendable (Int64) -> Void)?) async throws -> HTTPResponse {
        try await download(request, to: file, resumeFrom: 0, progress: progress)
    }

    /// Runs the exchange and follows redirects: 303 (and 301/302 after a POST) turn into a GET without a body,
    /// `Authorization` is dropped as soon as the target leaves the original origin, and every hop must be http(s).
    private func follow(_ first: HTTPRequest, sink: CurlSink) async throws -> HTTPResponse {
        var request = first
        for hop in 0...Self.maxRedirects {
            try request.check()
            let response: HTTPResponse
            do {
                response = try await exchange(request, sink: sink)
            } catch let error as TransportError where hop > 0 && !error.maySeeRequest {
                // The first hop reached a server (it answered with the redirect): whatever stops a later hop, the
                // request may have arrived, so a create is never re-sent nor called unsent.
                throw Self.afterRedirect(error)
            }
            guard [301, 302, 303, 307, 308].contains(response.status), let location = response.headers["location"],
                  let next = URL(string: location, relativeTo: request.url)?.absoluteURL else {
                return response
            }
            if response.status == 303 || (request.method == "POST" && [301, 302].contains(response.status)) {
                request.method = "GET"
                request.content = .none
                request.removeHeader("Content-Type")
            }
            if !HTTPRequest.mayResendBody(request.method, from: first.url, to: next) {
                throw TransportError.insecureRedirect(HTTPRequest.printable(next.absoluteString))
            }
            if next.host != first.url.host || next.port != first.url.port || next.scheme != first.url.scheme {
                request.removeHeader("Authorization")
            }
            request.url = next
        }
        throw TransportError.connectionLost("more than \(Self.maxRedirects) redirects")
    }

    /// `error` of a hop after a redirect, as a failure of a request that may have arrived.
    private static func afterRedirect(_ error: TransportError) -> TransportError {
        switch error {
        case .deadlineReached: return .deadlineReached(sent: true)
        case let .cannotConnect(message): return .connectionLost("after a redirect, \(message)")
        default: return error
        }
    }

    /// One exchange on its own thread, cancelled when the calling task is.
    private func exchange(_ request: HTTPRequest, sink: CurlSink) async throws -> HTTPResponse {
        try LibCurl.loaded.get()
        let stall: StallRule = if case .file = sink { downloadStall } else {
            StallRule(bytesPerSecond: 1, seconds: max(1, Int(request.timeout.rounded(.up))))
        }
        let transfer = CurlTransfer(request: request, trust: trust, sink: sink, stall: stall)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, Error>) in
                let started = Threads.start { [self] in
                    guard var handle = takeHandle() else {
                        continuation.resume(throwing: TransportError.cannotConnect("libcurl could not start a transfer (out of memory?)"))
                        return
                    }
                    let result = transfer.perform(on: handle.easy, multi: &handle.multi)
                    putBack(handle)
                    continuation.resume(with: result)
                }
                if !started {
                    continuation.resume(throwing: TransportError.cannotConnect("no thread could be started for the transfer (out of memory?)"))
                }
            }
        } onCancel: {
            transfer.cancel()
        }
    }

    private func takeHandle() -> LibCurl.Pooled? {
        lock.withLock { idle.popLast() } ?? dscurl_easy_init().map { LibCurl.Pooled(easy: $0) }
    }

    private func putBack(_ handle: LibCurl.Pooled) {
        dscurl_easy_reset(handle.easy)
        let kept = lock.withLock { () -> Bool in
            guard idle.count < Self.maxIdle else { return false }
            idle.append(handle)
            return true
        }
        if !kept { handle.cleanup() }
    }
}
#endif
