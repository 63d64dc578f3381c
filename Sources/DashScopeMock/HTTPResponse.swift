#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP response and how its body should reach the client.
struct HTTPResponse: Sendable {
    /// How a whole body is written to the socket.
    enum Delivery: Sendable, Equatable {
        /// All at once.
        case whole
        /// In small pieces spread over this many seconds.
        case paced(seconds: Double)
        /// The full Content-Length is declared but only the first half of the body is sent.
        case truncated
        /// The first half of the body, then silence for this many seconds, then the connection closes.
        case stalled(seconds: Double)
        /// One byte every `interval` seconds until the body ends, the client leaves or `limit` seconds pass.
        case trickled(interval: Double, limit: Double)
    }

    var status: Int
    var headers: [(name: String, value: String)]
    var body: Data
    /// When set, the body is these bytes, read piece by piece as they are sent, and `body` is ignored.
    var file: FileBytes?
    /// Told how many body bytes went out, piece by piece, so the mock can count what downloads cost.
    var onBodySent: (@Sendable (Int) -> Void)?
    /// When set, the body is written by this stream as HTTP chunks and `body` is ignored.
    var stream: BodyStream?
    var delivery: Delivery = .whole
    /// Whether the connection stays open for another request after this answer.
    var keepAlive = false

    /// Creates a response whose body is sent whole with a Content-Length.
    init(status: Int, headers: [(name: String, value: String)], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Creates a response whose body is `file`, read in pieces while it is sent, with a Content-Length.
    init(status: Int, headers: [(name: String, value: String)], file: FileBytes) {
        self.init(status: status, headers: headers, body: Data())
        self.file = file
    }

    /// The number of body bytes: the file's, or the in-memory body's.
    var bodyCount: Int {
        file?.count ?? body.count
    }

    /// Body bytes `range` (within `0..<bodyCount`), from the file or the in-memory body.
    func bodyBytes(_ range: Range<Int>) -> Data {
        if let file {
            return file.read(range)
        }
        return Data(body[(body.startIndex + range.lowerBound)..<(body.startIndex + range.upperBound)])
    }

    /// Creates a response whose body `stream` writes piece by piece, sent with `Transfer-Encoding: chunked`.
    init(status: Int, headers: [(name: String, value: String)], stream: BodyStream) {
        self.init(status: status, headers: headers, body: Data())
        self.stream = stream
    }

    /// The status line and headers, including the body's framing and `Connection`, ending with the blank line.
    func head() -> Data {
        var text = "HTTP/1.1 \(status) \(HTTPResponse.reason(for: status))\r\n"
        for header in headers {
            text += "\(header.name): \(header.value)\r\n"
        }
        if !headers.contains(where: { $0.name.lowercased() == "date" }) { text += "Date: \(ClockZone.utc.format(Date(), "%a, %d %b %Y %H:%M:%S GMT"))\r\n" }
        if stream != nil {
            text += "Transfer-Encoding: chunked\r\n"
        } else if status != 204 {
            text += "Content-Length: \(bodyCount)\r\n"
        }
        text += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n"
        return Data(text.utf8)
    }

    /// The standard reason phrase of a status code.
    static func reason(for status: Int) -> String {
        let phrases = [
            100: "Continue", 200: "OK", 201: "Created", 204: "No Content", 206: "Partial Content", 302: "Found",
            400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict", 413: "Content Too Large",
            416: "Range Not Satisfiable", 429: "Too Many Requests", 500: "Internal Server Error",
            503: "Service Unavailable",
        ]
        return phrases[status] ?? "Status \(status)"
    }
}

/// A file's bytes known by their count and read by range, so a large file is never held whole in memory.
struct FileBytes: Sendable {
    /// How many bytes the file has.
    let count: Int
    /// Reads the bytes of a range within `0..<count`.
    let read: @Sendable (Range<Int>) -> Data

    /// A file of `count` bytes read by `read`.
    init(count: Int, read: @escaping @Sendable (Range<Int>) -> Data) {
        self.count = count
        self.read = read
    }

    /// A file held in memory.
    init(_ data: Data) {
        self.init(count: data.count) { range in
            Data(data[(data.startIndex + range.lowerBound)..<(data.startIndex + range.upperBound)])
        }
    }

    /// Bytes `range` of this file as a file of their own.
    func slice(_ range: Range<Int>) -> FileBytes {
        let read = self.read
        return FileBytes(count: range.count) { part in
            read((range.lowerBound + part.lowerBound)..<(range.lowerBound + part.upperBound))
        }
    }
}

/// What a handler wants done with a connection once its request is read.
enum HTTPReply: Sendable {
    /// Write this response, then close.
    case respond(HTTPResponse)
    /// Close the connection without writing anything.
    case drop
}

/// A response body produced while it is sent: `write` gets a writer and sends as many chunks as it likes.
struct BodyStream: Sendable {
    /// Writes the body; it should stop as soon as a write returns false (the client left or the server stops).
    let write: @Sendable (ChunkWriter) -> Void
}

/// Sends a body as HTTP/1.1 chunks, each one at once, so a client sees every piece when it is written.
final class ChunkWriter {
    private let send: (Data) -> Bool
    /// Whether a write failed, after which nothing more is sent.
    private(set) var failed = false

    /// Creates a writer over `send`, which writes bytes to the connection and returns false when it cannot.
    init(send: @escaping (Data) -> Bool) {
        self.send = send
    }

    /// Sends `data` as one chunk; returns false when the connection is gone. Empty data sends nothing.
    @discardableResult
    func write(_ data: Data) -> Bool {
        guard !failed else {
            return false
        }
        guard !data.isEmpty else {
            return true
        }
        var chunk = Data(String(data.count, radix: 16).utf8)
        chunk.append(contentsOf: [13, 10])
        chunk.append(data)
        chunk.append(contentsOf: [13, 10])
        failed = !send(chunk)
        return !failed
    }

    /// Stops the body where it is: nothing more is sent, not even the last chunk, so the client sees the connection
    /// close mid-body (an injected broken stream).
    func abort() {
        failed = true
    }

    /// Sends the last, empty chunk; returns whether the whole body went out.
    func finish() -> Bool {
        guard !failed else {
            return false
        }
        failed = !send(Data("0\r\n\r\n".utf8))
        return !failed
    }
}

/// Writes `text/event-stream` events over a chunked body, one chunk (and so one flush) per event.
struct EventWriter {
    /// How field lines are written: `data: x` as the OpenAI-compatible routes do, or `data:x` as the native ones do.
    enum Style {
        case spaced
        case compact
    }

    let chunks: ChunkWriter
    let style: Style

    /// The headers an event stream answer carries.
    static let headers: [(name: String, value: String)] = [
        (name: "Content-Type", value: "text/event-stream"), (name: "Cache-Control", value: "no-cache"),
    ]

    /// Sends one event: optional `id:` and `event:` lines, then `data` (one `data:` line per line), then a blank line.
    @discardableResult
    func send(_ data: String, event: String? = nil, id: String? = nil) -> Bool {
        let colon = style == .spaced ? ": " : ":"
        var frame = id.map { "id\(colon)\($0)\n" } ?? ""
        frame += event.map { "event\(colon)\($0)\n" } ?? ""
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) {
            frame += "data\(colon)\(line)\n"
        }
        return chunks.write(Data((frame + "\n").utf8))
    }

    /// Sends `text` as a comment (`: text`) where an event would go: bytes that arrive like one and carry nothing.
    @discardableResult
    func comment(_ text: String) -> Bool {
        chunks.write(Data((": " + text + "\n\n").utf8))
    }
}
