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

/// The shape of uncompressed PCM audio: sample rate, channels and bits per sample.
public struct PCMFormat: Sendable, Equatable, CustomStringConvertible {
    /// Samples per second.
    public var sampleRate: Int
    /// Interleaved channels.
    public var channels: Int
    /// Bits per sample.
    public var bitsPerSample: Int

    /// Creates a format.
    public init(sampleRate: Int, channels: Int, bitsPerSample: Int) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.bitsPerSample = bitsPerSample
    }

    /// What the speech models send (API.md section 5: 24 kHz, 16-bit mono, little-endian signed).
    public static let speech = PCMFormat(sampleRate: 24_000, channels: 1, bitsPerSample: 16)

    /// Bytes of one sample of every channel.
    public var blockAlign: Int { channels * bitsPerSample / 8 }

    /// `24000 Hz, 16-bit, mono` for messages.
    public var description: String {
        "\(sampleRate) Hz, \(bitsPerSample)-bit, \(channels == 1 ? "mono" : "\(channels) channels")"
    }
}

/// Reads and writes the 44-byte RIFF/WAVE header of PCM audio.
public enum WAVFile {
    /// The size written while the length is unknown (a stream still arriving): players read such a file to its end.
    public static let unknownSize: UInt32 = 0xFFFF_FFFF

    /// The header in front of `dataBytes` bytes of PCM (nil: not known yet, the placeholder sizes are written). Values too
    /// large for their field (a hostile file's format, copied) are clamped, never trapped on.
    public static func header(_ format: PCMFormat, dataBytes: Int?) -> Data {
        var bytes = Data("RIFF".utf8)
        append(dataBytes.map { UInt32(clamping: 36 + $0 + $0 % 2) } ?? unknownSize, 4, to: &bytes)
        bytes += Data("WAVEfmt ".utf8)
        append(16, 4, to: &bytes)
        append(1, 2, to: &bytes)
        append(UInt32(clamping: format.channels), 2, to: &bytes)
        append(UInt32(clamping: format.sampleRate), 4, to: &bytes)
        append(UInt32(clamping: format.sampleRate * format.blockAlign), 4, to: &bytes)
        append(UInt32(clamping: format.blockAlign), 2, to: &bytes)
        append(UInt32(clamping: format.bitsPerSample), 2, to: &bytes)
        bytes += Data("data".utf8)
        append(dataBytes.map { UInt32(clamping: $0) } ?? unknownSize, 4, to: &bytes)
        return bytes
    }

    /// The format and PCM bytes of a WAV file: the `fmt ` and `data` chunks are found wherever they are (other chunks
    /// such as `LIST` are skipped); a `data` size that runs past the end (or is the streaming placeholder) reads to the end.
    /// Throws `DashScopeError` (exit 1) for anything but uncompressed PCM.
    public static func parse(_ file: Data, name: String) throws -> (format: PCMFormat, pcm: Data) {
        let bytes = [UInt8](file)
        func fail(_ why: String) -> DashScopeError {
            DashScopeError("\(name) is not audio the tool can join: \(why)", hint: "run without --split, or with --stream", exit: .failed)
        }
        guard bytes.count >= 12, bytes[0..<4] == [0x52, 0x49, 0x46, 0x46], bytes[8..<12] == [0x57, 0x41, 0x56, 0x45] else {
            throw fail("no RIFF/WAVE header")
        }
        var format: PCMFormat?
        var offset = 12
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = Int(read(bytes, at: offset + 4, width: 4))
            let body = offset + 8
            switch id {
            case "fmt ":
                guard size >= 16, body + 16 <= bytes.count else { throw fail("a short fmt chunk") }
                let encoding = read(bytes, at: body, width: 2)
                guard encoding == 1 || encoding == 0xFFFE else { throw fail("encoding \(encoding) is not PCM") }
                format = PCMFormat(sampleRate: Int(read(bytes, at: body + 4, width: 4)), channels: Int(read(bytes, at: body + 2, width: 2)),
                                   bitsPerSample: Int(read(bytes, at: body + 14, width: 2)))
            case "data":
                guard let format else { throw fail("the data chunk comes before the fmt chunk") }
                return (format, file.subdata(in: file.startIndex + body..<file.startIndex + min(bytes.count, body + size)))
            default:
                break
            }
            offset = body + size + size % 2
        }
        throw fail("no data chunk")
    }

    private static func append(_ value: UInt32, _ width: Int, to data: inout Data) {
        for byte in 0..<width { data.append(UInt8((value >> (8 * UInt32(byte))) & 0xFF)) }
    }

    private static func read(_ bytes: [UInt8], at offset: Int, width: Int) -> UInt32 {
        UInt32(bytes.littleEndian(at: offset, width: width))
    }
}

