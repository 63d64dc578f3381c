#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a request sends; files and forms are read from disk while sending, never loaded whole.
public enum HTTPBody: Sendable {
    /// No body.
    case none
    /// Bytes in memory (JSON API calls).
    case data(Data)
    /// The content of a file, by path.
    case file(String)
    /// A `multipart/form-data` form whose file part is streamed from disk.
    case multipart(MultipartForm)

    /// The `Content-Type` the body itself implies (the form's boundary), if any.
    var contentType: String? {
        if case let .multipart(form) = self { return form.contentType }
        return nil
    }

    /// The body as pieces to send in order.
    var segments: [BodySegment] {
        switch self {
        case .none: return []
        case let .data(data): return [.bytes(data)]
        case let .file(path): return [.file(path)]
        case let .multipart(form): return form.segments
        }
    }
}

/// A `multipart/form-data` form as the OSS upload wants it: text fields in order, then one file part last.
public struct MultipartForm: Sendable {
    /// The file part.
    public struct File: Sendable {
        /// The field name (`file` for OSS).
        public var name: String
        /// Where the bytes are read from.
        public var path: String
        /// The file name announced to the server.
        public var filename: String
        /// The part's `Content-Type`.
        public var contentType: String

        /// Creates a file part.
        public init(name: String = "file", path: String, filename: String, contentType: String) {
            self.name = name
            self.path = path
            self.filename = filename
            self.contentType = contentType
        }
    }

    /// Text fields, sent in this order before the file.
    public var fields: [(String, String)]
    /// The file, sent last.
    public var file: File
    /// The separator between parts; random so no content can contain it by accident.
    public var boundary: String

    /// Creates a form.
    public init(fields: [(String, String)], file: File, boundary: String = "dashscope-" + UUID().uuidString) {
        self.fields = fields
        self.file = file
        self.boundary = boundary
    }

    /// The request's `Content-Type`.
    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// The form as bytes around the file part.
    var segments: [BodySegment] {
        var head = ""
        for (name, value) in fields {
            head += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(name))\"\r\n\r\n\(value)\r\n"
        }
        head += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(file.name))\"; "
            + "filename=\"\(Self.quoted(file.filename))\"\r\nContent-Type: \(Self.quoted(file.contentType))\r\n\r\n"
        return [.bytes(Data(head.utf8)), .file(file.path), .bytes(Data("\r\n--\(boundary)--\r\n".utf8))]
    }

    /// A name safe inside a quoted parameter: quotes and line breaks percent-encoded, as browsers do.
    private static func quoted(_ text: String) -> String {
        text.replacingAll("\"", with: "%22").replacingAll("\r", with: "%0D")
            .replacingAll("\n", with: "%0A")
    }
}

/// One piece of a body.
enum BodySegment: Sendable {
    case bytes(Data)
    case file(String)
}

/// Reads a body's segments in order into the buffers a transport offers, opening each file only when reached.
final class BodyReader: @unchecked Sendable {
    private let segments: [BodySegment]
    /// The total size in bytes, taken when the reader was made.
    let length: Int64
    private var index = 0
    private var offset = 0
    private var descriptor: Int32 = -1

    /// Measures the body; throws `readFailed` when a file is missing or unreadable.
    init(_ body: HTTPBody) throws {
        segments = body.segments
        var total: Int64 = 0
        for segment in segments {
            switch segment {
            case let .bytes(data): total += Int64(data.count)
            case let .file(path):
                var info = stat()
                guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(path, R_OK) == 0 else {
                    throw TransportError.readFailed("\(path): \(String(cString: strerror(errno == 0 ? EINVAL : errno)))")
                }
                total += Int64(info.st_size)
            }
        }
        length = total
    }

    deinit { closeFile() }

    /// Fills `buffer` with the next bytes; 0 means the end. Throws `readFailed` when a file cannot be read.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while index < segments.count {
            switch segments[index] {
            case let .bytes(data):
                let count = min(buffer.count, data.count - offset)
                if count > 0 {
                    data.withUnsafeBytes { source in
                        buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
                    }
                    offset += count
                    return count
                }
            case let .file(path):
                if descriptor < 0 {
                    descriptor = open(path, O_RDONLY | O_CLOEXEC)
                    guard descriptor >= 0 else { throw TransportError.readFailed("\(path): \(String(cString: strerror(errno)))") }
                }
                let count = systemRead(descriptor, buffer.baseAddress, buffer.count)
                guard count >= 0 else { throw TransportError.readFailed("\(path): \(String(cString: strerror(errno)))") }
                if count > 0 { return count }
                closeFile()
            }
            index += 1
            offset = 0
        }
        return 0
    }

    /// Starts again from the first byte (libcurl asks when it must re-send the body).
    func rewind() {
        closeFile()
        index = 0
        offset = 0
    }

    private func closeFile() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }
}

/// `read(2)`, named apart from `BodyReader.read`.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.read(descriptor, buffer, count)
    #else
    return Darwin.read(descriptor, buffer, count)
    #endif
}
