import Foundation
import XCTest
@testable import DashScopeKit

/// The first bytes of small files of each format, written by hand (no image library).
enum Sample {
    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    static func le24(_ v: Int) -> [UInt8] { le16(v) + [UInt8(v >> 16 & 0xFF)] }
    static func le32(_ v: Int) -> [UInt8] { le16(v) + le16(v >> 16) }
    static func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    static func be32(_ v: Int) -> [UInt8] { be16(v >> 16) + be16(v) }
    static func ascii(_ s: String) -> [UInt8] { Array(s.utf8) }

    static func png(_ w: Int, _ h: Int) -> [UInt8] {
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be32(13) + ascii("IHDR") + be32(w) + be32(h) + [8, 2, 0, 0, 0, 0, 0, 0, 0]
    }

    static func gif(_ w: Int, _ h: Int) -> [UInt8] { ascii("GIF89a") + le16(w) + le16(h) + [0, 0, 0] }

    static func bmp(_ w: Int, _ h: Int) -> [UInt8] {
        ascii("BM") + le32(54) + [0, 0, 0, 0] + le32(54) + le32(40) + le32(w) + le32(h) + le16(1) + le16(24) + [UInt8](repeating: 0, count: 24)
    }

    static func bmpCore(_ w: Int, _ h: Int) -> [UInt8] {
        ascii("BM") + le32(26) + [0, 0, 0, 0] + le32(26) + le32(12) + le16(w) + le16(h) + le16(1) + le16(24)
    }

    /// A JPEG with an APP0 segment, `extra` bytes of APP1 (as EXIF would be), fill bytes, then SOF`n`.
    static func jpeg(_ w: Int, _ h: Int, extra: Int = 0, sof: UInt8 = 0xC0) -> [UInt8] {
        var bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + be16(16) + ascii("JFIF") + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
        if extra > 0 { bytes += [0xFF, 0xE1] + be16(extra + 2) + [UInt8](repeating: 0xFF, count: extra) }
        bytes += [0xFF, 0xFF]  // fill bytes before the next marker
        bytes += [0xFF, 0xC4] + be16(4) + [0, 0]  // a DHT segment, which is not a frame header
        bytes += [0xFF, sof] + be16(17) + [8] + be16(h) + be16(w) + [3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]
        return bytes + [0xFF, 0xD9]
    }

    static func webpLossy(_ w: Int, _ h: Int) -> [UInt8] {
        ascii("RIFF") + le32(30) + ascii("WEBP") + ascii("VP8 ") + le32(10) + [0x30, 0x01, 0x00, 0x9D, 0x01, 0x2A] + le16(w) + le16(h)
    }

    static func webpLossless(_ w: Int, _ h: Int) -> [UInt8] {
        ascii("RIFF") + le32(26) + ascii("WEBP") + ascii("VP8L") + le32(5) + [0x2F] + le32((w - 1) | (h - 1) << 14)
    }

    static func webpExtended(_ w: Int, _ h: Int) -> [UInt8] {
        ascii("RIFF") + le32(30) + ascii("WEBP") + ascii("VP8X") + le32(10) + [0, 0, 0, 0] + le24(w - 1) + le24(h - 1)
    }

    /// A TIFF whose first IFD holds a SHORT width and a LONG height, in either byte order.
    static func tiff(_ w: Int, _ h: Int, bigEndian: Bool = false) -> [UInt8] {
        let u16 = bigEndian ? be16 : le16
        let u32 = bigEndian ? be32 : le32
        let magic: [UInt8] = bigEndian ? [0x4D, 0x4D, 0x00, 0x2A] : [0x49, 0x49, 0x2A, 0x00]
        let short = bigEndian ? be16(w) + [0, 0] : le16(w) + [0, 0]
        return magic + u32(8) + u16(3)
            + u16(254) + u16(4) + u32(1) + u32(0)
            + u16(256) + u16(3) + u32(1) + short
            + u16(257) + u16(4) + u32(1) + u32(h) + u32(0)
    }

