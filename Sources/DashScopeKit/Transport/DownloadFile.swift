import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file one download writes into. It is opened without following a symlink, and it is truncated or positioned
/// only once the answer shows whether it continues the file (206 at the asked offset) or replaces it (200), so a
/// failed attempt never destroys the bytes an earlier one saved. A finished answer must have filled the file to the
/// size the server announced (Content-Length, or the total of Content-Range).
///
/// When a `PATH.source` file exists beside it (the downloader creates one for downloads that may be resumed by a
/// later run), the server's description of the file (its total size and ETag or Last-Modified, see `RemoteSource`)
/// is kept there; a 206 that describes another file truncates the partial file and fails, so the caller starts over.
final class DownloadFile: @unchecked Sendable {
    /// Where the bytes go.
    let path: String
    /// The offset asked for with `Range`, or 0.
    let resumeFrom: Int64
    private let progress: (@Sendable (Int64) -> Void)?
    private let descriptor: Int32
    private var started = false
    /// Where this answer's bytes start in the file.
    private(set) var base: Int64 = 0
    /// Bytes of this answer written so far.
    private(set) var written: Int64 = 0
    /// The size the answer announced for the whole file, once known.
    private(set) var expectedSize: Int64?

    /// Opens (or creates) `path` for writing; refuses a symlink.
    init(path: String, resumeFrom: Int64, progress: (@Sendable (Int64) -> Void)?) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw TransportError.writeFailed("cannot open \(path): \(String(cString: strerror(errno)))") }
        self.descriptor = descriptor
        self.path = path
        self.resumeFrom = max(0, resumeFrom)
        self.progress = progress
    }

    deinit { close(descriptor) }

    /// The file's size once this answer is written.
    var size: Int64 { base + written }

    /// Takes a piece of a 2xx body, deciding on the first one where the answer's bytes go.
    func write(_ bytes: UnsafeRawBufferPointer, status: Int, headers: [String: String]) throws {
        if !started { try begin(status: status, headers: headers) }
        var offset = 0
        while offset < bytes.count {
            let count = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw TransportError.writeFailed("\(path): \(String(cString: strerror(errno)))") }
            offset += count
        }
        written += Int64(bytes.count)
        progress?(size)
    }

    /// Checks a finished 2xx answer: a 204, an empty body, an unasked 206 or fewer bytes than announced is not a file.
    func finish(status: Int, headers: [String: String]) throws {
        if !started { try begin(status: status, headers: headers) }
        guard written > 0 else { throw TransportError.badDownload("the server sent an empty answer (HTTP \(status))") }
        if let expectedSize, size != expectedSize {
            throw TransportError.badDownload("the file has \(size) bytes, the server announced \(expectedSize)")
        }
    }

    private func begin(status: Int, headers: [String: String]) throws {
        started = true
        if status == 204 { throw TransportError.badDownload("the server answered 204 No Content") }
        if status == 206 {
            guard resumeFrom > 0 else { throw TransportError.badDownload("the server sent part of the file (206) unasked") }
            let start = Self.rangeStart(headers["content-range"])
            guard start == resumeFrom else {
                throw TransportError.badDownload("the server resumed at byte \(start.map(String.init) ?? "?"), not \(resumeFrom)")
            }
            base = resumeFrom
        }
        let source = RemoteSource(status: status, headers: headers)
        if status == 206, let kept = RemoteSource.read(path + ".source"), !kept.matches(source) {
            base = 0
            _ = ftruncate(descriptor, 0)
            throw TransportError.badDownload(RemoteSource.changedMessage)
        }
        guard ftruncate(descriptor, off_t(base)) == 0, lseek(descriptor, off_t(base), SEEK_SET) == off_t(base) else {
            throw TransportError.writeFailed("\(path): \(String(cString: strerror(errno)))")
        }
        expectedSize = source.total
        source.write(path + ".source")
    }

    /// The first byte of `Content-Range: bytes N-M/T`.
    static func rangeStart(_ value: String?) -> Int64? {
        guard let value, value.lowercased().hasPrefix("bytes ") else { return nil }
        return Int64(value.dropFirst(6).prefix { $0 != "-" }.trimmingCharacters(in: .whitespaces))
    }
}

/// What a download answer says about the whole file: its size and a validator (ETag, else Last-Modified), so a later
/// resume can tell whether the server still has the same file.
struct RemoteSource: Equatable {
    /// The file's total size: Content-Length of a 200, the `/T` of a 206's Content-Range; nil when not announced.
    var total: Int64?
    /// The ETag, or the Last-Modified date when there is no ETag.
    var validator: String?

    /// The message of the failure that makes the downloader start over.
    static let changedMessage = "the file changed on the server since the partial download was saved"

    /// Reads an answer's headers; a compressed body's Content-Length is not the file's size.
    init(status: Int, headers: [String: String]) {
        if status == 206 {
            total = headers["content-range"].flatMap { Int64($0.split(separator: "/").last?.trimmingCharacters(in: .whitespaces) ?? "") }
        } else if headers["content-encoding"].map({ $0.lowercased() == "identity" }) ?? true {
            total = headers["content-length"].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        }
        validator = (headers["etag"] ?? headers["last-modified"]).map { TerminalText.line($0) }
    }

    init(total: Int64?, validator: String?) {
        self.total = total
        self.validator = validator
    }

    /// Whether `other` describes the same file: equal sizes and validators where both sides know them.
    func matches(_ other: RemoteSource) -> Bool {
        (total == nil || other.total == nil || total == other.total)
            && (validator == nil || other.validator == nil || validator == other.validator)
    }

    /// The description kept at `path` (`TOTAL` on the first line, the validator on the second), or nil.
    static func read(_ path: String) -> RemoteSource? {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = buffer.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress!, $0.count) }
        guard count > 0 else { return nil }
        let lines = String(decoding: buffer[0..<count], as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        return RemoteSource(total: lines.first.flatMap { Int64($0) },
                            validator: lines.count > 1 && !lines[1].isEmpty ? String(lines[1]) : nil)
    }

    /// Replaces the description at `path` if that file exists (the downloader opts in by creating it).
    func write(_ path: String) {
        let descriptor = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let text = "\(total.map(String.init) ?? "")\n\(validator ?? "")\n"
        _ = text.utf8CString.withUnsafeBytes { systemWrite(descriptor, $0.baseAddress!, $0.count - 1) }
    }
}

/// `read(2)`.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.read(descriptor, buffer, count)
    #else
    return Darwin.read(descriptor, buffer, count)
    #endif
}

/// `write(2)`.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(descriptor, buffer, count)
    #else
    return Darwin.write(descriptor, buffer, count)
    #endif
}
