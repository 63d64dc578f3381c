#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One call of the DashScope API, described as data: the same value is printed by `--dry-run` and sent otherwise.
public struct Endpoint: Sendable {
    /// Which base the path hangs from.
    public enum Base: Sendable { case native, compatible }

    /// `GET` or `POST`.
    public var method: String
    /// The path below the base, e.g. `/services/aigc/text2image/image-synthesis`.
    public var path: String
    /// Query items, in order.
    public var query: [(String, String)]
    /// The JSON body, if any.
    public var body: JSON?
    /// Whether to send `X-DashScope-Async: enable`.
    public var async: Bool
    /// Whether any input is an `oss://` URL (sends `X-DashScope-OssResourceResolve: enable`).
    public var ossResolve: Bool
    /// Whether the answer is an SSE stream (sends `X-DashScope-SSE: enable` on the native base).
    public var sse: Bool
    /// Whether re-sending is safe.
    public var kind: RequestKind
    /// The base.
    public var base: Base

    /// Creates an endpoint.
    public init(method: String, path: String, query: [(String, String)] = [], body: JSON? = nil, async: Bool = false,
                ossResolve: Bool = false, kind: RequestKind, base: Base = .native, sse: Bool = false) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.async = async
        self.ossResolve = ossResolve
        self.sse = sse
        self.kind = kind
        self.base = base
    }
}

/// Sends `Endpoint`s to the API host with the key, retries what may be retried, and turns error answers into `DashScopeError`s.
public struct APIClient: Sendable {
    /// The resolved settings (key, region, origin).
    public var configuration: Configuration
    /// The HTTP transport.
    public var transport: any HTTPTransport
    /// The retry behaviour.
    public var retrier: Retrier
    /// Where verbose traces go.
    public var logger: Logger
    /// Kept alive as long as any copy of the client: the in-process mock server the client talks to, which stops
    /// when released (so a request can never outlive its server).
    public var server: (any AnyObject & Sendable)?

    /// Creates a client.
    public init(configuration: Configuration, transport: any HTTPTransport, retrier: Retrier, logger: Logger) {
        self.configuration = configuration
        self.transport = transport
        self.retrier = retrier
        self.logger = logger
    }