    static let mp4 = [0, 0, 0, 0x18] + ascii("ftypisom") + [0, 0, 2, 0] + ascii("isomiso2mp41")
    static let mov = [0, 0, 0, 0x14] + ascii("ftypqt  ") + [0, 0, 2, 0] + ascii("qt  ")
    static let wav = ascii("RIFF") + le32(36) + ascii("WAVEfmt ") + le32(16) + [1, 0, 1, 0] + le32(8000) + le32(16000) + [2, 0, 16, 0]
    static let mp3ID3 = ascii("ID3") + [3, 0, 0, 0, 0, 0, 0]
    static let mp3Frame: [UInt8] = [0xFF, 0xFB, 0x90, 0x64, 0, 0, 0, 0]

    /// Writes `bytes` to `name` in `directory` and returns the path.
    @discardableResult
    static func write(_ bytes: [UInt8], _ name: String, in directory: String) throws -> String {
        let path = directory + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}

final class MediaHeaderTests: XCTestCase {
    func testEachFormatIsRecognisedByItsMagicBytes() {
        let cases: [([UInt8], MediaFormat)] = [
            (Sample.png(1, 1), .png), (Sample.jpeg(1, 1), .jpeg), (Sample.gif(1, 1), .gif), (Sample.bmp(1, 1), .bmp),
            (Sample.bmpCore(1, 1), .bmp), (Sample.webpLossy(1, 1), .webp), (Sample.tiff(1, 1), .tiff),
            (Sample.tiff(1, 1, bigEndian: true), .tiff), (Sample.mp4, .mp4), (Sample.mov, .mov), (Sample.wav, .wav),
            (Sample.mp3ID3, .mp3), (Sample.mp3Frame, .mp3),
        ]
        for (bytes, format) in cases {
            XCTAssertEqual(MediaSniffer.format(of: Array(bytes.prefix(MediaSniffer.headLength))), format, "\(format)")
        }
    }

    func testTextAndOtherBytesAreNotMedia() {
        let text = Sample.ascii("hello, this is not a picture\n")
        XCTAssertNil(MediaSniffer.format(of: text))
        XCTAssertEqual(MediaSniffer.describe(text), "it starts like text")
        XCTAssertEqual(MediaSniffer.describe([]), "it is empty")
        XCTAssertEqual(MediaSniffer.describe(Sample.ascii("%PDF-1.7\n")), "it starts like a PDF")
        XCTAssertEqual(MediaSniffer.describe([0x50, 0x4B, 0x03, 0x04, 0]), "it starts like a ZIP archive")
        XCTAssertEqual(MediaSniffer.describe([0x00, 0x01, 0xAB, 0xFF, 9]), "it starts with the bytes 0x00 0x01 0xAB 0xFF")
        XCTAssertNil(MediaSniffer.format(of: Sample.ascii("BM") + [0, 0]), "BM followed by no known header is not a BMP")
        let heic = [0, 0, 0, 0x18] + Sample.ascii("ftypheic") + [0, 0, 0, 0] + Sample.ascii("mif1heic")
        XCTAssertNil(MediaSniffer.format(of: heic), "a HEIC photo is not an MP4 video")
        XCTAssertEqual(MediaSniffer.describe(heic), "it is a HEIF/AVIF image, which the service does not take")
        XCTAssertNil(MediaSniffer.format(of: [0xFF, 0xE1, 0, 0]), "a reserved MPEG version and layer is not an MP3 frame")
    }

