import Foundation
import XCTest
import DashScopeMock

/// `version`, `help` in its spellings, and `--mock` on a machine with nothing configured.
final class InfoCommandTests: EndToEndCase {
    func testVersion() throws {
        let result = try run(["version"])
        assertExit(result, 0)
        XCTAssertTrue(result.stdout.hasPrefix("dashscope "), result.stdout)
        XCTAssertEqual(result.lines.count, 1)
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(try run(["--version"]).stdout, result.stdout)
    }

    func testHelpOverview() throws {
        for args in [["help"], ["--help"], ["-h"], []] {
            let result = try run(args)
            assertExit(result, 0)
            XCTAssertTrue(result.stdout.contains("USAGE"), "\(args): \(result.stdout)")
            XCTAssertTrue(result.stdout.contains("t2i"), "\(args)")
            XCTAssertTrue(result.stdout.contains("task wait"), "\(args)")
            XCTAssertTrue(result.stdout.contains("EXIT CODES"), "\(args)")
            XCTAssertTrue(result.stdout.contains("130"), "\(args)")
            XCTAssertEqual(result.stderr, "", "\(args)")
        }
        XCTAssertTrue(mock.requests.isEmpty)
    }

    func testCommandHelp() throws {
        for args in [["t2i", "--help"], ["help", "t2i"], ["t2i", "-h"]] {
            let result = try run(args)
            assertExit(result, 0)
            XCTAssertTrue(result.stdout.hasPrefix("dashscope t2i"), "\(args): \(result.stdout)")
            for option in ["--model", "--size", "--no-wait", "--dry-run", "--output", "--api-key"] {
                XCTAssertTrue(result.stdout.contains(option), "\(args) lacks \(option)")
            }
            XCTAssertEqual(result.stderr, "")
        }
        XCTAssertTrue(mock.requests.isEmpty)
    }

    func testSubcommandHelp() throws {
        for args in [["help", "task", "wait"], ["task", "wait", "--help"]] {
            let result = try run(args)
            assertExit(result, 0)
            XCTAssertTrue(result.stdout.hasPrefix("dashscope task wait"), "\(args): \(result.stdout)")
            XCTAssertTrue(result.stdout.contains("TASK_ID"), "\(args)")
            XCTAssertEqual(result.stderr, "")
        }
        let group = try run(["help", "task"])
        assertExit(group, 0)
        for sub in ["status", "wait", "cancel", "list"] { XCTAssertTrue(group.stdout.contains(sub), sub) }
    }

    func testHelpForAnUnknownCommand() throws {
        let result = try run(["help", "t2j"])
        assertExit(result, 64)
        XCTAssertTrue(result.stderr.hasPrefix("error: "), result.stderr)
        XCTAssertTrue(result.stderr.contains("Did you mean 't2i'?"), result.stderr)
    }

    func testModels() throws {
        let result = try run(["models"])
        assertExit(result, 0)
        for model in ["wan2.6-t2i", "wan2.5-t2i-preview", "wan2.2-t2i-flash", "wan2.2-t2i-plus", "wanx2.1-t2i-turbo",
                      "wanx2.1-t2i-plus", "wanx2.0-t2i-turbo", "qwen-image", "qwen-image-plus"] {
            XCTAssertTrue(result.lines.contains { $0.hasPrefix(model + " ") }, model)
        }
        XCTAssertTrue(mock.requests.isEmpty)
    }

    func testMockWorksWithNothingConfigured() throws {
        let result = try run(["t2i", "a cat", "--mock"], removing: ["DASHSCOPE_API_KEY", "DASHSCOPE_BASE_URL"])
        assertExit(result, 0)
        XCTAssertEqual(result.lines.count, 1, result.stdout)
        assertPNGs(result.lines)
        XCTAssertEqual(files(matching: ".png"), result.lines)
        XCTAssertTrue(mock.requests.isEmpty, "--mock runs its own server")
        assertNoPartFiles()
    }

    func testMockFromTheEnvironmentWithAnAsyncModel() throws {
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-n", "2"],
                             env: ["DASHSCOPE_MOCK": "1", "DASHSCOPE_MOCK_TASK_SECONDS": "0.2"],
                             removing: ["DASHSCOPE_API_KEY", "DASHSCOPE_BASE_URL"])
        assertExit(result, 0)
        XCTAssertEqual(result.lines.count, 2, result.stdout)
        assertPNGs(result.lines)
        XCTAssertTrue(mock.requests.isEmpty)
    }
}
