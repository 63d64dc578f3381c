import Foundation
import XCTest
@testable import DashScopeKit

final class MediaInputTests: XCTestCase {
    private var directory = ""
    private let i2i = "wan2.5-i2i-preview"
    private var i2iLimits: InputLimits { Catalog.model(named: "wan2.5-i2i-preview")!.images! }

    override func setUpWithError() throws {
        directory = try temporaryDirectory(self)
    }

    private func prepare(_ values: [String], role: MediaRole = .image, limits: InputLimits?, model: String = "wan2.5-i2i-preview") throws -> [MediaInput] {
        try MediaInputs.prepare(values: values, role: role, limits: limits, model: model, cwd: directory, home: "/home/someone")
    }

    // MARK: Parsing

    func testValuesAreClassifiedByScheme() throws {
        let parse = { (value: String) in try MediaReference.parse(value, role: .image, cwd: "/work", home: "/home/me") }
        XCTAssertEqual(try parse("cat.png"), .path("/work/cat.png"))
        XCTAssertEqual(try parse("pics/cat.png"), .path("/work/pics/cat.png"))
        XCTAssertEqual(try parse("/abs/cat.png"), .path("/abs/cat.png"))
        XCTAssertEqual(try parse("~/cat.png"), .path("/home/me/cat.png"))
        XCTAssertEqual(try parse("~"), .path("/home/me"))
        XCTAssertEqual(try parse("odd:name.png"), .path("/work/odd:name.png"), "a colon without // is part of a file name")
        XCTAssertEqual(try parse("https://example.com/a.png?x=1"), .web("https://example.com/a.png?x=1"))
        XCTAssertEqual(try parse("HTTP://example.com/a.png"), .web("HTTP://example.com/a.png"))
        XCTAssertEqual(try parse("oss://dashscope-instant/abc/cat.png"), .oss("oss://dashscope-instant/abc/cat.png"))
        XCTAssertEqual(try parse("data:image/png;base64,AAAA"), .data("data:image/png;base64,AAAA"))
    }

    func testOtherSchemesAndBadURLsAreUsageErrorsNamingTheAcceptedForms() {
        for value in ["file:///tmp/cat.png", "ftp://host/cat.png", "s3://bucket/cat.png"] {
            let error = assertFails(.usage) { _ = try MediaReference.parse(value, role: .image, cwd: "/", home: "/") }
            XCTAssertEqual(error?.hint?.contains("http(s):// URL, an oss:// URL or a data:"), true, value)
        }
        XCTAssertEqual(assertFails(.usage) { _ = try MediaReference.parse("file:///x.png", role: .mask, cwd: "/", home: "/") }?
            .message, "--mask does not take file:// URLs (file:///x.png)")
        assertFails(.usage) { _ = try MediaReference.parse("https:///nohost", role: .image, cwd: "/", home: "/") }
        assertFails(.usage) { _ = try MediaReference.parse("https://a.com/x y.png", role: .image, cwd: "/", home: "/") }
        assertFails(.usage) { _ = try MediaReference.parse("oss://", role: .image, cwd: "/", home: "/") }
        assertFails(.usage) { _ = try MediaReference.parse("", role: .image, cwd: "/", home: "/") }
    }

    // MARK: Local files

    func testAGoodImageIsMeasured() throws {
        try Sample.write(Sample.png(1024, 768), "cat.png", in: directory)
        let inputs = try prepare(["cat.png"], limits: i2iLimits)
        XCTAssertEqual(inputs, [MediaInput(value: "cat.png", role: .image, source: .local(
            LocalMedia(path: directory + "/cat.png", format: .png, byteCount: 33, dimensions: ImageSize(1024, 768))))])
    }

    func testMissingFileAndDirectoryExit66NamingTheFile() throws {
        XCTAssertEqual(assertFails(.noInput) { _ = try prepare(["nope.png"], limits: i2iLimits) }?.message, "nope.png does not exist")
        try FileManager.default.createDirectory(atPath: directory + "/pics", withIntermediateDirectories: false)
        XCTAssertEqual(assertFails(.noInput) { _ = try prepare(["pics"], limits: i2iLimits) }?.message, "pics is a directory, not a file")
        XCTAssertEqual(mkfifo(directory + "/pipe.png", 0o600), 0)
        XCTAssertEqual(assertFails(.noInput) { _ = try prepare(["pipe.png"], limits: i2iLimits) }?.message, "pipe.png is not a regular file")
    }