    func testDimensionsOfEachImageFormat() {
        let cases: [([UInt8], MediaFormat, ImageSize)] = [
            (Sample.png(1024, 768), .png, ImageSize(1024, 768)),
            (Sample.gif(500, 400), .gif, ImageSize(500, 400)),
            (Sample.bmp(640, 480), .bmp, ImageSize(640, 480)),
            (Sample.bmp(640, -480), .bmp, ImageSize(640, 480)),
            (Sample.bmpCore(300, 200), .bmp, ImageSize(300, 200)),
            (Sample.jpeg(4000, 3000), .jpeg, ImageSize(4000, 3000)),
            (Sample.jpeg(1200, 800, sof: 0xC2), .jpeg, ImageSize(1200, 800)),
            (Sample.jpeg(800, 600, extra: 65_000), .jpeg, ImageSize(800, 600)),
            (Sample.webpLossy(1024, 1024), .webp, ImageSize(1024, 1024)),
            (Sample.webpLossless(16_384, 2), .webp, ImageSize(16_384, 2)),
            (Sample.webpExtended(5000, 384), .webp, ImageSize(5000, 384)),
            (Sample.tiff(1500, 70_000), .tiff, ImageSize(1500, 70_000)),
            (Sample.tiff(1500, 900, bigEndian: true), .tiff, ImageSize(1500, 900)),
        ]
        for (bytes, format, size) in cases {
            XCTAssertEqual(ImageHeader.dimensions(of: format, in: bytes), size, "\(format) \(size)")
        }
    }

    func testHostileHeadersGiveNoSizeAndNeverHang() {
        // Truncated at every length: never a crash, and no size until the header is whole.
        for full in [Sample.png(10, 10), Sample.gif(10, 10), Sample.bmp(10, 10), Sample.jpeg(10, 10), Sample.webpLossy(10, 10),
                     Sample.webpExtended(10, 10), Sample.tiff(10, 10)] {
            let format = MediaSniffer.format(of: full)!
            for length in 0..<min(full.count, 30) {
                _ = ImageHeader.dimensions(of: format, in: Array(full.prefix(length)))
            }
        }
        XCTAssertNil(ImageHeader.dimensions(of: .png, in: Array(Sample.png(10, 10).prefix(23))))
        XCTAssertNil(ImageHeader.dimensions(of: .png, in: Sample.png(0, 10)), "zero width")
        XCTAssertNil(ImageHeader.dimensions(of: .bmp, in: Sample.bmp(-5, 10)), "negative width")
        XCTAssertEqual(ImageHeader.dimensions(of: .png, in: Sample.png(0xFFFF_FFFF, 1)), ImageSize(4_294_967_295, 1), "huge is measured, not trusted")
        // A JPEG segment of length 0 or 1 would not move forward: refused instead of looping.
        XCTAssertNil(ImageHeader.dimensions(of: .jpeg, in: [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x00, 0xFF, 0xE0]))
        XCTAssertNil(ImageHeader.dimensions(of: .jpeg, in: [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01]))
        // Start of scan before any frame header, and a file of nothing but fill bytes.
        XCTAssertNil(ImageHeader.dimensions(of: .jpeg, in: [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02]))
        XCTAssertNil(ImageHeader.dimensions(of: .jpeg, in: [0xFF, 0xD8] + [UInt8](repeating: 0xFF, count: 300_000)))
        // A TIFF whose IFD points past the end, or claims 65535 entries.
        XCTAssertNil(ImageHeader.dimensions(of: .tiff, in: [0x49, 0x49, 0x2A, 0x00] + Sample.le32(0x7FFF_FFFF)))
        XCTAssertNil(ImageHeader.dimensions(of: .tiff, in: [0x49, 0x49, 0x2A, 0x00] + Sample.le32(8) + Sample.le16(0xFFFF)))
        XCTAssertNil(ImageHeader.dimensions(of: .webp, in: Sample.ascii("RIFF") + Sample.le32(30) + Sample.ascii("WEBPVP8Q") + [UInt8](repeating: 0, count: 20)))
    }

    func testHeadersAreReadFromAFileWithoutLoadingIt() throws {
        let directory = try temporaryDirectory(self)
        let path = try Sample.write(Sample.jpeg(2048, 1536, extra: 60_000), "big-exif.jpg", in: directory)
        let descriptor = open(path, O_RDONLY)
        defer { close(descriptor) }
        XCTAssertEqual(ImageHeader.dimensions(of: .jpeg, in: FileBytes(descriptor: descriptor)), ImageSize(2048, 1536))
        XCTAssertEqual(FileBytes(descriptor: descriptor).bytes(at: 1 << 40, count: 10), [])
    }
}
