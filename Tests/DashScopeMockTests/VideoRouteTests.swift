import Foundation
import XCTest
@testable import DashScopeMock

/// The video routes of API.md section 3: every family accepted, every rule refused, the two paths kept apart,
/// the task result, and the MP4 it points at.
final class VideoRouteTests: MockTestCase {
    private static let png = "data:image/png;base64," + PNG.picture(id: "in", index: 0).base64EncodedString()

    override var options: MockOptions {
        var options = MockOptions(taskSeconds: 0)
        options.videoBytes = 300_000
        return options
    }

    private static func t2v(_ model: String = "wan2.6-t2v", _ parameters: [String: Any] = [:], input: [String: Any] = [:]) -> [String: Any] {
        ["model": model, "input": ["prompt": "a cat surfing"].merging(input) { $1 }, "parameters": parameters]
    }

    private static func i2v(_ model: String = "wan2.6-i2v", _ parameters: [String: Any] = [:], input: [String: Any] = [:]) -> [String: Any] {
        ["model": model, "input": ["img_url": png].merging(input) { $1 }, "parameters": parameters]
    }

    private static func kf2v(_ model: String = "wan2.2-kf2v-flash", _ parameters: [String: Any] = [:], input: [String: Any] = [:]) -> [String: Any] {
        let frames: [String: Any] = ["prompt": "a flower opens", "first_frame_url": png, "last_frame_url": "https://x/last.png"]
        return ["model": model, "input": frames.merging(input) { $1 }, "parameters": parameters]
    }

    private static func r2v(_ urls: Any = ["https://x/a.mp4"], field: String = "reference_video_urls", _ parameters: [String: Any] = [:]) -> [String: Any] {
        ["model": "wan2.6-r2v", "input": ["prompt": "character1 dances", field: urls], "parameters": parameters]
    }

    private func create(_ route: VideoRoute, _ body: [String: Any], async: Bool = true) async throws -> Reply {
        let headers = async ? ["X-DashScope-Async": "enable"] : [:]
        return try await send("POST", route.path, headers: headers, body: try JSONSerialization.data(withJSONObject: body))
    }

    private func createTask(_ route: VideoRoute, _ body: [String: Any]) async throws -> String {
        let reply = try await create(route, body)
        XCTAssertEqual(reply.status, 200, reply.message)
        return try XCTUnwrap(reply.output["task_id"] as? String)
    }

    // MARK: - Accepted

    func testEveryModelFamilyIsAccepted() async throws {
        let accepted: [(VideoRoute, [String: Any])] = [
            (.synthesis, Self.t2v()),
            (.synthesis, Self.t2v("wan2.6-t2v", ["size": "1280*720", "duration": 15, "shot_type": "multi", "prompt_extend": true,
                                                 "watermark": false, "seed": 7], input: ["audio_url": "https://x/a.mp3", "negative_prompt": "rain"])),
            (.synthesis, Self.t2v("wan2.5-t2v-preview", ["size": "832*480", "duration": 10])),
            (.synthesis, Self.t2v("wan2.2-t2v-plus", ["size": "1920*1080", "duration": 5])),
            (.synthesis, Self.t2v("wanx2.1-t2v-turbo", ["size": "624*624"])),
            (.synthesis, Self.t2v("wanx2.1-t2v-plus", ["size": "832*1088", "shot_type_unknown_field": 1])),
            (.synthesis, Self.i2v()),
            (.synthesis, Self.i2v("wan2.6-i2v-preview", ["resolution": "720P", "duration": 10, "shot_type": "single"])),
            (.synthesis, Self.i2v("wan2.5-i2v-preview", ["resolution": "480P", "duration": 10], input: ["audio_url": "https://x/a.wav"])),
            (.synthesis, Self.i2v("wan2.2-i2v-flash", ["resolution": "1080P"], input: ["prompt": "it moves", "template": "flying"])),
            (.synthesis, Self.i2v("wan2.2-i2v-plus", ["resolution": "480P"])),
            (.synthesis, Self.i2v("wanx2.1-i2v-turbo", ["resolution": "720P", "duration": 3], input: ["img_url": "https://x/f.jpg"])),
            (.synthesis, Self.i2v("wanx2.1-i2v-plus", ["resolution": "720P"])),
            (.keyframes, Self.kf2v()),
            (.keyframes, Self.kf2v("wan2.2-kf2v-flash", ["resolution": "1080P", "duration": 5], input: ["last_frame_url": Self.png])),
            (.keyframes, ["model": "wanx2.1-kf2v-plus", "input": ["first_frame_url": "https://x/f.png"], "parameters": ["resolution": "720P"]]),
            (.synthesis, Self.r2v()),
            (.synthesis, Self.r2v(["https://x/a.mp4", "https://x/b.mov", "https://x/c.mp4"], ["size": "1080*1920", "duration": 10])),
            (.synthesis, Self.r2v(["https://x/a.mp4", "https://x/b.png"], field: "reference_urls")),
        ]
        for (index, (route, body)) in accepted.enumerated() {
            let reply = try await create(route, body)
            XCTAssertEqual(reply.status, 200, "#\(index) \(body["model"] ?? ""): \(reply.message)")
            XCTAssertEqual(reply.taskStatus, "PENDING", "#\(index)")
        }
    }

