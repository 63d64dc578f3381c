import Foundation
import XCTest
import DashScopeKit
import DashScopeCLI

/// `chat` and `vl` never wait on a terminal: with no prompt and stdin a terminal they stop at once with usage (64).
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
}
