import Foundation

/// One HTTP request as the tool builds it: headers keep their order so `--verbose` shows them as sent.
public struct HTTPRequest: Sendable {
    /// `GET`, `POST`, ...
    public var method: String
    /// The full URL.
    public var url: URL
    /// Header fields in order.
    public var headers: [(String, String)]
    /// The body, if any.
    public var body: Data?
    /// Seconds without progress before the request fails.
    public var timeout: TimeInterval

    /// Creates a request.
    public init(method: String, url: URL, headers: [(String, String)] = [], body: Data? = nil, timeout: TimeInterval = 60) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// The value of a header, matched case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first(where: { $0.0.caseInsensitiveCompare(name) == .orderedSame })?.1
    }

    /// Removes every field of a header, matched case-insensitively.
    public mutating func removeHeader(_ name: String) {
        headers.removeAll { $0.0.caseInsensitiveCompare(name) == .orderedSame }
    }
}

/// One HTTP answer: status, headers (lowercased names) and the body (empty for downloads, which go to a file).
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

/// Why a request got no HTTP answer; says whether the server may have seen it, which decides if a create may be re-sent.
public enum TransportError: Error, Sendable, Equatable {
    /// The connection was never made: the server cannot have seen the request.
    case cannotConnect(String)
    /// The connection broke or timed out after the request may have been sent.
    case connectionLost(String)
    /// The body ended before the promised length.
    case truncated(expected: Int64, received: Int64)
    /// Writing the downloaded bytes to disk failed.
    case writeFailed(String)

    /// A human description.
    public var message: String {
        switch self {
        case let .cannotConnect(m): return "could not connect: \(m)"
        case let .connectionLost(m): return "the connection failed: \(m)"
        case let .truncated(e, r): return "the download ended early (\(r) of \(e) bytes)"
        case let .writeFailed(m): return "could not write the file: \(m)"
        }
    }
}

/// Creates or truncates a download target and opens it for writing, as every transport's `download` starts.
func openDownloadTarget(_ file: URL) throws -> FileHandle {
    guard FileManager.default.createFile(atPath: file.path, contents: nil),
          let handle = try? FileHandle(forWritingTo: file) else {
        throw TransportError.writeFailed("cannot create \(file.path)")
    }
    return handle
}

/// Sends HTTP requests; the real one wraps URLSession, tests may substitute their own.
public protocol HTTPTransport: Sendable {
    /// Sends a request and returns the whole answer.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
    /// Sends a request and streams a 2xx body into `file` (created or truncated); other answers come back in `body`.
    func download(_ request: HTTPRequest, to file: URL, progress: (@Sendable (Int64) -> Void)?) async throws -> HTTPResponse
}
