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

/// Reads and writes files through descriptors, in place of Foundation's `FileHandle` (stdin is read by `StreamWriter.readAll`).
public enum DescriptorIO {
    /// Reads at most `limit` bytes, fewer only at end of file or on an error; empty at the end.
    public static func read(descriptor: Int32, upTo limit: Int) -> Data {
        var buffer = [UInt8](repeating: 0, count: max(0, limit))
        var filled = 0
        while filled < buffer.count {
            let count = buffer.withUnsafeMutableBytes { raw in
                #if canImport(Glibc)
                Glibc.read(descriptor, raw.baseAddress! + filled, raw.count - filled)
                #else
                Darwin.read(descriptor, raw.baseAddress! + filled, raw.count - filled)
                #endif
            }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            filled += count
        }
        return Data(buffer[..<filled])
    }

    /// Writes `data` to the existing file at `path` from its start; throws `StreamWriter.Failure` with the `errno`.
    public static func write(_ data: Data, toExisting path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw StreamWriter.Failure(code: errno) }
        do {
            try StreamWriter.write(data, to: descriptor)
        } catch {
            close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 else { throw StreamWriter.Failure(code: errno) }
    }
}
