import Foundation
import XCTest
@testable import DashScopeKit

/// How long a WAV, MP4 or MOV plays, read from its header; nil where the header cannot say (MP3, damage).
final class MediaDurationTests: XCTestCase {
    /// A WAV of `seconds` of 16 kHz 16-bit mono silence, with `extra` chunks before `data` and its size as given.
    private func wav(seconds: Double, extra: [UInt8] = [], dataSize: UInt32? = nil) -> [UInt8] {
        let pcm = Int(seconds * 32000)
        var bytes = Array(WAVFile.header(PCMFormat(sampleRate: 16000, channels: 1, bitsPerSample: 16), dataBytes: pcm))
        let data = bytes.count - 8
        if let dataSize { withUnsafeBytes(of: dataSize.littleEndian) { bytes.replaceSubrange((data + 4)..<(data + 8), with: $0) } }
        bytes.insert(contentsOf: extra, at: data)
        return bytes + [UInt8](repeating: 0, count: pcm)
    }

    /// A box of `type` holding `content`.
    private func box(_ type: String, _ content: [UInt8]) -> [UInt8] {
        withUnsafeBytes(of: UInt32(8 + content.count).bigEndian, Array.init) + Array(type.utf8) + content
    }

    /// An `mvhd` of version 0 or 1 with `scale` units a second and `duration` units.
    private func mvhd(version: UInt8, scale: UInt32, duration: UInt64) -> [UInt8] {
        var content: [UInt8] = [version, 0, 0, 0] + [UInt8](repeating: 0, count: version == 1 ? 16 : 8)
        content += withUnsafeBytes(of: scale.bigEndian, Array.init)
        content += version == 1 ? withUnsafeBytes(of: duration.bigEndian, Array.init) : withUnsafeBytes(of: UInt32(duration).bigEndian, Array.init)
        return box("mvhd", content + [UInt8](repeating: 0, count: 80))
    }

    private func seconds(_ format: MediaFormat, _ bytes: [UInt8]) -> Double? {
        MediaDuration.seconds(of: format, in: bytes, byteCount: bytes.count)
    }

    func testAWAVPlaysForItsDataOverItsByteRate() {
        XCTAssertEqual(seconds(.wav, wav(seconds: 2.5)), 2.5)
        XCTAssertEqual(seconds(.wav, wav(seconds: 1, extra: box("LIST", [1, 2, 3]).map { $0 } + [0])), nil,
                       "a chunk whose size runs past the end: unreadable, so left to the service")
        let list = Array("LIST".utf8) + [3, 0, 0, 0, 1, 2, 3, 0]
        XCTAssertEqual(seconds(.wav, wav(seconds: 1, extra: list)), 1, "other chunks (odd sizes padded) are stepped over")
        XCTAssertEqual(seconds(.wav, wav(seconds: 3, dataSize: 0)), 3, "a streamed WAV's size left 0 counts to the end")
        XCTAssertEqual(seconds(.wav, wav(seconds: 3, dataSize: .max)), 3, "a size past the end counts to the end")
        XCTAssertNil(seconds(.wav, Array(wav(seconds: 1).prefix(30))), "cut inside its header")
        XCTAssertNil(seconds(.mp3, [0xFF, 0xFB, 0x90, 0x00] + [UInt8](repeating: 0, count: 1000)), "an MP3 says no length")
    }

    func testAMovieReadsMvhdWhereverMoovLies() {
        let ftyp = box("ftyp", Array("isom\0\0\u{2}\0isomiso2".utf8))
        let first = ftyp + box("moov", mvhd(version: 0, scale: 1000, duration: 12_500)) + box("mdat", [UInt8](repeating: 7, count: 5000))
        XCTAssertEqual(seconds(.mp4, first), 12.5)
        let last = ftyp + box("mdat", [UInt8](repeating: 7, count: 5000)) + box("moov", box("trak", []) + mvhd(version: 1, scale: 600, duration: 600 * 31))
        XCTAssertEqual(seconds(.mov, last), 31)
        var large = ftyp + [0, 0, 0, 1] + Array("mdat".utf8) + withUnsafeBytes(of: UInt64(16 + 100).bigEndian, Array.init)
        large += [UInt8](repeating: 0, count: 100) + box("moov", mvhd(version: 0, scale: 1, duration: 2))
        XCTAssertEqual(seconds(.mp4, large), 2, "a 64-bit box size")
        XCTAssertNil(seconds(.mp4, ftyp + box("moov", mvhd(version: 0, scale: 0, duration: 5))), "no time scale")
        XCTAssertNil(seconds(.mp4, ftyp + box("moov", mvhd(version: 0, scale: 1000, duration: 0) + box("mvex", []))),
                     "a fragmented movie says 0: its length is in the fragments")
        XCTAssertNil(seconds(.mp4, ftyp + box("moov", mvhd(version: 2, scale: 1000, duration: 5000))), "an unknown version")
        let short = box("mvhd", [0, 0, 0, 0]) + box("trak", [UInt8](repeating: 0, count: 8) + [0, 0, 0, 1, 0, 0, 0, 100] + [UInt8](repeating: 0, count: 40))
        XCTAssertNil(seconds(.mp4, ftyp + box("moov", short)), "a short mvhd is not read on into the box after it")
        XCTAssertNil(seconds(.mp4, ftyp + box("moov", mvhd(version: 0, scale: 1000, duration: UInt64(UInt32.max)))), "an unknown duration")
        XCTAssertNil(seconds(.mp4, ftyp + [0, 0, 0, 3] + Array("junk".utf8)), "a box too small to be one")
        XCTAssertNil(seconds(.mp4, ftyp + box("mdat", [1, 2, 3])), "no moov")
        XCTAssertNil(seconds(.mp4, Array((ftyp + box("moov", mvhd(version: 0, scale: 1000, duration: 5000))).prefix(60))), "cut short")
    }
}