    func testATextFileNamedPngExits65() throws {
        try Sample.write(Sample.ascii("just some notes\n"), "cat.png", in: directory)
        let error = assertFails(.badInput) { _ = try prepare(["cat.png"], limits: i2iLimits) }
        XCTAssertEqual(error?.message, "cat.png is not an image (it starts like text)")
        try Sample.write([], "empty.png", in: directory)
        XCTAssertEqual(assertFails(.badInput) { _ = try prepare(["empty.png"], limits: i2iLimits) }?.message, "empty.png is empty")
    }

    func testAVideoGivenAsAnImageAndADamagedHeaderExit65() throws {
        try Sample.write(Sample.mp4, "clip.png", in: directory)
        XCTAssertEqual(assertFails(.badInput) { _ = try prepare(["clip.png"], limits: nil) }?.message,
                       "clip.png is a video (MP4), not an image")
        try Sample.write(Array(Sample.png(10, 10).prefix(20)), "cut.png", in: directory)
        XCTAssertEqual(assertFails(.badInput) { _ = try prepare(["cut.png"], limits: nil) }?.message,
                       "cut.png looks like a PNG image but its header holds no usable size")
    }

    func testSidesOutsideTheModelsRangeExit65WithTheMeasuredSizeAndRange() throws {
        try Sample.write(Sample.png(200, 300), "cat.png", in: directory)
        XCTAssertEqual(assertFails(.badInput) { _ = try prepare(["cat.png"], limits: i2iLimits) }?.message,
                       "cat.png is 200x300 px; wan2.5-i2i-preview takes sides of 384 to 5000 px")
        try Sample.write(Sample.jpeg(3200, 2000), "big.jpg", in: directory)
        let edit = Catalog.model(named: "qwen-image-edit")!.images!
        XCTAssertEqual(assertFails(.badInput) { _ = try prepare(["big.jpg"], limits: edit, model: "qwen-image-edit") }?.message,
                       "big.jpg is 3200x2000 px; qwen-image-edit takes sides of 384 to 3072 px")
        try Sample.write(Sample.webpExtended(5000, 384), "edge.webp", in: directory)
        XCTAssertNoThrow(try prepare(["edge.webp"], limits: i2iLimits), "both ends of the range are allowed")
    }

