import Foundation
import XCTest

/// Runs with stdin or stdout closed (`<&-`, `>&-`, as cron and some supervisors start programs) or unreadable: never a
/// trap, and no file the tool opens may take the closed descriptor's place.
final class StandardStreamTests: EndToEndCase {
    /// Runs `dashscope ARGS REDIRECTIONS` through /bin/sh, which applies the redirections.
    private func shell(_ args: [String], _ redirections: String) throws -> RunResult {
        let binary = try Self.binary().path
        let quoted = ([binary] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let result = try Spawned(binary: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", "exec \(quoted) \(redirections)"],
                                 environment: environment(), cwd: root, stdin: nil).finish(timeout: 20)
        assertNoBacktrace(result)
        assertKeyHidden(result)
        return result
    }

    func testAClosedStdinIsNoStdin() throws {
        let answered = try shell(["chat", "hi"], "<&-")
        assertExit(answered, 0)
        XCTAssertTrue(answered.stdout.contains("hi"), answered.stdout)
        let nothing = try shell(["chat"], "<&-")
        assertExit(nothing, 64)
        XCTAssertTrue(nothing.stderr.contains("stdin is empty"), nothing.stderr)
        assertExit(try shell(["t2i"], "<&-"), 64)
    }

    func testADirectoryAsStdinExits66() throws {
        let result = try shell(["chat", "hi"], "< /")
        assertExit(result, 66)
        XCTAssertTrue(result.stderr.contains("cannot read stdin: is a directory"), result.stderr)
        XCTAssertTrue(mock.requests.isEmpty, "nothing may be sent")
    }

    func testAClosedStdoutFailsTheRunButKeepsTheSavedFile() throws {
        let result = try shell(["t2i", "a cat", "-o", "out/"], ">&-")
        assertExit(result, 73)
        XCTAssertTrue(result.stderr.contains("cannot write the results to stdout"), result.stderr)
        let saved = files(matching: ".png")
        XCTAssertEqual(saved.count, 1, "the image is saved whatever happens to stdout")
        assertPNGs(saved)
    }
}
