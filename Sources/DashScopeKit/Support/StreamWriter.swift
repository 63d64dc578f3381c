import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes whole buffers to a file descriptor (stdout, stderr) and reports failure as an error instead of crashing or dropping it.
public enum StreamWriter {
    /// Why a write failed: the `errno` and its text, e.g. "No space left on device".
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The `errno` value.
        public let code: Int32
        /// A failure with `errno` value `code`.
        public init(code: Int32) { self.code = code }
        /// Whether the reader went away (`EPIPE`: a closed pipe, `| head`), which ends output quietly rather than as an error.
        public var readerLeft: Bool { code == EPIPE }
        /// The system's text for the code.
        public var description: String { String(cString: strerror(code)) }
    }

    /// Writes all of `data` to `descriptor`, retrying short and interrupted writes; throws `Failure` on any other error
    /// (with SIGPIPE ignored, a closed pipe is `EPIPE` here rather than a signal).
    public static func write(_ data: Data, to descriptor: Int32) throws {
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                #if canImport(Glibc)
                let written = Glibc.write(descriptor, base + offset, buffer.count - offset)
                #else
                let written = Darwin.write(descriptor, base + offset, buffer.count - offset)
                #endif
                if written < 0 {
                    if errno == EINTR { continue }
                    throw Failure(code: errno)
                }
                offset += written
            }
        }
    }
}