    /// The HTTP request an endpoint becomes; the key is included only if configured; `deadline` bounds the exchange.
    public func request(for endpoint: Endpoint, deadline: Date? = nil) -> HTTPRequest {
        let base = endpoint.base == .native ? configuration.nativeBase : configuration.compatibleBase
        // The origin was checked to be scheme://host[:port] (Configuration.normalizedOrigin) and paths are ours, with
        // task ids checked by TaskID: the URL always parses.
        var components = URLComponents(string: base + endpoint.path)!
        if !endpoint.query.isEmpty { components.queryItems = endpoint.query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        var headers: [(String, String)] = []
        if let key = configuration.apiKey { headers.append(("Authorization", "Bearer \(key)")) }
        headers.append(("User-Agent", Version.userAgent))
        if endpoint.body != nil { headers.append(("Content-Type", "application/json")) }
        if endpoint.async { headers.append(("X-DashScope-Async", "enable")) }
        if endpoint.ossResolve { headers.append(("X-DashScope-OssResourceResolve", "enable")) }
        if endpoint.sse && endpoint.base == .native { headers.append(("X-DashScope-SSE", "enable")) }
        return HTTPRequest(method: endpoint.method, url: components.url!, headers: headers,
                           body: endpoint.body?.data, timeout: endpoint.kind == .create ? 300 : 60, deadline: deadline)
    }

    /// The request as `--dry-run` prints it: method, URL, redacted headers and the pretty body.
    public func describe(_ endpoint: Endpoint) -> String {
        let request = request(for: endpoint)
        var lines = ["\(request.method) \(request.url.absoluteString)"]
        lines += Redaction.headerLines(request.headers)
        if let body = endpoint.body { lines += ["", body.pretty] }
        return lines.joined(separator: "\n")
    }

    /// The request as `--dry-run --json` prints it: `{"method","url","headers":{name: value},"body","output"}`, the key
    /// redacted, the body as JSON (null when none), `output` the unexpanded path template results would be saved under
    /// (null when nothing would be saved).
    public func describeJSON(_ endpoint: Endpoint, output: String?) -> JSON {
        let request = request(for: endpoint)
        let headers = Redaction.headerLines(request.headers).map { line -> (String, JSON) in
            let name = line.prefix(while: { $0 != ":" })
            return (String(name), .string(String(line.dropFirst(name.count + 2))))
        }
        return .object([
            "method": .string(request.method),
            "url": .string(request.url.absoluteString),
            "headers": .object(headers),
            "body": endpoint.body ?? .null,
            "output": output.map(JSON.string) ?? .null,
        ])
    }

    /// Sends the call and returns the parsed JSON answer; throws `DashScopeError` for every failure.
    /// With a `deadline` (the job's `--timeout`; `.distantFuture` for none), an idempotent call is retried until it,
    /// and the exchange itself stops there (exit 75).
    public func perform(_ endpoint: Endpoint, deadline: Date? = nil) async throws -> JSON {
        let response = try await exchange(endpoint, deadline: deadline) { request in try await transport.send(request) }
        guard let json = try? JSON.parse(response.body) else {
            throw DashScopeError("the service answered with something that is not JSON (HTTP \(response.status))",
                                 hint: endpoint.kind == .create
                                     ? "the request may have reached the service and started a billed task, so it was not sent again: check `dashscope task list` before retrying"
                                     : "run again with --verbose to see the answer", exit: .unavailable)
        }
        if let body = ServiceError.body(from: json) {
            throw DashScopeError("the service refused the request (\(body.code ?? "error")): \(body.message ?? "no message")",
                                 exit: .failed, serviceCode: body.code, requestID: body.requestID)
        }
        return json
    }

    /// Sends a streaming call (SSE) and hands the 2xx body to `onChunk` piece by piece as it arrives (each piece valid
    /// only during the call); an error answer throws the same `DashScopeError` as `perform`. It is retried as a create
    /// (only when nothing can have been delivered yet), so no chunk ever reaches `onChunk` twice.
    public func stream(_ endpoint: Endpoint, deadline: Date? = nil, onChunk: @escaping StreamChunkHandler) async throws {
        var once = endpoint
        once.kind = .create
        _ = try await exchange(once, deadline: deadline) { request in try await transport.stream(request, onChunk: onChunk) }
    }

    /// Sends the call under the retry policy, tracing it, and turns a failure or an error status into a `DashScopeError`.
    private func exchange(_ endpoint: Endpoint, deadline: Date?,
                          _ send: (HTTPRequest) async throws -> HTTPResponse) async throws -> HTTPResponse {
        guard configuration.apiKey != nil else { throw DashScopeError.noKey }
        let request = request(for: endpoint, deadline: deadline)
        let key = configuration.apiKey
        let response: HTTPResponse
        do {
            response = try await retrier.run(kind: endpoint.kind, what: "\(endpoint.method) \(endpoint.path)", deadline: deadline) {
                trace(request, key: key)
                let started = Date()
                let response = try await send(request)
                let ms = Int(Date().timeIntervalSince(started) * 1000)
                logger.trace?("< HTTP \(response.status) (\(ms) ms) \(Self.preview(response.body, key: key))")
                return response
            }
        } catch let error as TransportError {
            throw Self.networkError(error, kind: endpoint.kind, host: configuration.apiHost)
        }
        guard (200..<300).contains(response.status) else {
            throw ServiceError.error(status: response.status, data: response.body, region: usesRegionHost ? configuration.region : nil)
        }
        return response
    }

    /// Whether calls go to the region's own host (then a 401 may mean a key of another region).
    var usesRegionHost: Bool { configuration.origin == configuration.region.origin }

    /// Traces a request under `--verbose`, headers and body redacted.
    func trace(_ request: HTTPRequest, key: String?) {
        guard let trace = logger.trace else { return }
        trace("> \(request.method) \(request.url.absoluteString)")
        for line in Redaction.headerLines(request.headers) { trace("> \(line)") }
        if let body = request.body { trace("> \(Self.preview(body, key: key))") }
    }

    /// The first 2 KB of a body, for traces.
    static func preview(_ body: Data, key: String?) -> String {
        // A JSON body is shown re-serialised, its escapes decoded, so a key the server echoes as `\u0073k-...` is
        // redacted like any other; the whole text is redacted before it is cut, so no cut leaves part of a key.
        let text = (try? JSON.parse(body)).map(\.compact) ?? String(decoding: body, as: UTF8.self)
        let shown = Redaction.scrub(text, key: key)
        guard shown.utf8.count > 2048 else { return shown }
        return String(decoding: Array(shown.utf8.prefix(2048)), as: UTF8.self) + "… (\(body.count) bytes)"
    }

    /// The user-facing error for a request that got no usable answer: a create that may have arrived is never
    /// called safe to repeat, and trust, library and time-limit failures say what to do about them.
    static func networkError(_ error: TransportError, kind: RequestKind, host: String) -> DashScopeError {
        var described = describe(error, kind: kind, host: host)
        described.permanent = error.isPermanent
        return described
    }

    private static func describe(_ error: TransportError, kind: RequestKind, host: String) -> DashScopeError {
        let mayExist = "the request may have reached the service and started a billed task, so it was not sent again: "
            + "check `dashscope task list` before retrying"
        switch error {
        case let .deadlineReached(sent) where kind == .create && !sent:
            var described = DashScopeError("\(error.message) before the request was sent to \(host)",
                                           hint: "nothing was sent (or billed): run again with a longer --timeout", exit: .tryLater)
            described.timeLimit = .beforeSending
            return described
        case let .deadlineReached(sent):
            var described = DashScopeError("\(error.message) waiting for \(host)",
                                           hint: kind == .create && sent ? mayExist : "run again with a longer --timeout, or later",
                                           exit: .tryLater)
            described.timeLimit = sent ? .afterSending : .beforeSending
            return described
        case .invalidHeader:
            return DashScopeError(error.message, hint: error.hint, exit: .usage)
        case .tlsFailed, .libraryMissing:
            return DashScopeError("\(error.message) (\(host))", hint: error.hint, exit: .unavailable)
        case .answerTooLarge where kind == .create:
            return DashScopeError("\(error.message) (\(host))", hint: mayExist, exit: .unavailable)
        case .answerTooLarge:
            return DashScopeError("\(error.message) (\(host))", hint: "an API answer is never this large: check --base-url", exit: .unavailable)
        case .insecureRedirect where kind == .create:
            return DashScopeError("\(error.message) (\(host))", hint: mayExist, exit: .unavailable)
        case .unsupportedScheme, .insecureRedirect:
            return DashScopeError("\(error.message) (\(host))",
                                  hint: "the service redirected somewhere this tool does not go; try again later", exit: .unavailable)
        default:
            if kind == .create && error.maySeeRequest {
                return DashScopeError("\(error.message) while submitting to \(host)", hint: mayExist, exit: .unavailable)
            }
            return DashScopeError("\(error.message) (\(host))",
                                  hint: "check your network connection (and https_proxy/NO_PROXY if you use a proxy), then try again",
                                  exit: .unavailable)
        }
    }
}
