import Foundation
import XCTest
import DashScopeMock

/// `t2v`, `i2v` and `r2v` against the mock's video routes: every model makes an MP4 (a valid `ftyp` box) saved under its
/// final name, with the right path, headers and body; local videos and audio are uploaded, images inlined; `--no-wait`
/// then `task wait` downloads the MP4 later.
final class VideoRunTests: EndToEndCase {
    private var policies: [RecordedRequest] { mock.requests.filter { $0.path == "/api/v1/uploads" } }
    private var uploads: [RecordedRequest] { mock.requests.filter { $0.path.hasPrefix("/oss") } }

    /// Runs a video command to the end and returns the one saved path, checked to be an MP4.
    @discardableResult
    private func makes(_ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try run(args, file: file, line: line)
        assertExit(result, 0, file: file, line: line)
        XCTAssertEqual(result.lines.count, 1, result.stdout, file: file, line: line)
        let path = result.lines.first ?? ""
        assertMP4(path, file: file, line: line)
        assertNoPartFiles(file: file, line: line)
        return path
    }

    private func sent(file: StaticString = #filePath, line: UInt = #line) throws -> (RecordedRequest, input: [String: Any], parameters: [String: Any]) {
        XCTAssertEqual(creates.count, 1, "one create per job", file: file, line: line)
        let create = try XCTUnwrap(creates.first, file: file, line: line)
        XCTAssertEqual(create.headers["x-dashscope-async"], "enable", "every video create is async", file: file, line: line)
        let json = create.json ?? [:]
        return (create, json.object("input"), json.object("parameters"))
    }

    func testEveryTextToVideoModelMakesAnMP4() throws {
        for (model, size) in [("wan2.6-t2v", "1920*1080"), ("wan2.5-t2v-preview", "1920*1080"), ("wan2.2-t2v-plus", "1920*1080"),
                              ("wanx2.1-t2v-turbo", "1280*720"), ("wanx2.1-t2v-plus", "1280*720")] {
            mock.clearRequests()
            let path = try makes(["t2v", "a kitten in a meadow", "-m", model, "-o", "clips/"])
            XCTAssertTrue(path.hasPrefix("clips/") && path.hasSuffix(".mp4"), path)
            let (create, input, parameters) = try sent()
            XCTAssertEqual(create.path, "/api/v1/services/aigc/video-generation/video-synthesis", model)
            XCTAssertEqual(create.json?.string("model"), model)
            XCTAssertEqual(input.string("prompt"), "a kitten in a meadow")
            XCTAssertEqual(parameters.string("size"), size, model)
            XCTAssertEqual(parameters.int("duration"), 5, model)
            XCTAssertNil(create.headers["x-dashscope-ossresourceresolve"], model)
            XCTAssertEqual(downloads.count, 1, model)
        }
    }

    func testTextToVideoUploadsALocalSoundTrack() throws {
        try writeWAV("beat.wav")
        try makes(["t2v", "a drummer", "-m", "wan2.5-t2v-preview", "--audio", "beat.wav", "--resolution", "480P", "--ratio", "1:1",
                   "--duration", "10"])
        let (create, input, parameters) = try sent()
        XCTAssertEqual(policies.count, 1)
        XCTAssertEqual(policies.first?.query["model"], "wan2.5-t2v-preview", "the upload is bound to the model it serves")
        XCTAssertEqual(uploads.count, 1)
        XCTAssertTrue(input.string("audio_url")?.hasPrefix("oss://") ?? false, "\(input)")
        XCTAssertEqual(create.headers["x-dashscope-ossresourceresolve"], "enable")
        XCTAssertEqual(parameters.string("size"), "624*624")
        XCTAssertEqual(parameters.int("duration"), 10)
    }

    func testAFailingUploadStopsAtTheTimeoutNotAfterItsRetries() throws {
        try startMock(MockOptions(taskSeconds: 0, faults: [try Fault(spec: "oss-error@oss*50")]))
        try writeWAV("beat.wav")
        let started = Date()
        // 4 s leaves room for the first retry (1 s ± 25%) even when the first upload fails late on a slow machine.
        let result = try run(["t2v", "a drummer", "--audio", "beat.wav", "--timeout", "4"])
        assertExit(result, 69)
        XCTAssertTrue(result.stderr.contains("the upload of beat.wav to 127.0.0.1 failed (InternalError, HTTP 500)"), result.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 6, "no retry wait runs past the limit")
        XCTAssertGreaterThan(uploads.count, 1, "retried until the limit")
        XCTAssertTrue(mock.requests.filter { $0.path.hasSuffix("video-synthesis") }.isEmpty, "nothing created")
    }

