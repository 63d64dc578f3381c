#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads one HTTP/1.x request from a byte stream: request line, headers, then a Content-Length or chunked body.
struct HTTPRequestReader {
    static let maxHeaderBytes = 64 * 1024
    /// Bodies up to this size are kept in memory; larger ones are spooled to a temporary file.
    static let memoryBodyBytes = 64 * 1024 * 1024
    /// Bodies above this size are refused with 413.
    static let maxBodyBytes = 4 * 1024 * 1024 * 1024
    static let continueLine = Data("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    private var buffer: [UInt8] = []
    private var position = 0
    private var receivedAny = false
    private let memoryLimit: Int
    private let receive: () -> [UInt8]

    /// Creates a reader over `receive`, which returns the next bytes or an empty array at the end of the stream;
    /// bodies larger than `memoryLimit` bytes go to a temporary file.
    init(memoryLimit: Int = memoryBodyBytes, receive: @escaping () -> [UInt8]) {
        self.memoryLimit = memoryLimit
        self.receive = receive
    }

    /// Reads a whole request; `expectContinue` is called before the body when the client sent `Expect: 100-continue`.
    /// Bytes left over from an earlier request on the same connection are read first (pipelining).
    mutating func readRequest(expectContinue: () -> Void) throws(HTTPRequestError) -> HTTPRequest {
        buffer.removeFirst(position)
        position = 0
        receivedAny = !buffer.isEmpty
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
        let sink = BodySink(memoryLimit: memoryLimit)
        if chunked {
            try readChunkedBody(into: sink)
        } else {
            try copyBytes(length ?? 0, into: sink)
        }
        let (body, spooled) = sink.finish()
        return HTTPRequest(
            method: String(parts[0]), path: path, query: query, headers: headers, body: body, spooled: spooled,
            version: String(parts[2])
        )
    }

    // MARK: - Request target

    /// Splits an origin-form or absolute-form target into a percent-decoded path and decoded query parameters.
    static func splitTarget(_ target: String) throws(HTTPRequestError) -> (String, [String: String]) {
        var rest = Substring(target)
        if let scheme = rest.firstRange(of: "://"), !rest.hasPrefix("/") {
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
        return (rawPath.percentDecoded() ?? rawPath, query)
    }

    private static func decodeQueryComponent(_ text: Substring) -> String {
        let spaced = text.replacingAll("+", with: " ")
        return spaced.percentDecoded() ?? spaced
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
            let value = line[line.index(after: colon)...].trimmingBlanks()
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
    }

    private static func isChunked(_ headers: [String: String]) throws(HTTPRequestError) -> Bool {
        guard let coding = headers["transfer-encoding"] else {
            return false
        }
        guard coding.lowercased().trimmingBlanks() == "chunked" else {
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

    private mutating func readChunkedBody(into sink: BodySink) throws(HTTPRequestError) {
        while true {
            let sizeLine = try readLine(limit: 1024)
            let sizeText = sizeLine.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            guard let size = Int(sizeText.trimmingBlanks(), radix: 16), size >= 0 else {
                throw .malformed("invalid chunk size \(sizeLine)")
            }
            guard sink.length + size <= Self.maxBodyBytes else {
                throw .tooLarge("chunked request body exceeds the limit of \(Self.maxBodyBytes) bytes")
            }
            if size == 0 {
                while try !readLine(limit: Self.maxHeaderBytes).isEmpty {}
                return
            }
            try copyBytes(size, into: sink)
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

    /// Moves `count` body bytes into `sink` as they arrive, never holding more than one receive in the buffer.
    private mutating func copyBytes(_ count: Int, into sink: BodySink) throws(HTTPRequestError) {
        var remaining = count
        while remaining > 0 {
            if position == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                position = 0
                try fill()
            }
            let taken = min(remaining, buffer.count - position)
            try sink.append(buffer[position..<(position + taken)])
            position += taken
            remaining -= taken
        }
    }

    private mutating func fill() throws(HTTPRequestError) {
        let received = receive()
        guard !received.isEmpty else {
            throw receivedAny ? .malformed("the request ended early") : .closed
        }
        receivedAny = true
        buffer.append(contentsOf: received)
    }
}
