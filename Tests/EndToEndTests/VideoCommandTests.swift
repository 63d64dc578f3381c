import Foundation
import XCTest
import DashScopeMock

/// `t2v`, `i2v` and `r2v` end to end: the bad inputs of issue 8 refused before anything is sent (exit code, the problem
/// and the fix named), `--dry-run` showing the exact request, and `models` listing the video families.
final class VideoCommandTests: EndToEndCase {
    /// Runs `args` and checks it was refused with `status`, the problem and the fix on stderr, nothing on stdout, and
    /// nothing sent to the server (no create, no upload policy, no upload).
    @discardableResult
    private func refused(_ args: [String], _ status: Int32, problem: String, fix: String,
                         file: StaticString = #filePath, line: UInt = #line) throws -> RunResult {
        let result = try run(args, file: file, line: line)
        assertExit(result, status, file: file, line: line)
        assertNoBacktrace(result, file: file, line: line)
        XCTAssertEqual(result.stdout, "", file: file, line: line)
        XCTAssertTrue(result.stderr.contains(problem), "problem '\(problem)' not in:\n\(result.stderr)", file: file, line: line)
        XCTAssertTrue(result.stderr.contains("hint: ") && result.stderr.contains(fix), "fix '\(fix)' not in:\n\(result.stderr)", file: file, line: line)
        XCTAssertEqual(mock.requests.map(\.path), [], "nothing may be sent before a refusal", file: file, line: line)
        return result
    }

