import Foundation
import XCTest
import DashScopeMock

/// What scripts and terminals rely on, end to end: `--json` errors, refusals before anything is sent (unknown models,
/// sizes, `-o` placeholders), unquoted prompts, any-case choices, colour, and readable `-v` traces.
final class ScriptingMannersTests: EndToEndCase {
    /// The one JSON error object on the last line of stderr.
    private func jsonError(_ result: RunResult, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let last = try XCTUnwrap(result.errorLines.last, "stderr is empty", file: file, line: line)
        let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
        let error = try XCTUnwrap(object?["error"] as? [String: Any], last, file: file, line: line)
        XCTAssertEqual(Set(error.keys), ["code", "message", "hint", "request_id", "task_id", "exit_code"], file: file, line: line)
        XCTAssertEqual(error.int("exit_code"), Int(result.status), file: file, line: line)
        XCTAssertEqual(result.stdout, "", "an error prints nothing on stdout", file: file, line: line)
        return error
    }

    // MARK: - JSON errors

    func testUsageErrorsAreJSONUnderJSONEvenBeforeParsing() throws {
        let unknown = try run(["t2i", "a cat", "--jsn", "--json"])
        assertExit(unknown, 64)
        let error = try jsonError(unknown)
        XCTAssertEqual(error.string("code"), "usage")
        XCTAssertTrue(error.string("message")?.contains("--jsn") ?? false)
        XCTAssertTrue(error["request_id"] is NSNull)

        let size = try run(["t2i", "a cat", "--size", "10x10", "--json"])
        assertExit(size, 64)
        XCTAssertTrue(try jsonError(size).string("message")?.contains("wan2.6-t2i") ?? false)
        XCTAssertTrue(creates.isEmpty)
    }

    func testAServiceErrorCarriesItsCodeAndRequestIDAndTheKeyIsRedacted() throws {
        try startMock(MockOptions(taskSeconds: 0, acceptedKey: "sk-some-other-account-key-9999"))
        mock.inject(Fault(.echoKey))
        let result = try run(["t2i", "a cat", "--json"])
        assertExit(result, 77)
        let error = try jsonError(result)
        XCTAssertEqual(error.string("code"), "InvalidApiKey", "the service's own code")
        XCTAssertNotNil(error.string("request_id"))
        XCTAssertTrue(error["task_id"] is NSNull)
    }

