#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random access to a file's bytes, so a header can be read without loading the file.
public protocol ByteSource {
    /// Up to `count` bytes from `offset`; fewer (or none) past the end or on a read error.
    func bytes(at offset: Int, count: Int) -> [UInt8]
}

extension Array: ByteSource where Element == UInt8 {
    /// A slice of the array, clamped to its end.
    public func bytes(at offset: Int, count: Int) -> [UInt8] {
        guard offset >= 0, count > 0, offset < self.count else { return [] }
        return Array(self[offset..<Swift.min(self.count, offset + Swift.min(count, self.count - offset))])
    }
}

/// An open file read with `pread`, so reads at any offset never move a shared position.
public struct FileBytes: ByteSource {
    /// The open descriptor (owned by the caller).
    public var descriptor: Int32

    /// Wraps an open descriptor.
    public init(descriptor: Int32) { self.descriptor = descriptor }

    /// Up to `count` bytes from `offset` (at most 1 MB per call: a header never needs more).
    public func bytes(at offset: Int, count: Int) -> [UInt8] {
        guard offset >= 0, count > 0 else { return [] }
        let wanted = Swift.min(count, 1 << 20)
        var buffer = [UInt8](repeating: 0, count: wanted)
        var filled = 0
        while filled < wanted {
            let got = buffer.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress! + filled, wanted - filled, off_t(offset + filled))
            }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            filled += got
        }
        return Array(buffer.prefix(filled))
    }
}

/// Reads an image's pixel size from its header (no image library): PNG, JPEG, BMP, WEBP, TIFF and GIF.
/// Hostile headers give nil, never a crash or an endless loop: every read is bounded and every walk moves forward.
public enum ImageHeader {
    /// The width and height the header declares, or nil when it is truncated, damaged or says zero.
    public static func dimensions(of format: MediaFormat, in source: some ByteSource) -> ImageSize? {
        let size: ImageSize?
        switch format {
        case .png: size = png(source)
        case .jpeg: size = jpeg(source)
        case .bmp: size = bmp(source)
        case .webp: size = webp(source)
        case .tiff: size = tiff(source)
        case .gif: size = gif(source)
        case .mp4, .mov, .wav, .mp3: size = nil
        }
        guard let size, size.width > 0, size.height > 0 else { return nil }
        return size
    }

    // MARK: Formats

    /// PNG: the IHDR chunk comes first, width and height big-endian at 16 and 20.
    private static func png(_ source: some ByteSource) -> ImageSize? {
        let head = source.bytes(at: 0, count: 24)
        guard head.count == 24, Array(head[12..<16]) == Array("IHDR".utf8) else { return nil }
        return ImageSize(Int(be32(head, 16)), Int(be32(head, 20)))
    }

    /// GIF: the logical screen, little-endian at 6 and 8.
    private static func gif(_ source: some ByteSource) -> ImageSize? {
        let head = source.bytes(at: 0, count: 10)
        guard head.count == 10 else { return nil }
        return ImageSize(Int(le16(head, 6)), Int(le16(head, 8)))
    }

    /// BMP: the DIB header at 14; the old core header has 16-bit sides, the others signed 32-bit (negative height: top-down).
    private static func bmp(_ source: some ByteSource) -> ImageSize? {
        let head = source.bytes(at: 0, count: 26)
        guard head.count >= 22 else { return nil }
        if le32(head, 14) == 12 { return ImageSize(Int(le16(head, 18)), Int(le16(head, 20))) }
        guard head.count == 26 else { return nil }
        let width = Int(Int32(bitPattern: le32(head, 18)))
        let height = Int(Int32(bitPattern: le32(head, 22)))
        return ImageSize(width, abs(height))
    }