/// Writes a WAV file while its PCM arrives: a temporary `.part` file beside the final name gets a header with placeholder
/// sizes, then the PCM; `finish` patches the RIFF and data sizes and renames it (never over an existing file unless
/// forced). No half-written file ever has the final name; `discard` (or a stopped process) removes the temporary file.
public final class WAVWriter: @unchecked Sendable {
    private let lock = Lock()
    private let descriptor: Int32
    /// The temporary file being written.
    public let temporaryPath: String
    /// The format of the PCM.
    public let format: PCMFormat
    private var dataBytes = 0
    private var closed = false

    /// Starts a WAV file in `directory` (which must exist and be writable); throws exit 73 when it cannot be created.
    public init(directory: String, format: PCMFormat) throws {
        switch Downloader.makeTemporaryFile(in: directory, for: directory + "/audio.wav") {
        case let .success(path): temporaryPath = path
        case let .failure(error): throw error
        }
        self.format = format
        let descriptor = open(temporaryPath, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            unlink(temporaryPath)
            TemporaryFiles.unregister(temporaryPath)
            throw DashScopeError("cannot write \(temporaryPath)", hint: "check the directory's permissions and free space", exit: .cannotWrite)
        }
        self.descriptor = descriptor
        do {
            try write(WAVFile.header(format, dataBytes: nil))
        } catch {
            removeTemporary()
            throw error
        }
    }

    /// Bytes of PCM written so far.
    public var pcmBytes: Int { lock.withLock { dataBytes } }

    /// Appends PCM bytes (exit 73 when the disk refuses them).
    public func append(_ pcm: Data) throws {
        try lock.withLock {
            try write(pcm)
            dataBytes += pcm.count
        }
    }

    /// Patches the sizes, closes the file and gives it its final name, `destination` or the next free variant of it
    /// (`force`: replaced); returns the path saved. On failure the temporary file is removed.
    public func finish(as destination: String, force: Bool) throws -> String {
        try lock.withLock {
            do {
                if dataBytes % 2 == 1 { try write(Data([0])) }
                guard lseek(descriptor, 0, SEEK_SET) == 0 else { throw StreamWriter.Failure(code: errno) }
                try StreamWriter.write(WAVFile.header(format, dataBytes: dataBytes), to: descriptor)
                closed = true
                guard close(descriptor) == 0 else { throw StreamWriter.Failure(code: errno) }
            } catch {
                removeTemporary()
                throw writeError(error)
            }
            defer { TemporaryFiles.unregister(temporaryPath) }
            switch Downloader.commit(temporaryPath, to: destination, force: force) {
            case let .success(path): return path
            case let .failure(error):
                unlink(temporaryPath)
                throw error
            }
        }
    }

    /// Closes and removes the temporary file (a stream that broke, a failed call).
    public func discard() {
        lock.withLock { removeTemporary() }
    }

    private func removeTemporary() {
        if !closed { close(descriptor) }
        closed = true
        unlink(temporaryPath)
        TemporaryFiles.unregister(temporaryPath)
    }

    private func write(_ data: Data) throws {
        do {
            try StreamWriter.write(data, to: descriptor)
        } catch {
            throw writeError(error)
        }
    }

    private func writeError(_ error: Error) -> DashScopeError {
        DashScopeError("cannot write the audio file \(temporaryPath): \(error)",
                       hint: "check free space and permissions", exit: .cannotWrite)
    }
}