    /// Ctrl-C while the inputs upload stops before the model call, and says that nothing was submitted.
    func testAnInterruptDuringTheUploadSaysNothingWasSubmitted() throws {
        try startMock(MockOptions(taskSeconds: 0, faults: [try Fault(spec: "429@oss:30")]))
        try writeWAV("beat.wav")
        let process = try spawn(["t2v", "a drummer", "--audio", "beat.wav"])
        waitUntil("the upload was answered 429") { uploads.count == 1 }
        process.send(SIGINT)
        let result = process.finish(timeout: 10)
        assertExit(result, 130)
        XCTAssertTrue(result.stderr.contains("interrupted before the request was sent"), result.stderr)
        XCTAssertTrue(result.stderr.contains("nothing was submitted (or billed)"), result.stderr)
        XCTAssertTrue(creates.isEmpty)
    }

    func testEveryFirstFrameModelMakesAnMP4FromAnInlineImage() throws {
        try writePNG("cat.png", 800, 600)
        for (model, resolution) in [("wan2.6-i2v", "1080P"), ("wan2.6-i2v-preview", "1080P"), ("wan2.5-i2v-preview", "1080P"),
                                    ("wan2.2-i2v-flash", "720P"), ("wan2.2-i2v-plus", "1080P"), ("wanx2.1-i2v-turbo", "720P"),
                                    ("wanx2.1-i2v-plus", "720P")] {
            mock.clearRequests()
            try makes(["i2v", "the cat blinks", "-i", "cat.png", "-m", model])
            let (create, input, parameters) = try sent()
            XCTAssertEqual(create.path, "/api/v1/services/aigc/video-generation/video-synthesis", model)
            XCTAssertEqual(create.json?.string("model"), model)
            XCTAssertTrue(input.string("img_url")?.hasPrefix("data:image/png;base64,") ?? false, model)
            XCTAssertEqual(parameters.string("resolution"), resolution, model)
            XCTAssertTrue(policies.isEmpty && uploads.isEmpty, "\(model): images go inline")
        }
    }

    func testFirstAndLastFrameModelsMakeAnMP4OnTheirOwnPath() throws {
        try writePNG("bud.png", 800, 600)
        try writePNG("bloom.png", 800, 600)
        for (extra, model) in [([String](), "wan2.2-kf2v-flash"), (["-m", "wanx2.1-kf2v-plus"], "wanx2.1-kf2v-plus")] {
            mock.clearRequests()
            try makes(["i2v", "the flower opens", "-i", "bud.png", "--last-frame", "bloom.png"] + extra)
            let (create, input, _) = try sent()
            XCTAssertEqual(create.path, "/api/v1/services/aigc/image2video/video-synthesis", model)
            XCTAssertEqual(create.json?.string("model"), model)
            XCTAssertTrue(input.string("first_frame_url")?.hasPrefix("data:image/png;base64,") ?? false)
            XCTAssertTrue(input.string("last_frame_url")?.hasPrefix("data:image/png;base64,") ?? false)
            XCTAssertNil(input["img_url"])
        }
    }

    func testReferenceVideosAreUploadedThenMakeAnMP4() throws {
        try writeMP4("me.mp4")
        try writeMP4("you.mov")
        try makes(["r2v", "character1 hands character2 a gift", "--video", "me.mp4", "--video", "you.mov", "--size", "1280*720"])
        let (create, input, parameters) = try sent()
        XCTAssertEqual(create.path, "/api/v1/services/aigc/video-generation/video-synthesis")
        XCTAssertEqual(policies.count, 1, "one policy serves every file of the call")
        XCTAssertEqual(uploads.count, 2)
        let references = input.array("reference_video_urls") as? [String] ?? []
        XCTAssertEqual(references.count, 2)
        XCTAssertTrue(references.allSatisfy { $0.hasPrefix("oss://") }, "\(references)")
        XCTAssertNotEqual(references.first, references.last)
        XCTAssertEqual(create.headers["x-dashscope-ossresourceresolve"], "enable")
        XCTAssertEqual(parameters.string("size"), "1280*720")
    }

