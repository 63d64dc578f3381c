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

    /// Reads `descriptor` (stdin) to its end, retrying interrupted reads; a read error (stdin is a directory, say) is
    /// exit 66 naming the system's reason, never a trap.
    public static func readAll(from descriptor: Int32, name: String = "stdin") throws -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return data }
            if count < 0 {
                if errno == EINTR { continue }
                throw DashScopeError("cannot read \(name): \(Failure(code: errno).description.lowercased())",
                                     hint: "pipe text into dashscope, or give the prompt as an argument", exit: .noInput)
            }
            data.append(contentsOf: buffer[0..<count])
        }
    }

    /// Puts `/dev/null` on any of stdin, stdout and stderr that the caller closed (`<&-`), so no file this process
    /// opens later takes their number: results written into a download, a config file read as stdin. Returns the
    /// descriptors that were closed (a closed stdout must still fail writes, not swallow results).
    public static func occupyClosedStandardStreams() -> Set<Int32> {
        var closed: Set<Int32> = []
        for descriptor: Int32 in [0, 1, 2] where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY)
            if opened >= 0 && opened != descriptor { _ = dup2(opened, descriptor); _ = close(opened) }
            closed.insert(descriptor)
        }
        return closed
    }
}
