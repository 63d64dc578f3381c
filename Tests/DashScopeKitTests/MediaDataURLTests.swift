import Foundation
import XCTest
@testable import DashScopeKit

final class MediaDataURLTests: XCTestCase {
    func testEncodingMatchesFoundationAtEveryChunkBoundary() throws {
        let directory = try temporaryDirectory(self)
        let chunk = DataURL.chunkBytes
        for count in [1, 2, 3, 4, 5, chunk - 1, chunk, chunk + 1, chunk + 2, 2 * chunk + 1] {
            var bytes = Sample.png(600, 400)
            while bytes.count < count { bytes.append(UInt8(truncatingIfNeeded: bytes.count &* 31 &+ 7)) }
            bytes = Array(bytes.prefix(count))
            let path = try Sample.write(bytes, "f\(count).png", in: directory)
            let url = try DataURL.encode(path: path, format: .png, shown: "f.png")
            XCTAssertEqual(url, "data:image/png;base64," + Data(bytes).base64EncodedString(), "\(count) bytes")
            XCTAssertEqual(url.utf8.count, "data:image/png;base64,".utf8.count + DataURL.base64Length(count))
        }
    }

    func testTheMimeTypeComesFromTheFormat() throws {
        let directory = try temporaryDirectory(self)
        let path = try Sample.write(Sample.jpeg(500, 500), "looks-like.png", in: directory)
        let media = try MediaInspector.inspect(path: path, shown: "looks-like.png", role: .image)
        XCTAssertTrue(try DataURL.encode(path: path, format: media.format, shown: "x").hasPrefix("data:image/jpeg;base64,/9j/"))
    }

    func testAFileThatVanishedBeforeEncodingExits66() {
        assertFails(.noInput) { _ = try DataURL.encode(path: "/nonexistent-dashscope/x.png", format: .png, shown: "x.png") }
    }

    func testAFileThatChangedSinceItWasCheckedExits66() throws {
        let directory = try temporaryDirectory(self)
        let path = try Sample.write(Sample.png(500, 500), "grow.png", in: directory)
        let error = assertFails(.noInput) { _ = try DataURL.encode(path: path, format: .png, shown: "grow.png", expectedBytes: 10) }
        XCTAssertEqual(error?.message, "grow.png changed while the command ran (10 bytes when checked, 33 now)")
    }

    func testDryRunShowsPlaceholdersAndReadsNothing() throws {
        let local = LocalMedia(path: "/nonexistent/cat.png", format: .png, byteCount: 1_258_291, dimensions: ImageSize(800, 600))
        let image = MediaInput(value: "cat.png", role: .image, source: .local(local))
        XCTAssertEqual(image.dryRunURL(upload: false), "data:image/png;base64,…(cat.png, 1.2 MB)")
        XCTAssertEqual(image.dryRunURL(upload: true), "oss://<upload of cat.png>")
        let video = MediaInput(value: "v.mp4", role: .video, source: .local(LocalMedia(path: "/x/v.mp4", format: .mp4, byteCount: 10, dimensions: nil)))
        XCTAssertEqual(video.dryRunURL(upload: false), "oss://<upload of v.mp4>", "videos are always uploaded")
        let long = "data:image/png;base64," + String(repeating: "A", count: 4000)
        let data = MediaInput(value: long, role: .image, source: .data(long, format: .png))
        XCTAssertEqual(data.dryRunURL(upload: false), "data:image/png;base64,…(3 KB)")
        let web = MediaInput(value: "https://e.com/a.png", role: .image, source: .web("https://e.com/a.png"))
        XCTAssertEqual(MediaInputs.dryRun([image, web], upload: false),
                       ResolvedMedia(urls: ["data:image/png;base64,…(cat.png, 1.2 MB)", "https://e.com/a.png"]))
        XCTAssertTrue(MediaInputs.dryRun([image, web], upload: true).needsOssResolve)
        XCTAssertFalse(MediaInputs.dryRun([image, web], upload: false).needsOssResolve)
    }

    func testMegabytesReadForPeople() {
        XCTAssertEqual(MediaInspector.megabytes(10 * 1024 * 1024), "10 MB")
        XCTAssertEqual(MediaInspector.megabytes(1_258_291), "1.2 MB")
        XCTAssertEqual(MediaInspector.megabytes(300), "1 KB")
        XCTAssertEqual(MediaInspector.megabytes(12 * 1024 * 1024 + 1), "12 MB")
        let limits = InputLimits(count: 1...1, maxBytes: 10 * 1024 * 1024, formats: [.png])
        XCTAssertEqual(assertFails(.badInput) { try MediaInspector.checkBytes(10 * 1024 * 1024 + 1, shown: "a.png", against: limits, model: "m") }?
            .message, "a.png is 10485761 bytes; m takes files of at most 10485760 bytes")
    }
}
