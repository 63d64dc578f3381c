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

/// `data:<mime>;base64,...` URLs: made from local files with bounded memory, and checked when the user gives one.
public enum DataURL {
    /// Bytes read per step while encoding (a multiple of 3, so chunks encode without padding in between).
    static let chunkBytes = 3 * 64 * 1024

    /// The file as a data URL, its MIME type from `format`. The string is allocated once at its final length and
    /// the file is read and encoded into it chunk by chunk, so the peak memory is the URL plus one chunk.
    /// Throws 66 when the file cannot be read, or its size is no longer `expectedBytes` (when given: the size checked).
    public static func encode(path: String, format: MediaFormat, shown: String, expectedBytes: Int? = nil) throws -> String {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw readError(shown, errno) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw readError(shown, errno) }
        let byteCount = Int(info.st_size)
        if let expectedBytes, expectedBytes != byteCount {
            throw DashScopeError("\(shown) changed while the command ran (\(expectedBytes) bytes when checked, \(byteCount) now)",
                                 hint: "wait until the file is written completely, then try again", exit: .noInput)
        }
        let prefix = Array("data:\(format.mime);base64,".utf8)
        let total = prefix.count + base64Length(byteCount)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkBytes, alignment: 1)
        defer { chunk.deallocate() }
        return try String(unsafeUninitializedCapacity: total) { out in
            var at = prefix.count
            _ = UnsafeMutableBufferPointer(rebasing: out[0..<at]).initialize(from: prefix)
            var remaining = byteCount
            while remaining > 0 {
                let filled = try fill(chunk, from: descriptor, count: min(chunkBytes, remaining), shown: shown)
                at = encodeBase64(UnsafeRawBufferPointer(rebasing: chunk[0..<filled]), into: out, at: at)
                remaining -= filled
            }
            return at
        }
    }

    /// The length of the base64 text for `count` bytes, padding included.
    public static func base64Length(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    /// What `--dry-run` shows for a local file instead of its megabytes: `data:image/png;base64,…(cat.png, 1.2 MB)`.
    public static func placeholder(format: MediaFormat, name: String, byteCount: Int) -> String {
        "data:\(format.mime);base64,…(\(TerminalText.line(name)), \(MediaInspector.megabytes(byteCount)))"
    }

    /// A data URL the user gave, checked without decoding it all: a known MIME type of the role's kind, `;base64`,
    /// a payload in the base64 alphabet whose first bytes are of that type. Returns the format and decoded size.
    /// Throws 64 for a malformed URL, 65 when its first bytes are not what the MIME type says.
    /// The pixel size of a data URL's image, read from the header in its first 256 KB (nil for other media, or when
    /// the header cannot be read there).
    public static func dimensions(_ value: String, format: MediaFormat) -> ImageSize? {
        guard format.kind == .image, let comma = value.utf8.firstIndex(of: UInt8(ascii: ",")) else { return nil }
        let payload = value.utf8[value.utf8.index(after: comma)...]
        let head = decode(payload.prefix(256 * 1024 / 3 * 4))
        return ImageHeader.dimensions(of: format, in: head)
    }

    public static func check(_ value: String, role: MediaRole) throws -> (format: MediaFormat, byteCount: Int) {
        let shown = TerminalText.line(String(value.prefix(60))) + (value.count > 60 ? "…" : "")
        let form = "data:<mime>;base64,<base64 bytes>"
        guard let comma = value.firstIndex(of: ",") else {
            throw DashScopeError.usage("\(role.option) \(shown) is not a data URL (no comma)", hint: "write it as \(form)")
        }
        let header = value[value.index(value.startIndex, offsetBy: 5)..<comma].split(separator: ";", omittingEmptySubsequences: false)
        guard header.count >= 2, header.last?.lowercased() == "base64" else {
            throw DashScopeError.usage("\(role.option) \(shown) is not base64-encoded", hint: "write it as \(form)")
        }
        let mime = String(header[0])
        let accepted = role.formats.map(\.mime)
        guard let format = MediaFormat.fromMIME(mime), format.kind == role.kind else {
            throw DashScopeError.usage("\(role.option) takes data URLs of type \(MediaInspector.list(accepted)), not \(TerminalText.line(mime.isEmpty ? "(none)" : mime))",
                                       hint: "write it as data:\(accepted[0]);base64,...")
        }
        let payload = value.utf8[value.utf8.index(after: comma)...]
        let padding = payload.reversed().prefix(while: { $0 == UInt8(ascii: "=") }).count
        guard !payload.isEmpty, payload.count % 4 == 0, padding <= 2,
              payload.dropLast(padding).allSatisfy({ base64Values[Int($0)] != invalid }) else {
            throw DashScopeError.usage("\(role.option) \(shown) does not hold valid base64 (empty, a wrong length, or stray characters)",
                                       hint: "encode the file with `base64 -w0 FILE`, without line breaks")
        }
        let head = decode(payload.prefix(88))
        guard MediaSniffer.format(of: head) == format else {
            let actually = MediaSniffer.format(of: head).map { "its bytes are \($0.label)" } ?? MediaSniffer.describe(head)
            throw DashScopeError("\(role.option) \(shown) says \(TerminalText.line(mime)) but \(actually)",
                                 hint: "give the MIME type of the encoded file", exit: .badInput)
        }
        return (format, payload.count / 4 * 3 - padding)
    }

    // MARK: Base64

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let invalid: UInt8 = 0xFF
    private static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        for (value, symbol) in alphabet.enumerated() { table[Int(symbol)] = UInt8(value) }
        return table
    }()

    /// Writes the base64 of `bytes` into `out` from `at`; returns where it stopped. Padding only after a final partial group.
    private static func encodeBase64(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        var at = start
        var index = 0
        while index + 3 <= bytes.count {
            let word = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out[at] = alphabet[Int(word >> 18)]
            out[at + 1] = alphabet[Int(word >> 12 & 0x3F)]
            out[at + 2] = alphabet[Int(word >> 6 & 0x3F)]
            out[at + 3] = alphabet[Int(word & 0x3F)]
            at += 4
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            let word = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            out[at] = alphabet[Int(word >> 18)]
            out[at + 1] = alphabet[Int(word >> 12 & 0x3F)]
            out[at + 2] = rest == 2 ? alphabet[Int(word >> 6 & 0x3F)] : UInt8(ascii: "=")
            out[at + 3] = UInt8(ascii: "=")
            at += 4
        }
        return at
    }

    /// Decodes checked base64 text (whole groups, padding allowed at the end).
    private static func decode(_ text: Substring.UTF8View.SubSequence) -> [UInt8] {
        var out: [UInt8] = []
        var bits: UInt32 = 0
        var count = 0
        for symbol in text where symbol != UInt8(ascii: "=") {
            bits = bits << 6 | UInt32(base64Values[Int(symbol)])
            count += 6
            if count >= 8 {
                count -= 8
                out.append(UInt8(truncatingIfNeeded: bits >> UInt32(count)))
            }
        }
        return out
    }

    // MARK: Reading

    /// Reads exactly `count` bytes into `buffer`; a file that ends early changed since it was checked.
    private static func fill(_ buffer: UnsafeMutableRawBufferPointer, from descriptor: Int32, count: Int, shown: String) throws -> Int {
        var filled = 0
        while filled < count {
            let got = read(descriptor, buffer.baseAddress! + filled, count - filled)
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else { throw readError(shown, errno) }
            guard got > 0 else {
                throw DashScopeError("\(shown) got shorter while it was read", hint: "wait until the file is written completely, then try again",
                                     exit: .noInput)
            }
            filled += got
        }
        return filled
    }

    private static func readError(_ shown: String, _ code: Int32) -> DashScopeError {
        DashScopeError("cannot read \(shown): \(String(cString: strerror(code)))", exit: .noInput)
    }
}