    // MARK: - Refused

    func testEveryRuleIsRefusedWithAClearMessage() async throws {
        let refused: [(VideoRoute, [String: Any], String)] = [
            (.synthesis, Self.t2v("wan2.6-t2v", ["size": "720P"]), "W*H"),
            (.synthesis, Self.t2v("wan2.6-t2v", ["size": "1280x720"]), "W*H"),
            (.synthesis, Self.t2v("wan2.6-t2v", ["size": "832*480"]), "1280*720"),
            (.synthesis, Self.t2v("wanx2.1-t2v-turbo", ["size": "1920*1080"]), "not a size"),
            (.synthesis, Self.t2v("wan2.6-t2v", ["duration": 20]), "parameters.duration"),
            (.synthesis, Self.t2v("wan2.2-t2v-plus", ["duration": 10]), "must be one of 5"),
            (.synthesis, Self.t2v("wan2.6-t2v", ["shot_type": "multi", "prompt_extend": false]), "prompt_extend"),
            (.synthesis, Self.t2v("wan2.6-t2v", ["shot_type": "many"]), "single or multi"),
            (.synthesis, Self.t2v("wan2.5-t2v-preview", ["shot_type": "single"]), "shot_type"),
            (.synthesis, Self.t2v("wan2.2-t2v-plus", input: ["audio_url": "https://x/a.mp3"]), "audio_url"),
            (.synthesis, Self.t2v("wan2.6-t2v", input: ["audio_url": "data:audio/wav;base64,AAAA"]), "data: URL"),
            (.synthesis, ["model": "wan2.6-t2v", "input": ["negative_prompt": "x"]], "input.prompt"),
            (.synthesis, Self.t2v("wan2.6-t2v", ["seed": -1]), "parameters.seed"),
            (.synthesis, Self.t2v("wan2.6-t2v", ["watermark": "yes"]), "parameters.watermark"),
            (.synthesis, Self.t2v("wan2.6-t2v", input: ["negative_prompt": 3]), "negative_prompt"),
            (.synthesis, ["model": "wan2.6-t2v", "input": ["prompt": "x"], "parameters": 3], "parameters"),
            (.synthesis, ["model": "wan2.6-i2v", "input": ["prompt": "x"]], "input.img_url"),
            (.synthesis, Self.i2v("wan2.6-i2v", input: ["img_url": "file:///etc/passwd"]), "input.img_url"),
            (.synthesis, Self.i2v("wan2.6-i2v", input: ["img_url": "data:image/png;base64," + Data("hello, I am text".utf8).base64EncodedString()]), "not an image"),
            (.synthesis, Self.i2v("wanx2.1-i2v-turbo", ["resolution": "1080P"]), "480P, 720P"),
            (.synthesis, Self.i2v("wan2.6-i2v", ["resolution": "1920*1080"]), "parameters.resolution"),
            (.synthesis, Self.i2v("wan2.5-i2v-preview", ["duration": 15]), "5, 10"),
            (.synthesis, Self.i2v("wan2.2-i2v-flash", input: ["audio_url": "https://x/a.mp3"]), "audio_url"),
            (.synthesis, Self.i2v("wan2.6-i2v", input: ["template": 1]), "input.template"),
            (.synthesis, Self.r2v([]), "1 to 3"),
            (.synthesis, Self.r2v(["https://x/1", "https://x/2", "https://x/3", "https://x/4"]), "1 to 3"),
            (.synthesis, Self.r2v("https://x/a.mp4"), "list"),
            (.synthesis, Self.r2v(["data:video/mp4;base64,AAAA"]), "upload the file first"),
            (.synthesis, Self.r2v(["oss://nowhere/a.mp4"]), "X-DashScope-OssResourceResolve"),
            (.synthesis, ["model": "wan2.6-r2v", "input": ["prompt": "character1"]], "reference_video_urls"),
            (.synthesis, Self.r2v(["https://x/a.mp4"], ["duration": 15]), "5, 10"),
            (.synthesis, Self.r2v(["https://x/a.mp4"], ["size": "832*480"]), "parameters.size"),
            (.synthesis, Self.r2v(["https://x/a.mp4"], ["size": "1080P"]), "W*H"),
            (.keyframes, ["model": "wan2.2-kf2v-flash", "input": ["prompt": "x"]], "input.first_frame_url"),
            (.keyframes, Self.kf2v("wan2.2-kf2v-flash", input: ["last_frame_url": "ftp://x/y.png"]), "input.last_frame_url"),
            (.keyframes, Self.kf2v("wanx2.1-kf2v-plus", ["resolution": "480P"]), "720P"),
            (.keyframes, Self.kf2v("wan2.2-kf2v-flash", ["duration": 10]), "parameters.duration"),
        ]
        for (index, (route, body, fragment)) in refused.enumerated() {
            let reply = try await create(route, body)
            assertError(reply, 400, "InvalidParameter", fragment)
            if reply.status != 400 {
                XCTFail("#\(index) \(body) was accepted")
            }
        }
    }