    func testA12MBImageExits65() throws {
        let path = try Sample.write(Sample.png(1000, 1000), "huge.png", in: directory)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 12 * 1024 * 1024)
        try handle.close()
        let error = assertFails(.badInput) { _ = try prepare(["huge.png"], limits: i2iLimits) }
        XCTAssertEqual(error?.message, "huge.png is 12 MB; wan2.5-i2i-preview takes files of at most 10 MB")
    }

    func testAFormatTheModelDoesNotTakeExits65() throws {
        try Sample.write(Sample.gif(500, 500), "anim.gif", in: directory)
        XCTAssertEqual(assertFails(.badInput) { _ = try prepare(["anim.gif"], limits: i2iLimits) }?.message,
                       "anim.gif is a GIF image; wan2.5-i2i-preview takes JPEG, PNG, BMP or WEBP")
        let qwen = Catalog.model(named: "qwen-image-edit-plus")!.images!
        XCTAssertNoThrow(try prepare(["anim.gif"], limits: qwen, model: "qwen-image-edit-plus"))
    }

    func testCountOutsideTheRangeExits64WithTheRange() throws {
        for name in ["a", "b", "c", "d"] { try Sample.write(Sample.png(500, 500), "\(name).png", in: directory) }
        let error = assertFails(.usage) { _ = try prepare(["a.png", "b.png", "c.png", "d.png"], limits: i2iLimits) }
        XCTAssertEqual(error?.message, "wan2.5-i2i-preview takes 1 to 3 images (-i/--image); 4 were given")
        XCTAssertEqual(assertFails(.usage) { _ = try prepare([], limits: i2iLimits) }?.message,
                       "wan2.5-i2i-preview takes 1 to 3 images (-i/--image); none was given")
        XCTAssertEqual(try prepare(["a.png", "b.png", "c.png"], limits: i2iLimits).count, 3)
    }

    func testAMaskOfAnotherSizeExits65NamingBothSizes() throws {
        try Sample.write(Sample.png(1024, 768), "base.png", in: directory)
        try Sample.write(Sample.png(512, 512), "mask.png", in: directory)
        try Sample.write(Sample.bmp(1024, 768), "good-mask.bmp", in: directory)
        let limits = Catalog.model(named: "wanx2.1-imageedit")!.images!
        let base = try prepare(["base.png"], limits: limits, model: "wanx2.1-imageedit")[0]
        let mask = try prepare(["mask.png"], role: .mask, limits: limits, model: "wanx2.1-imageedit")[0]
        let error = assertFails(.badInput) { try MediaInspector.checkMask(mask, base: base) }
        XCTAssertEqual(error?.message, "the mask mask.png is 512x512 px but the image base.png is 1024x768 px")
        let good = try prepare(["good-mask.bmp"], role: .mask, limits: limits, model: "wanx2.1-imageedit")[0]
        XCTAssertNoThrow(try MediaInspector.checkMask(good, base: base))
        let remote = try prepare(["https://example.com/m.png"], role: .mask, limits: limits, model: "wanx2.1-imageedit")[0]
        XCTAssertNoThrow(try MediaInspector.checkMask(remote, base: base), "a remote mask cannot be measured here")
    }

    func testFileNamesAreEscapedInMessages() throws {
        let error = assertFails(.noInput) { _ = try prepare(["evil\u{1B}]0;x\u{07}.png"], limits: i2iLimits) }
        XCTAssertEqual(error?.message, "evil\\x1B]0;x\\x07.png does not exist")
    }

    func testVideosAndAudioAreSniffedForTheirRole() throws {
        try Sample.write(Sample.mov, "clip.mov", in: directory)
        try Sample.write(Sample.mp3Frame, "song.mp3", in: directory)
        let videos = Catalog.model(named: "wan2.6-r2v")!.videos!
        XCTAssertEqual(try prepare(["clip.mov"], role: .video, limits: videos, model: "wan2.6-r2v").first?.source,
                       .local(LocalMedia(path: directory + "/clip.mov", format: .mov, byteCount: Sample.mov.count, dimensions: nil)))
        XCTAssertNoThrow(try prepare(["song.mp3"], role: .audio, limits: nil))
        XCTAssertEqual(assertFails(.badInput) { _ = try prepare(["song.mp3"], role: .video, limits: nil) }?.message,
                       "song.mp3 is an audio file (MP3), not a video")
    }

    // MARK: Data URLs given by the user

    func testAGivenDataURLIsCheckedForTypeBase64AndItsFirstBytes() throws {
        let png = "data:image/png;base64," + Data(Sample.png(600, 600)).base64EncodedString()
        XCTAssertEqual(try prepare([png], limits: i2iLimits).first?.source, .data(png, format: .png))
        assertFails(.usage) { _ = try prepare(["data:image/png,abc"], limits: i2iLimits) }
        assertFails(.usage) { _ = try prepare(["data:text/plain;base64,aGVsbG8="], limits: i2iLimits) }
        assertFails(.usage) { _ = try prepare(["data:image/png;base64,"], limits: i2iLimits) }
        assertFails(.usage) { _ = try prepare(["data:image/png;base64,iVBO R="], limits: i2iLimits) }
        let lying = "data:image/png;base64," + Data(Sample.jpeg(600, 600)).base64EncodedString()
        XCTAssertEqual(assertFails(.badInput) { _ = try prepare([lying], limits: i2iLimits) }?.message.hasSuffix("says image/png but its bytes are JPEG"), true)
        let gif = "data:image/gif;base64," + Data(Sample.gif(600, 600)).base64EncodedString()
        assertFails(.badInput) { _ = try prepare([gif], limits: i2iLimits) }
    }

    func testRemoteValuesPassThroughUnchecked() throws {
        let inputs = try prepare(["https://example.com/cat.png", "oss://bucket/dir/cat.png"], limits: i2iLimits)
        XCTAssertEqual(inputs.map(\.source), [.web("https://example.com/cat.png"), .oss("oss://bucket/dir/cat.png")])
    }
}
