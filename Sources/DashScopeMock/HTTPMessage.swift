import Foundation

/// One parsed HTTP request: method, decoded path and query, lowercased headers and the full body.
struct HTTPRequest: Sendable {
    var method: String
    var path: String
    var query: [String: String]
    var headers: [String: String]
    var body: Data

    /// The value of a header, looked up case-insensitively.
    func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }
}

/// Why no request could be read from a connection.
enum HTTPRequestError: Error, Equatable {
    /// The peer closed or stalled before sending anything: nobody is left to answer.
    case closed
    /// The bytes do not form an HTTP/1.x request; the text says what is wrong.
    case malformed(String)
    /// The header section or the body exceeds the server's limits.
    case tooLarge(String)
}

/// An HTTP response and how its body should reach the client.
struct HTTPResponse: Sendable {
    /// How the body is written to the socket.
    enum Delivery: Sendable, Equatable {
        /// All at once.
        case whole
        /// In small pieces spread over this many seconds.
        case paced(seconds: Double)
        /// The full Content-Length is declared but only the first half of the body is sent.
        case truncated
    }

    var status: Int
    var headers: [(name: String, value: String)]
    var body: Data
    var delivery: Delivery = .whole

    /// The status line and headers, including Content-Length and `Connection: close`, ending with the blank line.
    func head() -> Data {
        var text = "HTTP/1.1 \(status) \(HTTPResponse.reason(for: status))\r\n"
        for header in headers {
            text += "\(header.name): \(header.value)\r\n"
        }
        text += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Data(text.utf8)
    }

    /// The standard reason phrase of a status code.
    static func reason(for status: Int) -> String {
        let phrases = [
            100: "Continue", 200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
            404: "Not Found", 413: "Content Too Large", 429: "Too Many Requests",
            500: "Internal Server Error", 503: "Service Unavailable",
        ]
        return phrases[status] ?? "Status \(status)"
    }
}

/// What a handler wants done with a connection once its request is read.
enum HTTPReply: Sendable {
    /// Write this response, then close.
    case respond(HTTPResponse)
    /// Close the connection without writing anything.
    case drop
}

