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

/// One field of a `multipart/form-data` body: small fields are kept as text, a file part as stored bytes.
struct FormPart {
    /// The `name` of its Content-Disposition.
    let name: String
    /// The `filename` of its Content-Disposition, for file parts.
    let filename: String?
    /// The part's own Content-Type, when it has one.
    let contentType: String?
    /// The value of a field without a filename, as UTF-8 text.
    let text: String
    /// A file part's bytes: in memory, or in a temporary file that is deleted with it.
    let file: (memory: Data, spooled: SpooledBody?)?
    /// How many bytes the part's content holds.
    let length: Int
}

/// Where a form is read from: the request body in memory, or the file it was spooled to.
private struct FormSource {
    private let memory: Data
    private let descriptor: Int32?
    private var offset = 0

    init(_ request: HTTPRequest) throws(ServiceError) {
        memory = request.body
        guard let spooled = request.spooled else {
            descriptor = nil
            return
        }
        let descriptor = open(spooled.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ServiceError(status: 500, code: "InternalError", message: "The spooled form body cannot be read.")
        }
        self.descriptor = descriptor
    }

    /// The next bytes, at most `limit`; empty at the end.
    mutating func read(_ limit: Int) -> Data {
        if let descriptor {
            return DescriptorIO.read(descriptor: descriptor, upTo: limit)
        }
        let end = min(memory.count, offset + limit)
        defer { offset = end }
        return memory.subdata(in: (memory.startIndex + offset)..<(memory.startIndex + end))
    }

    func close() {
        #if canImport(Glibc)
        if let descriptor { Glibc.close(descriptor) }
        #else
        if let descriptor { Darwin.close(descriptor) }
        #endif
    }
}

/// A streaming `multipart/form-data` reader (RFC 7578): it holds about one megabyte of the body at a time, so a form
/// spooled to disk is read from the file, and a file part over `fileMemoryLimit` bytes goes to a temporary file.
struct MultipartForm {
    /// Bytes read from the body at a time.
    static let chunkBytes = 1 << 20
    /// Bytes a field without a filename may hold.
    static let fieldLimit = 64 * 1024
    /// Bytes a part's header section may hold.
    static let headerLimit = 16 * 1024

    /// The parts in the order they came.
    let parts: [FormPart]

    /// Reads the form of `request`, whose Content-Type must be `multipart/form-data` with a boundary; file parts
    /// above `fileMemoryLimit` bytes are kept on disk.
    init(_ request: HTTPRequest, fileMemoryLimit: Int) throws(ServiceError) {
        guard let boundary = Self.boundary(request.header("content-type")) else {
            throw Self.refuse("The body must be multipart/form-data with a boundary (Content-Type: multipart/form-data; boundary=...).")
        }
        let source = try FormSource(request)
        defer { source.close() }
        var reader = Reader(source: source, delimiter: Data("\r\n--\(boundary)".utf8))
        var parts: [FormPart] = []
        try reader.skipPreamble()
        while try reader.startsPart() {
            let headers = try reader.partHeaders()
            let disposition = Self.parameters(headers["content-disposition"] ?? "")
            guard disposition.value.lowercased() == "form-data", let name = disposition.parameters["name"] else {
                throw Self.refuse("Each part needs Content-Disposition: form-data; name=\"...\".")
            }
            let filename = disposition.parameters["filename"]
            let sink = BodySink(memoryLimit: filename == nil ? Self.fieldLimit : fileMemoryLimit)
            let length = try reader.copyContent(into: sink, limit: filename == nil ? Self.fieldLimit : nil, name: name)
            let (memory, spooled) = sink.finish()
            parts.append(FormPart(
                name: name, filename: filename, contentType: headers["content-type"],
                text: filename == nil ? String(decoding: memory, as: UTF8.self) : "",
                file: filename == nil ? nil : (memory, spooled), length: length
            ))
        }
        self.parts = parts
    }

    /// The 400 OSS answers to a form it cannot read.
    static func refuse(_ message: String) -> ServiceError {
        ServiceError(status: 400, code: "InvalidArgument", message: message)
    }

    /// The boundary of a `multipart/form-data` Content-Type, unquoted.
    static func boundary(_ contentType: String?) -> String? {
        guard let contentType else {
            return nil
        }
        let parsed = parameters(contentType)
        guard parsed.value.lowercased() == "multipart/form-data", let boundary = parsed.parameters["boundary"],
              (1...70).contains(boundary.utf8.count) else {
            return nil
        }
        return boundary
    }

