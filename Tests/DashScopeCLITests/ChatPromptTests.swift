import Foundation
import XCTest
import DashScopeKit
import DashScopeCLI

/// `chat` and `vl` never wait on a terminal: with no prompt and stdin a terminal they stop at once with usage (64); binary
/// stdin is refused alike by every command.
final class ChatPromptTests: XCTestCase {
    func testNoPromptWithATerminalStdinIsUsageAndSendsNothing() async throws {
        let harness = try CLIHarness(self)
        let service = FakeService { _ in FakeService.json("{}") }
        for command in ["chat", "vl"] {
            let outcome = await harness.run([command, "--api-key", "sk-unit-test-key"], stdin: nil, transport: service)
            XCTAssertEqual(outcome.status, 64, outcome.stderr)
            XCTAssertTrue(outcome.stderr.contains("dashscope \(command) needs a"), outcome.stderr)
            XCTAssertEqual(outcome.stdout, "")
        }
        XCTAssertTrue(service.requests.value.isEmpty)
    }

    /// Binary stdin (a NUL byte, or bytes that are not UTF-8) is refused by every command that reads a prompt there, with
    /// one message and exit 65, before anything is sent.
    func testBinaryStdinIsRefusedAlikeByEveryCommand() async throws {
        let harness = try CLIHarness(self)
        let service = FakeService { _ in FakeService.json("{}") }
        let commands = [["chat"], ["vl", "-i", "https://example.com/a.png"], ["tts", "--dry-run"], ["t2v", "--dry-run"],
                        ["t2i", "--dry-run"], ["i2v", "-i", "https://example.com/a.png", "--dry-run"]]
        for command in commands {
            for (bytes, what) in [(Data("a\u{0}b".utf8), "NUL bytes"), (Data([0x61, 0xFF, 0xFE, 0x62]), "bytes that are not UTF-8")] {
                let outcome = await harness.run(command + ["--api-key", "sk-unit-test-key"], stdinBytes: bytes, transport: service)
                XCTAssertEqual(outcome.status, 65, "\(command): \(outcome.stderr)")
                XCTAssertTrue(outcome.stderr.contains("error: stdin holds binary data (\(what))"), "\(command): \(outcome.stderr)")
                // Where an image goes instead: vl for a chat, the command's own -i, and nowhere for tts.
                XCTAssertEqual(outcome.stderr.contains("dashscope vl"), command[0] == "chat", "\(command): \(outcome.stderr)")
                if ["vl", "i2v"].contains(command[0]) { XCTAssertTrue(outcome.stderr.contains("give images with -i FILE"), outcome.stderr) }
                if ["tts", "t2v", "t2i"].contains(command[0]) { XCTAssertFalse(outcome.stderr.contains("-i FILE"), outcome.stderr) }
                XCTAssertEqual(outcome.stdout, "", "\(command)")
            }
        }
        XCTAssertTrue(service.requests.value.isEmpty)
    }
}