    func testNoWaitThenTaskWaitDownloadsTheMP4() throws {
        try startMock(MockOptions(taskSeconds: 0.3))
        let submitted = try run(["t2v", "a cat", "--no-wait", "-o", "later/"])
        assertExit(submitted, 0)
        let id = try XCTUnwrap(submitted.lines.first)
        XCTAssertEqual(submitted.lines.count, 1, submitted.stdout)
        XCTAssertTrue(downloads.isEmpty && files(matching: ".mp4").isEmpty)
        let wait = try run(["task", "wait", id])
        assertExit(wait, 0)
        XCTAssertEqual(wait.lines.count, 1, wait.stdout)
        XCTAssertTrue(wait.lines.first?.hasPrefix("later/") ?? false, "the journal remembers -o: \(wait.stdout)")
        assertMP4(wait.lines.first ?? "")

        try writePNG("bud.png", 800, 600)
        let keyframes = try run(["i2v", "open", "-i", "bud.png", "--last-frame", "bud.png", "--no-wait"])
        assertExit(keyframes, 0)
        let newest = try run(["task", "wait", "--json"])
        assertExit(newest, 0)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(newest.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json.string("task_id"), keyframes.lines.first)
        XCTAssertEqual(json.string("model"), "wan2.2-kf2v-flash")
        let paths = json.array("paths") as? [String] ?? []
        XCTAssertEqual(paths.count, 1, newest.stdout)
        assertMP4(paths.first ?? "")
    }

    func testTheBuiltInMockMakesAVideoWithNothingConfigured() throws {
        let result = try run(["t2v", "a cat", "--mock", "--resolution", "720P"], removing: ["DASHSCOPE_API_KEY", "DASHSCOPE_BASE_URL"])
        assertExit(result, 0)
        XCTAssertEqual(result.lines.count, 1, result.stdout)
        assertMP4(result.lines.first ?? "")
        XCTAssertTrue(mock.requests.isEmpty, "--mock runs its own server")
    }
}

/// Media fixtures and checks of the video suites.
extension EndToEndCase {
    /// A PNG of `width` x `height` whose header is all the tool reads.
    func writePNG(_ name: String, _ width: Int, _ height: Int) throws {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]
        for value in [width, height] { bytes += [24, 16, 8, 0].map { UInt8((value >> $0) & 0xFF) } }
        bytes += [8, 2, 0, 0, 0, 0, 0, 0, 0] + [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
        try Data(bytes).write(to: url(name))
    }

    /// A file starting like an MP4 (`ftyp` box), `bytes` long (sparse beyond the header).
    func writeMP4(_ name: String, bytes: Int = 4096) throws {
        try sparse(name, head: [0, 0, 0, 0x18] + Array("ftypmp42".utf8) + [0, 0, 0, 0] + Array("mp42isom".utf8), bytes: bytes)
    }

    /// A file starting like a WAV, `bytes` long.
    func writeWAV(_ name: String, bytes: Int = 4096) throws {
        try sparse(name, head: Array("RIFF".utf8) + [0x24, 0, 0, 0] + Array("WAVEfmt ".utf8), bytes: bytes)
    }

    private func sparse(_ name: String, head: [UInt8], bytes: Int) throws {
        try Data(head).write(to: url(name))
        let handle = try FileHandle(forWritingTo: url(name))
        try handle.truncate(atOffset: UInt64(bytes))
        try handle.close()
    }

    /// Fails unless `path` exists, ends in `.mp4` and starts with an `ftyp` box.
    func assertMP4(_ path: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let data = FileManager.default.contents(atPath: url(path).path) else {
            return XCTFail("\(path) was not saved", file: file, line: line)
        }
        XCTAssertTrue(path.hasSuffix(".mp4"), path, file: file, line: line)
        XCTAssertEqual(String(decoding: data.dropFirst(4).prefix(4), as: UTF8.self), "ftyp", "\(path) is not an MP4", file: file, line: line)
    }
}