    /// Splits `value; a=b; c="d;e"` into its leading value and its parameters (names lowercased, quotes removed).
    static func parameters(_ header: String) -> (value: String, parameters: [String: String]) {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in header {
            if escaped {
                current.append(character)
                escaped = false
            } else if quoted, character == "\\" {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if character == ";", !quoted {
                pieces.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        pieces.append(current)
        var parameters: [String: String] = [:]
        for piece in pieces.dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingBlanks() }
            if pair.count == 2 {
                parameters[pair[0].lowercased()] = pair[1]
            }
        }
        return (pieces[0].trimmingBlanks(), parameters)
    }
}

/// The byte-level part of the form reader: a window over the body, searched for the boundary delimiter.
private struct Reader {
    private var source: FormSource
    private let delimiter: Data
    /// The unread window; it starts with a virtual CRLF so the first boundary looks like every other one.
    private var buffer = Data("\r\n".utf8)
    private var ended = false

    init(source: FormSource, delimiter: Data) {
        self.source = source
        self.delimiter = delimiter
    }

    /// Reads more of the body into the window; false at the end of the body.
    private mutating func fill() -> Bool {
        guard !ended else {
            return false
        }
        let more = source.read(MultipartForm.chunkBytes)
        guard !more.isEmpty else {
            ended = true
            return false
        }
        buffer.append(more)
        return true
    }

    private mutating func drop(_ count: Int) {
        buffer = buffer.subdata(in: (buffer.startIndex + count)..<buffer.endIndex)
    }

    /// Skips anything before the first boundary.
    mutating func skipPreamble() throws(ServiceError) {
        while true {
            if let found = buffer.firstRange(of: delimiter) {
                drop(found.upperBound - buffer.startIndex)
                return
            }
            if buffer.count > delimiter.count {
                drop(buffer.count - delimiter.count)
            }
            guard fill() else {
                throw MultipartForm.refuse("The form body holds no boundary line.")
            }
        }
    }

    /// After a boundary: true when a part follows, false at the closing `--`.
    mutating func startsPart() throws(ServiceError) -> Bool {
        while buffer.count < 2, fill() {}
        guard buffer.count >= 2 else {
            throw MultipartForm.refuse("The form body ends without its closing boundary.")
        }
        let next = Array(buffer.prefix(2))
        if next == Array("--".utf8) {
            return false
        }
        guard next == Array("\r\n".utf8) else {
            throw MultipartForm.refuse("A boundary line of the form is followed by unexpected bytes.")
        }
        drop(2)
        return true
    }

    /// Reads a part's header lines, names lowercased.
    mutating func partHeaders() throws(ServiceError) -> [String: String] {
        let end = Data("\r\n\r\n".utf8)
        var headerEnd: Range<Data.Index>? = buffer.starts(with: Data("\r\n".utf8))
            ? buffer.startIndex..<(buffer.startIndex + 2) : buffer.firstRange(of: end)
        while headerEnd == nil {
            guard buffer.count <= MultipartForm.headerLimit, fill() else {
                throw MultipartForm.refuse("A part of the form has no complete header section.")
            }
            headerEnd = buffer.firstRange(of: end)
        }
        let range = headerEnd!
        let text = String(decoding: buffer[buffer.startIndex..<range.lowerBound], as: UTF8.self)
        drop(range.upperBound - buffer.startIndex)
        var headers: [String: String] = [:]
        for line in text.components(separatedBy: "\r\n") where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else {
                throw MultipartForm.refuse("A part header of the form has no colon.")
            }
            let name = line[..<colon].trimmingBlanks().lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingBlanks()
        }
        return headers
    }

    /// Copies a part's content up to the next boundary into `sink`; returns its length. `limit` caps small fields.
    mutating func copyContent(into sink: BodySink, limit: Int?, name: String) throws(ServiceError) -> Int {
        var length = 0
        while true {
            let found = buffer.firstRange(of: delimiter)
            let count = found.map { $0.lowerBound - buffer.startIndex } ?? max(0, buffer.count - (delimiter.count - 1))
            length += count
            if let limit, length > limit {
                throw MultipartForm.refuse("The form field \(name) is longer than \(limit) bytes.")
            }
            try write(buffer.prefix(count), into: sink)
            if let found {
                drop(found.upperBound - buffer.startIndex)
                return length
            }
            drop(count)
            guard fill() else {
                throw MultipartForm.refuse("The form body ends inside the field \(name), without a closing boundary.")
            }
        }
    }

    private func write(_ bytes: Data, into sink: BodySink) throws(ServiceError) {
        guard !bytes.isEmpty else {
            return
        }
        do throws(HTTPRequestError) {
            try sink.append([UInt8](bytes)[...])
        } catch {
            throw ServiceError.unreadable(error)
        }
    }
}