    func testUnknownModelsAreNotFound() async throws {
        let unknown = try await create(.synthesis, Self.t2v("wan9-t2v"))
        assertError(unknown, 404, "ModelNotFound")
        let image = try await create(.synthesis, Self.t2v("wan2.6-t2i"))
        assertError(image, 400, "InvalidParameter", "makes images")
    }

    func testVideoRoutesNeedTheAsyncHeader() async throws {
        let synthesis = try await create(.synthesis, Self.t2v(), async: false)
        assertError(synthesis, 403, "AccessDenied", "synchronous")
        let keyframes = try await create(.keyframes, Self.kf2v(), async: false)
        assertError(keyframes, 403, "AccessDenied", "synchronous")
    }

    // MARK: - The two paths

    func testKeyframeModelsAndOtherVideoModelsStayOnTheirOwnPaths() async throws {
        let kfOnSynthesis = try await create(.synthesis, Self.kf2v())
        assertError(kfOnSynthesis, 400, "InvalidParameter", VideoRoute.keyframes.path)
        XCTAssertTrue(kfOnSynthesis.message.contains("not served at \(VideoRoute.synthesis.path)"), kfOnSynthesis.message)
        for body in [Self.t2v(), Self.i2v(), Self.r2v()] {
            let reply = try await create(.keyframes, body)
            assertError(reply, 400, "InvalidParameter", "not served at \(VideoRoute.keyframes.path)")
            XCTAssertTrue(reply.message.contains(VideoRoute.synthesis.path), reply.message)
        }
    }

    // MARK: - Results

    func testATextToVideoTaskAnswersWithAVideoURLPromptsAndUsage() async throws {
        let id = try await createTask(.synthesis, Self.t2v("wan2.5-t2v-preview", ["duration": 10]))
        let reply = try await query(id)
        XCTAssertEqual(reply.taskStatus, "SUCCEEDED")
        XCTAssertEqual(reply.output["video_url"] as? String, "\(server.origin)/files/\(id)/0.mp4")
        XCTAssertEqual(reply.output["orig_prompt"] as? String, "a cat surfing")
        XCTAssertNotNil(reply.output["actual_prompt"] as? String)
        XCTAssertEqual(reply.usage["duration"] as? Int, 10)
        XCTAssertEqual(reply.usage["video_count"] as? Int, 1)
        XCTAssertNil(reply.output["results"])
    }

    func testWan26NeverSendsTheActualPrompt() async throws {
        for (route, body) in [(VideoRoute.synthesis, Self.t2v()), (.synthesis, Self.i2v(input: ["prompt": "go"])), (.synthesis, Self.r2v())] {
            let id = try await createTask(route, body)
            let reply = try await query(id)
            XCTAssertNotNil(reply.output["orig_prompt"], "\(body)")
            XCTAssertNil(reply.output["actual_prompt"], "\(body)")
        }
    }

    func testAFailedVideoTaskSaysSo() async throws {
        server.inject(Fault(.fail))
        let id = try await createTask(.synthesis, Self.t2v())
        let reply = try await query(id)
        XCTAssertEqual(reply.taskStatus, "FAILED")
        XCTAssertTrue((reply.output["message"] as? String ?? "").contains("video"), "\(reply.output)")
    }

    func testTheAliasKeepsItsNameInTheTaskList() async throws {
        _ = try await create(.synthesis, Self.i2v("wan2.6-i2v-preview"))
        let list = try await send("GET", "/api/v1/tasks?model_name=wan2.6-i2v-preview")
        XCTAssertEqual(list.json["total"] as? Int, 1)
    }