    /// WEBP: the first chunk after `RIFF....WEBP` is `VP8 ` (lossy), `VP8L` (lossless) or `VP8X` (extended).
    private static func webp(_ source: some ByteSource) -> ImageSize? {
        let head = source.bytes(at: 0, count: 30)
        guard head.count >= 25 else { return nil }
        switch String(decoding: head[12..<16], as: UTF8.self) {
        case "VP8 ":
            // A 3-byte frame tag, the start code 9D 01 2A, then 14-bit width and height.
            guard head.count >= 30, Array(head[23..<26]) == [0x9D, 0x01, 0x2A] else { return nil }
            return ImageSize(Int(le16(head, 26) & 0x3FFF), Int(le16(head, 28) & 0x3FFF))
        case "VP8L":
            // The signature 0x2F, then width-1 and height-1 in 14 bits each.
            guard head[20] == 0x2F else { return nil }
            let bits = le32(head, 21)
            return ImageSize(Int(bits & 0x3FFF) + 1, Int((bits >> 14) & 0x3FFF) + 1)
        case "VP8X":
            // Flags and reserved bytes, then canvas width-1 and height-1 in 24 bits each.
            guard head.count >= 30 else { return nil }
            return ImageSize(Int(le24(head, 24)) + 1, Int(le24(head, 27)) + 1)
        default:
            return nil
        }
    }

    /// JPEG: walks the marker segments to the first start-of-frame (SOF0–SOF15 except DHT, JPG and DAC).
    private static func jpeg(_ source: some ByteSource) -> ImageSize? {
        var offset = 2
        // Every step moves forward by at least two bytes; the step count bounds a file of runs of fill bytes too.
        for _ in 0..<100_000 {
            let marker = source.bytes(at: offset, count: 2)
            guard marker.count == 2, marker[0] == 0xFF else { return nil }
            let code = marker[1]
            switch code {
            case 0xFF:
                offset += 1  // a fill byte before the marker
                continue
            case 0x01, 0xD0...0xD7:
                offset += 2  // markers without a length
                continue
            case 0xD9, 0xDA:
                return nil  // end of image or start of scan before any frame header
            default:
                break
            }
            let segment = source.bytes(at: offset + 2, count: 7)
            guard segment.count >= 2 else { return nil }
            let length = Int(be16(segment, 0))
            guard length >= 2 else { return nil }
            if (0xC0...0xCF).contains(code), ![0xC4, 0xC8, 0xCC].contains(code) {
                guard segment.count == 7 else { return nil }
                return ImageSize(Int(be16(segment, 5)), Int(be16(segment, 3)))
            }
            offset += 2 + length
        }
        return nil
    }

    /// TIFF: the first IFD's ImageWidth (256) and ImageLength (257) tags, SHORT or LONG, in either byte order.
    private static func tiff(_ source: some ByteSource) -> ImageSize? {
        let head = source.bytes(at: 0, count: 8)
        guard head.count == 8 else { return nil }
        let little = head[0] == 0x49
        let u16 = { (bytes: [UInt8], at: Int) in little ? le16(bytes, at) : be16(bytes, at) }
        let u32 = { (bytes: [UInt8], at: Int) in little ? le32(bytes, at) : be32(bytes, at) }
        let ifd = Int(u32(head, 4))
        let countBytes = source.bytes(at: ifd, count: 2)
        guard countBytes.count == 2 else { return nil }
        // 12 bytes per entry; a hostile count is capped by what one read returns.
        let count = min(Int(u16(countBytes, 0)), 4096)
        let entries = source.bytes(at: ifd + 2, count: count * 12)
        var width: Int?
        var height: Int?
        for index in 0..<(entries.count / 12) {
            let at = index * 12
            let tag = u16(entries, at)
            guard tag == 256 || tag == 257 else { continue }
            let value: Int
            switch u16(entries, at + 2) {
            case 3: value = Int(u16(entries, at + 8))  // SHORT, left-justified in the value field
            case 4: value = Int(u32(entries, at + 8))  // LONG
            default: return nil
            }
            if tag == 256 { width = value } else { height = value }
        }
        guard let width, let height else { return nil }
        return ImageSize(width, height)
    }

    // MARK: Integers

    private static func le16(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(b.littleEndian(at: i, width: 2)) }
    private static func le24(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(b.littleEndian(at: i, width: 3)) }
    private static func le32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(b.littleEndian(at: i, width: 4)) }
    private static func be16(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(b.bigEndian(at: i, width: 2)) }
    private static func be32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(b.bigEndian(at: i, width: 4)) }
}
