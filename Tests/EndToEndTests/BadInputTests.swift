import Foundation
import XCTest
import DashScopeMock

/// Input refused before anything is sent: each gets its exit code, `error:` and `hint:` lines, and no request.
final class BadInputTests: EndToEndCase {
    /// Runs `args`, expecting `status`, an `error:` line containing `fragment`, a `hint:` line, nothing on stdout and no request.
    @discardableResult
    private func assertRefused(_ args: [String], _ status: Int32, _ fragment: String, stdin: String? = nil,
                               env: [String: String] = [:], removing: Set<String> = [],
                               file: StaticString = #filePath, line: UInt = #line) throws -> RunResult {
        let result = try run(args, stdin: stdin, env: env, removing: removing, file: file, line: line)
        assertExit(result, status, file: file, line: line)
        XCTAssertEqual(result.stdout, "", file: file, line: line)
        let lines = result.errorLines
        XCTAssertEqual(lines.count, 2, "one error line and one hint line: \(result.stderr)", file: file, line: line)
        XCTAssertTrue(lines.first?.hasPrefix("error: ") ?? false, result.stderr, file: file, line: line)
        XCTAssertTrue(lines.first?.contains(fragment) ?? false, "error lacks '\(fragment)': \(result.stderr)", file: file, line: line)
        XCTAssertTrue(lines.last?.hasPrefix("hint: ") ?? false, result.stderr, file: file, line: line)
        XCTAssertTrue(mock.requests.isEmpty, "nothing may be sent: \(mock.requests.map(\.path))", file: file, line: line)
        XCTAssertFalse(result.stderr.contains("Fatal error"), file: file, line: line)
        return result
    }