    func testVideoSecondsApplyToVideoTasksOnly() {
        var options = MockOptions(taskSeconds: 1)
        options.videoDurations = [30, 60]
        XCTAssertEqual(options.taskDuration(forTaskNumber: 0), 1)
        XCTAssertEqual(options.taskDuration(forTaskNumber: 1, video: true), 60)
        options.videoDurations = nil
        XCTAssertEqual(options.taskDuration(forTaskNumber: 1, video: true), 1)
    }

    // MARK: - The MP4

    func testTheMP4HasTheConfiguredSizeAndStartsWithAValidFtypBox() async throws {
        let id = try await createTask(.synthesis, Self.t2v())
        let answer = try await query(id)
        let url = try XCTUnwrap(answer.output["video_url"] as? String)
        let reply = try await send("GET", String(url.dropFirst(server.origin.count)), key: nil)
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.headers["content-type"], "video/mp4")
        let bytes = [UInt8](reply.body)
        XCTAssertEqual(bytes.count, 300_000)
        func word(_ offset: Int) -> Int {
            bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
        }
        XCTAssertEqual(String(decoding: bytes[4..<8], as: UTF8.self), "ftyp")
        XCTAssertEqual(String(decoding: bytes[8..<12], as: UTF8.self), "isom", "major brand")
        var types: [String] = []
        var offset = 0
        while offset + 8 <= bytes.count {
            types.append(String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self))
            XCTAssertGreaterThanOrEqual(word(offset), 8)
            offset += word(offset)
        }
        XCTAssertEqual(types, ["ftyp", "moov", "mdat"])
        XCTAssertEqual(offset, bytes.count, "the boxes tile the file exactly")
        XCTAssertEqual(reply.body, MP4.movie(id: id, index: 0, bytes: 300_000), "deterministic")
    }

    func testRangeOnTheMP4AndTheBytesCounted() async throws {
        let full = MP4.movie(id: "v", index: 0, bytes: 300_000)
        let before = server.statistics.fileBytes
        let reply = try await send("GET", "/files/v/0.mp4", key: nil, headers: ["Range": "bytes=123457-"])
        XCTAssertEqual(reply.status, 206)
        XCTAssertEqual(reply.headers["content-range"], "bytes 123457-299999/300000")
        XCTAssertEqual(reply.body, full.dropFirst(123_457), "a range across many noise blocks matches the whole file")
        let middle = try await send("GET", "/files/v/0.mp4", key: nil, headers: ["Range": "bytes=4090-4105"])
        XCTAssertEqual(middle.body, full.subdata(in: 4090..<4106))
        let expected = 300_000 - 123_457 + 16
        let deadline = Date().addingTimeInterval(2)
        while server.statistics.fileBytes - before < expected, Date() < deadline {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        XCTAssertEqual(server.statistics.fileBytes - before, expected, "only body bytes sent are counted")
    }

    func testFilesCarryAnETagAndIfRangeWithAnotherOneGetsTheWholeFile() async throws {
        let whole = try await send("GET", "/files/v/0.mp4", key: nil)
        let etag = try XCTUnwrap(whole.headers["etag"])
        XCTAssertTrue(etag.hasPrefix("\"") && etag.hasSuffix("\""), etag)
        let same = try await send("GET", "/files/v/0.mp4", key: nil, headers: ["Range": "bytes=10-", "If-Range": etag])
        XCTAssertEqual(same.status, 206)
        let other = try await send("GET", "/files/v/0.mp4", key: nil, headers: ["Range": "bytes=10-", "If-Range": "\"old\""])
        XCTAssertEqual(other.status, 200)
        XCTAssertEqual(other.body, whole.body)
        let png = try await send("GET", "/files/v/0.png", key: nil)
        XCTAssertNotEqual(png.headers["etag"], etag)
    }

    func testLargeMoviesAreGeneratedByRange() {
        let file = MP4.file(id: "big", index: 0, bytes: 500_000_000)
        XCTAssertEqual(file.count, 500_000_000)
        let tail = file.read((file.count - 10)..<file.count)
        XCTAssertEqual(tail.count, 10)
        XCTAssertEqual(file.read(0..<8).suffix(4), Data("ftyp".utf8))
        XCTAssertEqual(file.slice(100..<200).read(0..<100), file.read(100..<200))
    }

    func testVideoOptionsParse() throws {
        let command = try MockCommand(arguments: ["--video-seconds", "30,45", "--video-bytes", "5000000"])
        guard case .serve(let options) = command else {
            return XCTFail("\(command)")
        }
        XCTAssertEqual(options.videoDurations, [30, 45])
        XCTAssertEqual(options.videoBytes, 5_000_000)
        XCTAssertThrowsError(try MockCommand(arguments: ["--video-bytes", "0"]))
        XCTAssertThrowsError(try MockCommand(arguments: ["--video-seconds", "x"]))
    }
}