    /// The JSON body a `--dry-run` printed, and its header lines.
    private func dryRun(_ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> (body: [String: Any], head: String, stderr: String) {
        let result = try run(args + ["--dry-run"], file: file, line: line)
        assertExit(result, 0, file: file, line: line)
        XCTAssertEqual(mock.requests.map(\.path), [], "--dry-run sends nothing", file: file, line: line)
        guard let brace = result.stdout.firstIndex(of: "{"),
              let body = try JSONSerialization.jsonObject(with: Data(result.stdout[brace...].utf8)) as? [String: Any] else {
            XCTFail("no JSON body in:\n\(result.stdout)", file: file, line: line)
            return ([:], "", result.stderr)
        }
        return (body, String(result.stdout[..<brace]), result.stderr)
    }

    // MARK: - Issue 8's bad inputs

    func testSizeGivenAsATierIsRefusedWithTheWidthTimesHeightRule() throws {
        try refused(["t2v", "a cat", "--size", "720P"], 64, problem: "--size takes WIDTH*HEIGHT, not a resolution", fix: "--resolution 720P")
    }

    func testA1080PResolutionOnWanx21TurboIsRefusedNamingTheOfferedOnes() throws {
        try refused(["i2v", "blink", "-i", "https://example.com/a.png", "-m", "wanx2.1-i2v-turbo", "--resolution", "1080P"], 64,
                    problem: "--resolution 1080P is not offered by wanx2.1-i2v-turbo: it makes 480P or 720P", fix: "pass --resolution 480P or 720P")
    }

    func testFifteenSecondsOnWan25I2VIsRefused() throws {
        try refused(["i2v", "blink", "-i", "https://example.com/a.png", "-m", "wan2.5-i2v-preview", "--duration", "15"], 64,
                    problem: "--duration 15 is not offered by wan2.5-i2v-preview: it makes clips of 5 or 10 seconds",
                    fix: "pass --duration 5 or 10, or use -m wan2.6-i2v for 15 s")
    }

    func testFirstAndLastFrameWithoutAPromptNamesTheModelThatNeedsIt() throws {
        try refused(["i2v", "-i", "https://example.com/a.png", "--last-frame", "https://example.com/b.png"], 64,
                    problem: "the prompt is empty, and wan2.2-kf2v-flash needs one", fix: "give it as the first argument")
    }

    func testAnImageOf300PixelsIsRefused() throws {
        try writePNG("small.png", 300, 300)
        try refused(["i2v", "blink", "-i", "small.png"], 65, problem: "small.png is 300x300 px; wan2.6-i2v takes sides of 360 to 2000 px",
                    fix: "resize it")
        try writePNG("end.png", 2100, 800)
        try writePNG("start.png", 800, 800)
        try refused(["i2v", "open", "-i", "start.png", "--last-frame", "end.png"], 65,
                    problem: "end.png is 2100x800 px; wan2.2-kf2v-flash takes sides of 360 to 2000 px", fix: "resize it")
    }

    func testA120MegabyteReferenceVideoIsRefusedBeforeAnyUpload() throws {
        try writeMP4("big.mp4", bytes: 120 * 1024 * 1024)
        try refused(["r2v", "character1 dances", "--video", "big.mp4"], 65,
                    problem: "big.mp4 is 120 MB; wan2.6-r2v takes files of at most 100 MB", fix: "make it smaller")
    }

    func testAMovThatIsReallyTextIsRefused() throws {
        try write("this is not a video\n", to: "clip.mov")
        try refused(["r2v", "character1 dances", "--video", "clip.mov"], 65,
                    problem: "clip.mov is not a video (it starts like text)", fix: "the format is read from the content, not the name")
    }

    func testLastFrameWithAFirstFrameModelIsRefusedNamingTheKeyframeModels() throws {
        try writePNG("a.png", 800, 600)
        try writePNG("b.png", 800, 600)
        for model in ["wan2.6-i2v", "wanx2.1-i2v-turbo", "wan2.6-i2v-preview"] {
            mock.clearRequests()
            try refused(["i2v", "open", "-i", "a.png", "--last-frame", "b.png", "-m", model], 64,
                        problem: "--last-frame needs a first+last-frame model (wan2.2-kf2v-flash or wanx2.1-kf2v-plus); \(model) starts from a first frame only",
                        fix: "drop -m to use wan2.2-kf2v-flash")
        }
    }

    // MARK: - More refusals

    func testOtherVideoOptionsAreRefusedBeforeSending() throws {
        try refused(["t2v", "a", "--no-prompt-extend", "--shot-type", "multi"], 64,
                    problem: "--shot-type multi needs prompt extension", fix: "drop --no-prompt-extend")
        try refused(["t2v", "a", "-m", "wan2.2-t2v-plus", "--audio", "missing.mp3"], 64,
                    problem: "wan2.2-t2v-plus takes no --audio", fix: "use -m wan2.6-t2v or wan2.5-t2v-preview")
        try refused(["t2v", "a", "--size", "832x480"], 64, problem: "--size 832*480 is a 480P size; wan2.6-t2v makes 720P or 1080P", fix: "1280*720")
        try refused(["t2v", "a", "-m", "wan2.5-t2v-preview", "--resolution", "480P", "--ratio", "4:3"], 64,
                    problem: "--ratio 4:3 is not offered at 480P", fix: "--resolution 720P for 4:3")
        try refused(["t2v", "a", "--size", "1280x720", "--ratio", "16:9"], 64, problem: "--size and --ratio both set the size", fix: "--size WIDTH*HEIGHT alone")
        try refused(["t2v", "a", "-m", "wanx2.1-t2v-plus", "--shot-type", "single"], 64, problem: "wanx2.1-t2v-plus has no --shot-type", fix: "drop --shot-type")
        try refused(["i2v", "a"], 64, problem: "wan2.6-i2v takes 1 image (-i/--image); none was given", fix: "add -i/--image")
        try refused(["r2v", "character1"], 64, problem: "wan2.6-r2v takes 1 to 3 videos (--video); none was given", fix: "add --video")
        try refused(["r2v", "character1", "--video", "data:video/mp4;base64,AAAA"], 64,
                    problem: "--video does not take data: URLs", fix: "give the file's path")
        try writeWAV("loud.wav", bytes: 16 * 1024 * 1024)
        try refused(["t2v", "a", "--audio", "loud.wav"], 65, problem: "loud.wav is 16 MB; wan2.6-t2v takes files of at most 15 MB", fix: "make it smaller")
        try writePNG("song.mp3", 800, 600)
        try refused(["t2v", "a", "--audio", "song.mp3"], 65, problem: "song.mp3 is an image (PNG), not an audio file", fix: "--audio takes")
        // Lengths the header states: 8 kHz 8-bit mono for 40 s; a movie of 1 s (mvhd: 1000 units a second, 1000 units).
        let le = { (value: UInt32) in withUnsafeBytes(of: value.littleEndian, Array.init) }
        let wav = Array("RIFF".utf8) + le(36 + 320_000) + Array("WAVEfmt ".utf8) + le(16) + [1, 0, 1, 0] + le(8000) + le(8000)
            + [1, 0, 8, 0] + Array("data".utf8) + le(320_000)
        try Data(wav + [UInt8](repeating: 0x80, count: 320_000)).write(to: url("long.wav"))
        try refused(["i2v", "a", "-i", "https://example.com/cat.png", "--audio", "long.wav"], 65,
                    problem: "long.wav plays for 40 s; wan2.6-i2v takes audio of 3 to 30 s", fix: "trim it to at most 30 s")
        // Within half a second of a limit the service judges (containers round and pad); past it, the length is exact.
        let sized = { (bytes: UInt32) in Array(wav.prefix(40)) + le(bytes) + [UInt8](repeating: 0x80, count: Int(bytes)) }
        try Data(sized(242_400)).write(to: url("edge.wav"))
        assertExit(try run(["t2v", "a", "--audio", "edge.wav", "--dry-run"]), 0)
        try Data(sized(250_000)).write(to: url("over.wav"))
        try refused(["t2v", "a", "--audio", "over.wav"], 65, problem: "over.wav plays for 31.25 s", fix: "trim it to at most 30 s")
        let be = { (value: UInt32) in withUnsafeBytes(of: value.bigEndian, Array.init) }
        let mvhd = [0, 0, 0, 0] + [UInt8](repeating: 0, count: 8) + be(1000) + be(1000) + [UInt8](repeating: 0, count: 80)
        let moov = be(UInt32(16 + mvhd.count)) + Array("moov".utf8) + be(UInt32(8 + mvhd.count)) + Array("mvhd".utf8) + mvhd
        try Data([0, 0, 0, 0x10] + Array("ftypisom".utf8) + [0, 0, 0, 0] + moov).write(to: url("short.mp4"))
        try refused(["r2v", "character1", "--video", "short.mp4"], 65,
                    problem: "short.mp4 plays for 1 s; wan2.6-r2v takes videos of 2 to 30 s", fix: "give a longer one (at least 2 s)")
    }

    // MARK: - Dry runs: the exact request, nothing sent

    func testTextToVideoDryRunShowsSizeDurationAndTheUploadedAudio() throws {
        try writeWAV("beat.wav")
        let (body, head, _) = try dryRun(["t2v", "a drummer", "--resolution", "720P", "--ratio", "9:16", "--duration", "10",
                                          "--audio", "beat.wav", "--shot-type", "multi", "--seed", "7"])
        XCTAssertTrue(head.contains("/api/v1/services/aigc/video-generation/video-synthesis"), head)
        XCTAssertTrue(head.contains("X-DashScope-Async: enable"), head)
        XCTAssertTrue(head.contains("X-DashScope-OssResourceResolve: enable"), "a local audio file is uploaded: \(head)")
        XCTAssertEqual(body.string("model"), "wan2.6-t2v")
        XCTAssertEqual(body.object("input").string("audio_url"), "oss://<upload of beat.wav>")
        let parameters = body.object("parameters")
        XCTAssertEqual(parameters.string("size"), "720*1280")
        XCTAssertEqual(parameters.int("duration"), 10)
        XCTAssertEqual(parameters.string("shot_type"), "multi")
        XCTAssertEqual(parameters.int("seed"), 7)
    }

    func testImageToVideoDryRunsForFirstFrameAndFirstAndLastFrame() throws {
        try writePNG("a.png", 800, 600)
        try writePNG("b.png", 800, 600)
        let first = try dryRun(["i2v", "-i", "a.png", "-m", "wan2.6-i2v-preview", "--template", "flying"])
        XCTAssertTrue(first.head.contains("/services/aigc/video-generation/video-synthesis"), first.head)
        XCTAssertEqual(first.body.string("model"), "wan2.6-i2v-preview")
        XCTAssertEqual(Set(first.body.object("input").keys), ["img_url", "template"], "no prompt given, none sent")
        XCTAssertTrue(first.body.object("input").string("img_url")?.hasPrefix("data:image/png;base64,") ?? false)
        XCTAssertEqual(first.body.object("parameters").string("resolution"), "1080P")

        let both = try dryRun(["i2v", "the flower opens", "-i", "a.png", "--last-frame", "b.png"])
        XCTAssertTrue(both.head.contains("/services/aigc/image2video/video-synthesis"), both.head)
        XCTAssertTrue(both.head.contains("X-DashScope-Async: enable"), both.head)
        XCTAssertFalse(both.head.contains("OssResourceResolve"), both.head)
        XCTAssertEqual(both.body.string("model"), "wan2.2-kf2v-flash")
        XCTAssertEqual(Set(both.body.object("input").keys), ["prompt", "first_frame_url", "last_frame_url"])
        XCTAssertTrue(both.body.object("input").string("last_frame_url")?.contains("b.png") ?? false)
        let plus = try dryRun(["i2v", "open", "-i", "a.png", "--last-frame", "https://example.com/b.png", "-m", "wanx2.1-kf2v-plus"])
        XCTAssertEqual(plus.body.string("model"), "wanx2.1-kf2v-plus")
        XCTAssertEqual(plus.body.object("input").string("last_frame_url"), "https://example.com/b.png")
    }

    func testTheConfiguredI2VModelGivesWayToTheKeyframeDefaultUnderLastFrame() throws {
        try writePNG("a.png", 800, 600)
        try write("i2v.model = wan2.5-i2v-preview\n", to: ".config/dashscope/config")
        let run = try dryRun(["i2v", "open", "-i", "a.png", "--last-frame", "https://example.com/b.png"])
        XCTAssertEqual(run.body.string("model"), "wan2.2-kf2v-flash")
        XCTAssertEqual(try dryRun(["i2v", "open", "-i", "a.png"]).body.string("model"), "wan2.5-i2v-preview")
    }

    func testReferenceToVideoDryRunUploadsEveryVideoAndWarnsWithoutCharacters() throws {
        try writeMP4("a.mp4")
        try writeMP4("b.mov")
        let (body, head, stderr) = try dryRun(["r2v", "two people dance", "--video", "a.mp4", "--video", "b.mov",
                                               "--video", "https://example.com/c.mp4", "--size", "1280*720"])
        XCTAssertTrue(head.contains("X-DashScope-OssResourceResolve: enable"), head)
        XCTAssertEqual(body.object("input").array("reference_video_urls") as? [String],
                       ["oss://<upload of a.mp4>", "oss://<upload of b.mov>", "https://example.com/c.mp4"])
        XCTAssertEqual(body.object("parameters").string("size"), "1280*720")
        XCTAssertNil(body.object("parameters")["prompt_extend"])
        XCTAssertTrue(stderr.contains("warning: the prompt names no reference"), stderr)
        XCTAssertTrue(stderr.contains("character1, character2 or character3"), stderr)
        let named = try dryRun(["r2v", "character1 waves", "--video", "a.mp4"])
        XCTAssertFalse(named.stderr.contains("warning"), named.stderr)
    }

    // MARK: - Help examples

    /// Every example that `help` shows for the video commands runs as a dry run, with the files it names present.
    func testEveryVideoExampleInHelpIsValid() throws {
        try writePNG("cat.jpg", 800, 600)
        try writePNG("bud.png", 800, 600)
        try writePNG("bloom.png", 800, 600)
        try writeWAV("beat.mp3")
        for name in ["me.mp4", "a.mp4", "b.mov"] { try writeMP4(name) }
        for command in ["t2v", "i2v", "r2v"] {
            let help = try run(["help", command])
            assertExit(help, 0)
            let examples = help.lines.drop { $0 != "EXAMPLES" }.dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { $0.hasPrefix("dashscope ") }
            XCTAssertGreaterThanOrEqual(examples.count, 2, command)
            for example in examples {
                let words = Self.shellWords(example).dropFirst()
                let result = try run(Array(words) + ["--dry-run"])
                XCTAssertEqual(result.status, 0, "\(example)\n\(result.stderr)")
            }
        }
        XCTAssertTrue(mock.requests.filter { $0.method == "POST" }.isEmpty)
    }

    /// The words of a command line with double-quoted parts (all the examples use).
    private static func shellWords(_ line: String) -> [String] {
        var words: [String] = []
        var word = ""
        var quoted = false
        for character in line {
            if character == "\"" { quoted.toggle() } else if character == " " && !quoted {
                if !word.isEmpty { words.append(word) }
                word = ""
            } else { word.append(character) }
        }
        if !word.isEmpty { words.append(word) }
        return words
    }

    // MARK: - Catalogue

    func testModelsListsTheVideoFamilies() throws {
        let result = try run(["models"])
        assertExit(result, 0)
        let expected = [("wan2.6-t2v", "t2v"), ("wanx2.1-t2v-plus", "t2v"), ("wan2.6-i2v", "i2v"), ("wanx2.1-i2v-turbo", "i2v"),
                        ("wan2.2-kf2v-flash", "i2v"), ("wanx2.1-kf2v-plus", "i2v"), ("wan2.6-r2v", "r2v")]  // kf2v runs as i2v --last-frame
        for (model, family) in expected {
            let row = result.lines.first { $0.hasPrefix(model + " ") }
            XCTAssertNotNil(row, model)
            XCTAssertTrue(row?.split(separator: " ").contains(Substring(family)) ?? false, row ?? "")
        }
    }
}