    func testAModelOfAnotherCommandIsRefusedBeforeItStartsABilledJob() throws {
        for (args, owner) in [(["t2i", "a fox", "-m", "wan2.6-t2v"], "t2v"), (["i2i", "x", "-i", "https://example.com/a.png", "-m", "wan2.6-t2i"], "t2i"),
                              (["tts", "hello", "-m", "wan2.6-t2v"], "t2v"), (["chat", "hi", "-m", "wan2.6-t2i"], "t2i"),
                              (["vl", "what", "-i", "https://example.com/a.png", "-m", "qwen-plus"], "chat"),
                              (["edit", "x", "-i", "https://example.com/a.png", "-m", "wan2.5-i2i-preview"], "i2i")] {
            let result = try assertRefused(args, 64, "is a model of `\(owner)`, not of `\(args[0])`")
            XCTAssertTrue(result.stderr.contains("run `dashscope \(owner)` with it"), result.stderr)
        }
        let config = root.appendingPathComponent(".config/dashscope")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        try "t2i.model = wan2.6-t2v\n".write(to: config.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        let configured = try run(["t2i", "a fox"])
        assertExit(configured, 78)
        XCTAssertTrue(configured.stderr.contains("is a model of t2v"), "a configured model of another command is refused too: \(configured.stderr)")
        XCTAssertTrue(mock.requests.isEmpty)
    }

    func testNoKeyConfigured() throws {
        try write("# nothing here\n", to: ".config/dashscope/config")
        let result = try assertRefused(["t2i", "a cat"], 78, "no API key", removing: ["DASHSCOPE_API_KEY"])
        XCTAssertTrue(result.stderr.contains("DASHSCOPE_API_KEY"), "the hint says where a key goes")
    }

    func testEmptyKeyIsNoKey() throws {
        try assertRefused(["t2i", "a cat", "-m", "wan2.2-t2i-flash"], 78, "no API key", env: ["DASHSCOPE_API_KEY": ""])
    }

    func testZeroImages() throws {
        try assertRefused(["t2i", "a cat", "-n", "0"], 64, "-n 0")
    }

    func testFiveImages() throws {
        try assertRefused(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-n", "5"], 64, "-n 5")
    }

    func testQwenImageMakesOneImage() throws {
        try assertRefused(["t2i", "a cat", "-m", "qwen-image", "-n", "2"], 64, "qwen-image")
    }

    func testSizeOutOfRange() throws {
        try assertRefused(["t2i", "a cat", "--size", "512x512"], 64, "512x512")
        try assertRefused(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "--size", "2048x1024"], 64, "2048x1024")
        try assertRefused(["t2i", "a cat", "-m", "qwen-image", "--size", "1024x1024"], 64, "1024x1024")
    }

    func testUnreadableSize() throws {
        try assertRefused(["t2i", "a cat", "--size", "big"], 64, "big")
    }

    func testPromptOverTheLimit() throws {
        try assertRefused(["t2i", String(repeating: "a", count: 2101)], 64, "2101")
        try assertRefused(["t2i", String(repeating: "猫", count: 501), "-m", "wan2.2-t2i-flash"], 64, "501")
    }

    func testEmptyPrompt() throws {
        try assertRefused(["t2i", ""], 64, "empty")
        try assertRefused(["t2i", "-"], 64, "empty", stdin: "\n")
    }

    func testSeedOutOfRange() throws {
        try assertRefused(["t2i", "a cat", "--seed", "2147483648"], 64, "2147483648")
    }

    func testUnknownOptionSuggestsTheRightOne() throws {
        let result = try assertRefused(["t2i", "a cat", "--modle", "wan2.6-t2i"], 64, "--modle")
        XCTAssertTrue(result.stderr.contains("Did you mean '--model'?"), result.stderr)
    }

    func testUnknownCommandSuggestsTheRightOne() throws {
        let result = try assertRefused(["t2j", "a cat"], 64, "t2j")
        XCTAssertTrue(result.stderr.contains("Did you mean 't2i'?"), result.stderr)
    }

    func testUnknownSubcommand() throws {
        let result = try assertRefused(["task", "stauts", "abc"], 64, "stauts")
        XCTAssertTrue(result.stderr.contains("Did you mean 'status'?"), result.stderr)
    }

    func testMalformedTaskID() throws {
        try assertRefused(["task", "status", "../../etc"], 64, "not a task id")
    }

    func testOutputUnderARegularFile() throws {
        try write("I am a file", to: "blocker")
        let result = try assertRefused(["t2i", "a cat", "-o", "blocker/pics/"], 73, "blocker")
        XCTAssertEqual(try String(contentsOf: url("blocker"), encoding: .utf8), "I am a file")
        XCTAssertTrue(result.stderr.contains("-o"), "the hint says how to pick another place")
    }

    func testOutputFileUnderARegularFile() throws {
        try write("I am a file", to: "blocker")
        try assertRefused(["t2i", "a cat", "-o", "blocker/cat.png"], 73, "blocker")
    }

    // MARK: - Sent anyway, or refused by the service

    func testUnknownModelIsSentWithAWarningUnderAnyModel() throws {
        let result = try run(["t2i", "a cat", "-m", "wan9-t2i-ultra", "--any-model"])
        assertExit(result, 1)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.errorLines.contains { $0.hasPrefix("warning: ") && $0.contains("wan9-t2i-ultra") }, result.stderr)
        XCTAssertTrue(result.errorLines.contains { $0.hasPrefix("error: ") && $0.contains("ModelNotFound") }, result.stderr)
        XCTAssertTrue(result.errorLines.contains { $0.hasPrefix("hint: ") }, result.stderr)
        XCTAssertEqual(creates.count, 1, "with --any-model, an unknown model is still sent")
        XCTAssertEqual(try XCTUnwrap(creates.first?.json).string("model"), "wan9-t2i-ultra")
    }

    func testRejectedKeyMentionsTheRegion() throws {
        try startMock(MockOptions(taskSeconds: 0, acceptedKey: "sk-some-other-account-key-9999"))
        let result = try run(["t2i", "a cat"])
        assertExit(result, 77)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.hasPrefix("error: "), result.stderr)
        XCTAssertTrue(result.stderr.contains("InvalidApiKey"), result.stderr)
        XCTAssertTrue(result.stderr.contains("region"), "a 401 must say keys are per region: \(result.stderr)")
        XCTAssertEqual(creates.count, 1, "a 401 is not retried")
    }
}
