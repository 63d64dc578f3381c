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

/// The file one download writes into. It is opened without following a symlink, and it is truncated or positioned
/// only once the answer shows whether it continues the file (206 at the asked offset) or replaces it (200), so a
/// failed attempt never destroys the bytes an earlier one saved.
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

    /// Checks a finished 2xx answer: a 204, an empty body or an unasked 206 is not a file.
    func finish(status: Int, headers: [String: String]) throws {
        if !started { try begin(status: status, headers: headers) }
        guard written > 0 else { throw TransportError.badDownload("the server sent an empty answer (HTTP \(status))") }
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
        guard ftruncate(descriptor, off_t(base)) == 0, lseek(descriptor, off_t(base), SEEK_SET) == off_t(base) else {
            throw TransportError.writeFailed("\(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The first byte of `Content-Range: bytes N-M/T`.
    static func rangeStart(_ value: String?) -> Int64? {
        guard let value, value.lowercased().hasPrefix("bytes ") else { return nil }
        return Int64(value.dropFirst(6).prefix { $0 != "-" }.trimmingBlanks())
    }
}

/// `write(2)`.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(descriptor, buffer, count)
    #else
    return Darwin.write(descriptor, buffer, count)
    #endif
}
