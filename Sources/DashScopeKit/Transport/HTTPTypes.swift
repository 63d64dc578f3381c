#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One HTTP request as the tool builds it: headers keep their order so `--verbose` shows them as sent.
public struct HTTPRequest: Sendable {
    /// `GET`, `POST`, ...
    public var method: String
    /// The full URL; only `http` and `https` are ever fetched.
    public var url: URL
    /// Header fields in order.
    public var headers: [(String, String)]
    /// What the request sends: nothing, bytes in memory, a file, or a multipart form streamed from disk.
    public var content: HTTPBody
    /// Seconds without progress before the request fails.
    public var timeout: TimeInterval
    /// The moment the whole job must be over (its `--timeout`), or nil for no limit.
    public var deadline: Date?
    /// The largest answer kept in memory; a longer one fails with `TransportError.answerTooLarge`.
    public var maxBodyBytes: Int
    /// The most a 2xx stream (`stream`) may hand over in all; past it the transfer fails with `answerTooLarge`. An error
    /// or redirect answer to a stream is kept in memory and capped by `maxBodyBytes` like any other.
    public var maxStreamedBytes = HTTPRequest.maxStreamBytes

    /// The cap on buffered answers: no API answer comes near it, and a hostile one cannot fill memory.
    public static let defaultMaxBodyBytes = 32 << 20
    /// The cap on a streamed answer as a whole (the default `maxStreamedBytes`): a chat's longest answer with its reasoning,
    /// about 100,000 events, takes ~30 MiB, and what a stream's reader keeps (the answer, an event not ended yet) can
    /// never grow past it, however long a hostile server goes on.
    public static let maxStreamBytes = 128 << 20

    /// Creates a request whose body, if any, is in memory.
    public init(method: String, url: URL, headers: [(String, String)] = [], body: Data? = nil, timeout: TimeInterval = 60,
                deadline: Date? = nil) {
        self.init(method: method, url: url, headers: headers, content: body.map(HTTPBody.data) ?? .none, timeout: timeout,
                  deadline: deadline)
    }

    /// Creates a request with any kind of body.
    public init(method: String, url: URL, headers: [(String, String)] = [], content: HTTPBody, timeout: TimeInterval = 60,
                deadline: Date? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.content = content
        self.timeout = timeout
        self.deadline = deadline
        self.maxBodyBytes = Self.defaultMaxBodyBytes
    }

    /// The body when it is in memory (every JSON API call), else nil.
    public var body: Data? {
        get { if case let .data(data) = content { return data } else { return nil } }
        set { content = newValue.map(HTTPBody.data) ?? .none }
    }