    func testAFailedTaskNamesItsTaskID() throws {
        mock.inject(Fault(.fail))
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "--json"])
        assertExit(result, 1)
        let error = try jsonError(result)
        let id = try XCTUnwrap(error.string("task_id"))
        XCTAssertTrue(error.string("message")?.contains(id) ?? false)
        XCTAssertNotEqual(error.string("code"), "failed", "the task's own failure code")
    }

    func testWithoutJSONErrorsStayText() throws {
        let result = try run(["t2i", "a cat", "--size", "10x10"])
        assertExit(result, 64)
        XCTAssertTrue(result.stderr.hasPrefix("error: "), result.stderr)
    }

    // MARK: - Refused before anything is sent

    func testAnUnknownModelGetsCandidatesAndNothingIsSent() throws {
        let result = try run(["t2i", "a cat", "-m", "wan2.6"])
        assertExit(result, 64)
        XCTAssertTrue(result.stderr.contains("Did you mean 'wan2.6-t2i'"), result.stderr)
        XCTAssertTrue(result.stderr.contains("--any-model"), result.stderr)
        try write("t2i.model = wan2.6-t2l\n", to: ".config/dashscope/config")
        let configured = try run(["t2i", "a cat"])
        assertExit(configured, 64)
        assertExit(try run(["t2i", "a cat", "-m", "wan2.6-t2i", "--dry-run"]), 0)
        XCTAssertTrue(configured.stderr.contains("t2i.model in the config file"), configured.stderr)
        XCTAssertTrue(mock.requests.isEmpty)
    }

    func testASizeOutOfRangeNamesTheModelAndNearestSizes() throws {
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "--size", "2000x300"])
        assertExit(result, 64)
        XCTAssertTrue(result.stderr.contains("wan2.2-t2i-flash"), result.stderr)
        XCTAssertTrue(result.stderr.contains("nearest valid sizes for wan2.2-t2i-flash: 1440x512"), result.stderr)
        XCTAssertTrue(mock.requests.isEmpty)
    }

    func testAnUnknownPlaceholderIsRefused() throws {
        let result = try run(["t2i", "a cat", "-o", "pics/{seed}-{index}.png"])
        assertExit(result, 64)
        XCTAssertTrue(result.stderr.contains("{seed}"), result.stderr)
        XCTAssertTrue(result.stderr.contains("{date} {time} {model} {slug} {index} {ext} {task}"), result.stderr)
        XCTAssertTrue(mock.requests.isEmpty)
        XCTAssertEqual(files(), [])
    }

    func testAnExtensionOtherThanTheOutputsIsWarnedAbout() throws {
        let result = try run(["t2i", "a cat", "-o", "cat.jpg"])
        assertExit(result, 0)
        XCTAssertEqual(result.lines, ["cat.jpg"])
        XCTAssertTrue(result.errorLines.contains { $0.hasPrefix("warning: ") && $0.contains(".jpg") && $0.contains(".png") }, result.stderr)
        let same = try run(["t2i", "a cat", "-o", "dog.png"])
        XCTAssertFalse(same.stderr.contains("warning"), same.stderr)
    }

    // MARK: - Friendlier argv

    func testUnquotedWordsMakeThePrompt() throws {
        let result = try run(["t2i", "a", "red", "fox", "-m", "wan2.2-t2i-flash", "on", "snow"])
        assertExit(result, 0)
        XCTAssertEqual(creates.first?.prompt, "a red fox on snow")
    }

    func testStatusInAnyCase() throws {
        let result = try run(["task", "list", "--status", "succeeded"])
        assertExit(result, 0)
        XCTAssertEqual(mock.requests.last?.query["status"], "SUCCEEDED")
    }

    // MARK: - Terminal manners

    func testColourOnlyWhenAsked() throws {
        let plain = try run(["t2i", "a cat", "-m", "nope"])
        XCTAssertFalse(plain.stderr.contains("\u{1B}["), "no colour in a pipe")
        let always = try run(["t2i", "a cat", "-m", "nope", "--color", "always"])
        XCTAssertTrue(always.stderr.contains("\u{1B}[31merror:"), always.stderr)
        let early = try run(["--color=always", "t2"])
        XCTAssertTrue(early.stderr.contains("\u{1B}[31merror:"), "a parse error is coloured as asked: \(early.stderr)")
        let never = try run(["t2i", "a cat", "-m", "nope", "--color", "never"], env: ["TERM": "xterm"])
        XCTAssertFalse(never.stderr.contains("\u{1B}["))
    }

    func testVerboseFoldsRepeatedPolls() throws {
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-v", "--mock"], env: ["DASHSCOPE_MOCK_TASK_SECONDS": "1"])
        assertExit(result, 0)
        let polls = result.errorLines.filter { $0.hasPrefix("> GET ") && $0.contains("/tasks/") }
        XCTAssertLessThanOrEqual(polls.count, 4, "one per status change: \(result.stderr)")
        XCTAssertTrue(result.errorLines.contains { $0.hasPrefix("… ") && $0.contains("more poll") }, result.stderr)
        XCTAssertTrue(result.errorLines.contains { $0.contains("\"task_status\":\"SUCCEEDED\"") }, "the final answer is traced")
        XCTAssertTrue(result.errorLines.contains { $0.hasPrefix("> POST ") }, "every other request is traced")
        XCTAssertLessThan(result.errorLines.count, 40, result.stderr)
    }
}
