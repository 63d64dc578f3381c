import Foundation
import XCTest
import DashScopeMock

/// `t2i` against every model of API.md section 1: the request on the wire and the files on disk.
final class TextToImageTests: EndToEndCase {
    private static let messagesSync = "/api/v1/services/aigc/multimodal-generation/generation"
    private static let messagesAsync = "/api/v1/services/aigc/image-generation/generation"
    private static let promptAsync = "/api/v1/services/aigc/text2image/image-synthesis"

    // MARK: - One test per model

    /// A limit that runs out before the create is sent says that nothing was sent or billed (no "check task list").
    func testATimeoutOfZeroSendsNothingAndSaysSo() throws {
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "--timeout", "0"])
        assertExit(result, 75)
        XCTAssertTrue(result.stderr.contains("ran out before the request was sent"), result.stderr)
        XCTAssertTrue(result.stderr.contains("nothing was sent (or billed)"), result.stderr)
        XCTAssertFalse(result.stderr.contains("task list"), result.stderr)
        XCTAssertEqual(creates.count, 0)
    }

    func testWan26IsSyncByDefault() throws {
        try assertGenerates(model: nil, path: Self.messagesSync, size: ("1536x1152", "1536*1152"))
    }

    func testWan26Async() throws {
        try assertGenerates(model: "wan2.6-t2i", extra: ["--async"], path: Self.messagesAsync, size: ("1536*1152", "1536*1152"))
    }

    func testWan25Preview() throws {
        try assertGenerates(model: "wan2.5-t2i-preview", path: Self.promptAsync, size: ("1152x1536", "1152*1536"))
    }

    func testWan22Flash() throws {
        try assertGenerates(model: "wan2.2-t2i-flash", path: Self.promptAsync, size: ("1024x768", "1024*768"))
    }

    func testWan22Plus() throws {
        try assertGenerates(model: "wan2.2-t2i-plus", path: Self.promptAsync, size: ("768x1024", "768*1024"))
    }

    func testWanx21Turbo() throws {
        try assertGenerates(model: "wanx2.1-t2i-turbo", path: Self.promptAsync, size: ("1024×1024", "1024*1024"))
    }

    func testWanx21Plus() throws {
        try assertGenerates(model: "wanx2.1-t2i-plus", path: Self.promptAsync, size: ("512x1440", "512*1440"))
    }

    func testWanx20Turbo() throws {
        try assertGenerates(model: "wanx2.0-t2i-turbo", path: Self.promptAsync, size: ("1440x512", "1440*512"))
    }

    func testQwenImage() throws {
        try assertGenerates(model: "qwen-image", path: Self.promptAsync, size: ("1328x1328", "1328*1328"))
    }

    func testQwenImagePlus() throws {
        try assertGenerates(model: "qwen-image-plus", path: Self.promptAsync, size: ("928x1664", "928*1664"))
    }

    // MARK: - Defaults and counts

    func testDefaultSizeAndCountAreAlwaysSent() throws {
        for (model, size) in [("wan2.6-t2i", "1280*1280"), ("wan2.2-t2i-flash", "1024*1024"), ("qwen-image", "1664*928")] {
            mock.clearRequests()
            let result = try run(["t2i", "a cat", "-m", model])
            assertExit(result, 0)
            let parameters = try XCTUnwrap(creates.first?.json).object("parameters")
            XCTAssertEqual(parameters.int("n"), 1, "\(model): n must be sent even when it is 1 (the service default is 4)")
            XCTAssertEqual(parameters.string("size"), size, model)
            XCTAssertNil(try XCTUnwrap(creates.first?.json).object("input")["negative_prompt"], model)
            XCTAssertNil(parameters["negative_prompt"], model)
        }
    }

    func testFourImages() throws {
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-n", "4"])
        assertExit(result, 0)
        XCTAssertEqual(result.lines.count, 4, result.stdout)
        XCTAssertEqual(Set(result.lines).count, 4, "four different files")
        assertPNGs(result.lines)
        XCTAssertEqual(try XCTUnwrap(creates.first?.json).object("parameters").int("n"), 4)
        XCTAssertEqual(downloads.count, 4)
        XCTAssertEqual(files(matching: ".png").count, 4)
        assertNoPartFiles()
    }

    func testFourImagesSync() throws {
        let result = try run(["t2i", "a cat", "-n", "4", "-o", "cats/"])
        assertExit(result, 0)
        XCTAssertEqual(result.lines.count, 4, result.stdout)
        XCTAssertTrue(result.lines.allSatisfy { $0.hasPrefix("cats/") }, result.stdout)
        assertPNGs(result.lines)
        XCTAssertEqual(files(matching: ".png").count, 4)
    }

    // MARK: - The prompt from stdin

    func testPromptPipedOnStdin() throws {
        let result = try run(["t2i"], stdin: "a red fox\n")
        assertExit(result, 0)
        XCTAssertEqual(creates.first?.prompt, "a red fox")
        assertPNGs(result.lines)
    }

    func testDashReadsThePromptFromStdin() throws {
        let result = try run(["t2i", "-", "-m", "wan2.2-t2i-flash"], stdin: "一只可爱的猫\nin the rain\n")
        assertExit(result, 0)
        XCTAssertEqual(creates.first?.prompt, "一只可爱的猫\nin the rain")
        XCTAssertEqual(result.lines.count, 1)
        assertPNGs(result.lines)
    }

    // MARK: - Checks shared by the model tests

    /// Runs `t2i` with a negative prompt and a typed size, then checks stdout, the file and every recorded request.
    private func assertGenerates(model: String?, extra: [String] = [], path: String, size: (typed: String, wire: String),
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let prompt = "a lighthouse at dusk"
        var args = ["t2i", prompt, "--size", size.typed, "--negative", "blurry, low quality"] + extra
        if let model { args += ["-m", model] }
        let result = try run(args, file: file, line: line)
        assertExit(result, 0, file: file, line: line)

        XCTAssertEqual(result.lines.count, 1, "stdout must hold one saved path: \(result.stdout)", file: file, line: line)
        XCTAssertFalse(result.lines.contains(where: \.isEmpty), file: file, line: line)
        assertPNGs(result.lines, file: file, line: line)
        XCTAssertEqual(files(matching: ".png"), result.lines, "stdout names exactly the files saved", file: file, line: line)
        assertNoPartFiles(file: file, line: line)

        XCTAssertEqual(creates.count, 1, file: file, line: line)
        let create = try XCTUnwrap(creates.first, file: file, line: line)
        let async = path != Self.messagesSync
        let messages = path != Self.promptAsync
        XCTAssertEqual(create.path, path, file: file, line: line)
        XCTAssertEqual(create.headers["x-dashscope-async"], async ? "enable" : nil, file: file, line: line)
        XCTAssertEqual(create.headers["authorization"], "Bearer \(Self.apiKey)", file: file, line: line)
        XCTAssertEqual(create.headers["content-type"], "application/json", file: file, line: line)
        let body = try XCTUnwrap(create.json, file: file, line: line)
        XCTAssertEqual(body.string("model"), model ?? "wan2.6-t2i", file: file, line: line)
        XCTAssertNil(body["messages"], "messages never at the top level", file: file, line: line)
        XCTAssertEqual(create.prompt, prompt, file: file, line: line)
        let input = body.object("input")
        let parameters = body.object("parameters")
        XCTAssertEqual(parameters.int("n"), 1, "n must be sent even when it is 1", file: file, line: line)
        XCTAssertEqual(parameters.string("size"), size.wire, file: file, line: line)
        if messages {
            XCTAssertEqual(parameters.string("negative_prompt"), "blurry, low quality", file: file, line: line)
            XCTAssertNil(input["negative_prompt"], file: file, line: line)
            XCTAssertNil(input["prompt"], file: file, line: line)
        } else {
            XCTAssertEqual(input.string("negative_prompt"), "blurry, low quality", file: file, line: line)
            XCTAssertNil(parameters["negative_prompt"], file: file, line: line)
            XCTAssertNil(input["messages"], file: file, line: line)
        }

        for request in mock.requests {
            XCTAssertTrue(request.headers["user-agent"]?.hasPrefix("dashscope-cli/") ?? false,
                          "\(request.method) \(request.path) has User-Agent \(request.headers["user-agent"] ?? "none")", file: file, line: line)
            if request.path != path {
                XCTAssertNil(request.headers["x-dashscope-async"], "\(request.method) \(request.path) is not an async create",
                             file: file, line: line)
            }
            if request.path.hasPrefix("/api/") {
                XCTAssertEqual(request.headers["authorization"], "Bearer \(Self.apiKey)", file: file, line: line)
            }
        }
        XCTAssertEqual(polls.isEmpty, !async, "tasks are polled exactly when the call is async", file: file, line: line)
        XCTAssertEqual(downloads.count, 1, file: file, line: line)
        XCTAssertNil(downloads.first?.headers["authorization"], "the key must not go to the download host", file: file, line: line)
    }
}