    /// The value of a header, matched case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first(where: { $0.0.equalsIgnoringCase(name) })?.1
    }

    /// Removes every field of a header, matched case-insensitively.
    public mutating func removeHeader(_ name: String) {
        headers.removeAll { $0.0.equalsIgnoringCase(name) }
    }

    /// Whether a redirect may send a `method` request's body on to `next`: plain http off this machine only where the
    /// first request already went (a base URL allowed with --allow-insecure-http), so no redirect moves a signed upload
    /// form or a prompt into clear text. A GET or HEAD (a redirect may turn a POST into one) sends no body: any http(s).
    static func mayResendBody(_ method: String, from first: URL, to next: URL) -> Bool {
        guard method != "GET", method != "HEAD", next.scheme?.lowercased() == "http", let host = next.host,
              !SettingChecks.isLoopback(host) else { return true }
        return first.scheme?.lowercased() == "http" && first.host?.lowercased() == host.lowercased()
    }

    /// Throws unless the request may be sent as it is: an `http`/`https` URL with a host, header names that are plain
    /// tokens, and values free of CR, LF and other control characters (which would smuggle extra headers onto the wire).
    func check() throws {
        guard let scheme = url.scheme?.lowercased(), HTTPRequest.schemes.contains(scheme), url.host?.isEmpty == false else {
            throw TransportError.unsupportedScheme(Self.printable(url.absoluteString))
        }
        for (name, value) in headers where !Self.isToken(name) || !Self.isFieldText(value) {
            throw TransportError.invalidHeader(Self.printable(name))
        }
    }

    /// `headers` plus what the body implies: the multipart type, or `Range` for a resumed download.
    func headers(resumeFrom offset: Int64) -> [(String, String)] {
        var all = headers
        if header("Content-Type") == nil, let type = content.contentType { all.append(("Content-Type", type)) }
        if offset > 0 {
            all.removeAll { $0.0.equalsIgnoringCase("Range") }
            all.append(("Range", "bytes=\(offset)-"))
        }
        return all
    }

    /// The only URL schemes fetched, for the first request and every redirect.
    static let schemes: Set<String> = ["http", "https"]

    /// A header name: letters, digits and `!#$%&'*+-.^_`|~` only (no space, colon or control character).
    private static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.isASCIIAlphanumeric || tokenSymbols.contains(scalar))
        }
    }

    private static let tokenSymbols = Set("!#$%&'*+-.^_`|~".unicodeScalars)

    private static func isFieldText(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0 == "\t" || ($0.value >= 0x20 && $0.value != 0x7F) }
    }

    /// `text` with control characters escaped, for error messages.
    static func printable(_ text: String) -> String {
        TerminalText.line(String(text.prefix(200)))
    }
}

/// One HTTP answer: status, headers (lowercased names) and the body (empty when it was streamed or saved to a file).
public struct HTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// Header fields with lowercased names.
    public var headers: [String: String]
    /// The body bytes.
    public var body: Data

    /// Creates a response.
    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Takes one piece of a streamed answer, valid only during the call; what it throws stops the transfer.
public typealias StreamChunkHandler = @Sendable (UnsafeRawBufferPointer) throws -> Void

/// Sends HTTP requests; libcurl on Linux, URLSession on Apple platforms, test doubles in tests.
public protocol HTTPTransport: Sendable {
    /// Sends a request and returns the whole answer (at most `request.maxBodyBytes` of it).
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
    /// Sends a request and hands a 2xx body to `onChunk` piece by piece as it arrives (SSE), each piece valid only during
    /// the call (no copy per piece); other answers come back whole in `body`. An error thrown by `onChunk` stops the
    /// transfer and is rethrown.
    func stream(_ request: HTTPRequest, onChunk: @escaping StreamChunkHandler) async throws -> HTTPResponse
    /// Sends a request and saves a 2xx body in `file`; with `resumeFrom` > 0 it asks for `Range: bytes=N-` and appends
    /// on 206, or starts over on 200. A 204, an empty 2xx or an unasked 206 fail with `badDownload`. `progress` gets
    /// the file's size so far; other answers come back in `body`.
    func download(_ request: HTTPRequest, to file: URL, resumeFrom: Int64,
                  progress: (@Sendable (Int64) -> Void)?) async throws -> HTTPResponse
    /// Sends a request and streams a 2xx body into `file` from its start.
    func download(_ request: HTTPRequest, to file: URL, progress: (@Sendable (Int64) -> Void)?) async throws -> HTTPResponse
}

extension HTTPTransport {
    /// A transport that cannot stream delivers the whole 2xx body as one chunk.
    public func stream(_ request: HTTPRequest, onChunk: @escaping StreamChunkHandler) async throws -> HTTPResponse {
        let response = try await send(request)
        guard (200..<300).contains(response.status) else { return response }
        try response.body.withUnsafeBytes(onChunk)
        return HTTPResponse(status: response.status, headers: response.headers)
    }

    /// A transport that cannot resume fetches the whole file again, as a server ignoring `Range` would make it.
    public func download(_ request: HTTPRequest, to file: URL, resumeFrom: Int64,
                         progress: (@Sendable (Int64) -> Void)?) async throws -> HTTPResponse {
        try await download(request, to: file, progress: progress)
    }
}