/// Reads one HTTP/1.x request from a byte stream: request line, headers, then a Content-Length or chunked body.
struct HTTPRequestReader {
    static let maxHeaderBytes = 64 * 1024
    static let maxBodyBytes = 64 * 1024 * 1024
    static let continueLine = Data("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    private var buffer: [UInt8] = []
    private var position = 0
    private let receive: () -> [UInt8]

    /// Creates a reader over `receive`, which returns the next bytes or an empty array at the end of the stream.
    init(receive: @escaping () -> [UInt8]) {
        self.receive = receive
    }

    /// Reads a whole request; `expectContinue` is called before the body when the client sent `Expect: 100-continue`.
    mutating func readRequest(expectContinue: () -> Void) throws(HTTPRequestError) -> HTTPRequest {
        var requestLine = try readLine(limit: Self.maxHeaderBytes)
        while requestLine.isEmpty {
            requestLine = try readLine(limit: Self.maxHeaderBytes)
        }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isUppercase }) else {
            throw .malformed("malformed request line")
        }
        guard parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0" else {
            throw .malformed("unsupported HTTP version \(parts[2])")
        }
        let (path, query) = try Self.splitTarget(String(parts[1]))
        let headers = try readHeaders()
        let chunked = try Self.isChunked(headers)
        let length = chunked ? nil : try Self.contentLength(headers)
        if headers["expect"]?.lowercased() == "100-continue", chunked || (length ?? 0) > 0 {
            expectContinue()
        }
        let body = chunked ? try readChunkedBody() : try readBytes(length ?? 0)
        return HTTPRequest(method: String(parts[0]), path: path, query: query, headers: headers, body: body)
    }

    // MARK: - Request target

    /// Splits an origin-form or absolute-form target into a percent-decoded path and decoded query parameters.
    static func splitTarget(_ target: String) throws(HTTPRequestError) -> (String, [String: String]) {
        var rest = Substring(target)
        if let scheme = rest.range(of: "://"), !rest.hasPrefix("/") {
            let afterAuthority = rest[scheme.upperBound...]
            rest = afterAuthority.firstIndex(of: "/").map { afterAuthority[$0...] } ?? "/"
        }
        guard rest.hasPrefix("/") else {
            throw .malformed("request target must start with /")
        }
        if let hash = rest.firstIndex(of: "#") {
            rest = rest[..<hash]
        }
        let pieces = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let rawPath = String(pieces[0])
        var query: [String: String] = [:]
        if pieces.count > 1 {
            for pair in pieces[1].split(separator: "&") {
                let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let value = keyValue.count > 1 ? decodeQueryComponent(keyValue[1]) : ""
                query[decodeQueryComponent(keyValue[0])] = value
            }
        }
        return (rawPath.removingPercentEncoding ?? rawPath, query)
    }

    private static func decodeQueryComponent(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    // MARK: - Headers

    private mutating func readHeaders() throws(HTTPRequestError) -> [String: String] {
        var headers: [String: String] = [:]
        var budget = Self.maxHeaderBytes
        while true {
            let line = try readLine(limit: budget)
            budget -= line.utf8.count + 2
            if line.isEmpty {
                return headers
            }
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                  !line[..<colon].contains(where: { $0 == " " || $0 == "\t" }) else {
                throw .malformed("malformed header line")
            }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
    }

    private static func isChunked(_ headers: [String: String]) throws(HTTPRequestError) -> Bool {
        guard let coding = headers["transfer-encoding"] else {
            return false
        }
        guard coding.lowercased().trimmingCharacters(in: .whitespaces) == "chunked" else {
            throw .malformed("unsupported Transfer-Encoding \(coding)")
        }
        return true
    }

    private static func contentLength(_ headers: [String: String]) throws(HTTPRequestError) -> Int? {
        guard let text = headers["content-length"] else {
            return nil
        }
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let length = Int(text) else {
            throw .malformed("invalid Content-Length \(text)")
        }
        guard length <= maxBodyBytes else {
            throw .tooLarge("request body of \(length) bytes exceeds the limit of \(maxBodyBytes)")
        }
        return length
    }

    // MARK: - Body

    private mutating func readChunkedBody() throws(HTTPRequestError) -> Data {
        var body = Data()
        while true {
            let sizeLine = try readLine(limit: 1024)
            let sizeText = sizeLine.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else {
                throw .malformed("invalid chunk size \(sizeLine)")
            }
            guard body.count + size <= Self.maxBodyBytes else {
                throw .tooLarge("chunked request body exceeds the limit of \(Self.maxBodyBytes) bytes")
            }
            if size == 0 {
                while try !readLine(limit: Self.maxHeaderBytes).isEmpty {}
                return body
            }
            body.append(try readBytes(size))
            guard try readLine(limit: 1024).isEmpty else {
                throw .malformed("chunk data is not followed by CRLF")
            }
        }
    }

    // MARK: - Buffering

    private mutating func readLine(limit: Int) throws(HTTPRequestError) -> String {
        var searchFrom = position
        while true {
            if let newline = buffer[searchFrom...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > position, buffer[end - 1] == UInt8(ascii: "\r") {
                    end -= 1
                }
                guard end - position <= limit else {
                    throw .tooLarge("header section exceeds \(Self.maxHeaderBytes) bytes")
                }
                let line = String(decoding: buffer[position..<end], as: UTF8.self)
                position = newline + 1
                return line
            }
            guard buffer.count - position <= limit else {
                throw .tooLarge("header section exceeds \(Self.maxHeaderBytes) bytes")
            }
            searchFrom = buffer.count
            try fill()
        }
    }

    private mutating func readBytes(_ count: Int) throws(HTTPRequestError) -> Data {
        while buffer.count - position < count {
            try fill()
        }
        let bytes = Data(buffer[position..<(position + count)])
        position += count
        return bytes
    }

    private mutating func fill() throws(HTTPRequestError) {
        let received = receive()
        guard !received.isEmpty else {
            throw buffer.isEmpty ? .closed : .malformed("the request ended early")
        }
        buffer.append(contentsOf: received)
    }
}
