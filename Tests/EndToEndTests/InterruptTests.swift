import Foundation
import XCTest
import DashScopeMock
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ctrl-C while waiting or downloading, and a reader that closes stdout before anything is written (EPIPE on the first write).
final class InterruptTests: EndToEndCase {
    func testInterruptWhileWaitingPrintsTheResumeLine() throws {
        try startMock(MockOptions(taskSeconds: 30))
        let process = try spawn(["t2i", "a slow cat", "-m", "wan2.2-t2i-flash"])
        waitUntil("the task is created and polled") { !polls.isEmpty }
        let id = try XCTUnwrap(polls.first?.path.split(separator: "/").last.map(String.init))
        process.send(SIGINT)
        let result = process.finish(timeout: 10)
        assertKeyHidden(result)
        assertExit(result, 130)
        XCTAssertLessThan(result.seconds, 15, "Ctrl-C must not wait for the task")
        XCTAssertEqual(result.stdout, "")
        let resume = "dashscope task wait \(id)"
        XCTAssertTrue(result.errorLines.contains { $0 == resume || $0.hasSuffix(" " + resume) || $0.hasSuffix(": " + resume) },
                      "stderr must end a line with exactly `\(resume)`: \(result.stderr)")
        XCTAssertEqual(creates.count, 1)

        let journal = try run(["task", "list", "--local"])
        XCTAssertEqual(journal.lines.first?.components(separatedBy: "\t").prefix(2), [id, "unfinished"],
                       "the interrupted task stays resumable: \(journal.stdout)")
    }

    func testInterruptedResumeLineCarriesTheOutput() throws {
        try startMock(MockOptions(taskSeconds: 30))
        let process = try spawn(["t2i", "a slow cat", "-m", "wan2.2-t2i-flash", "-o", "my pics/", "--force"])
        waitUntil("the task is created and polled") { !polls.isEmpty }
        let id = try XCTUnwrap(polls.first?.path.split(separator: "/").last.map(String.init))
        process.send(SIGINT)
        let result = process.finish(timeout: 10)
        assertKeyHidden(result)
        assertExit(result, 130)
        XCTAssertTrue(result.stderr.contains("dashscope task wait \(id) -o '\(root.path)/my pics/' --force\n"), result.stderr)
    }

    /// A synchronous answer has no task to collect again: stopped during its downloads, it names the request and the
    /// URLs of what was made and billed.
    func testInterruptDuringTheDownloadsOfASynchronousAnswerListsItsURLs() throws {
        mock.inject(try Fault(spec: "slow@file*2:5"))
        let process = try spawn(["t2i", "a cat", "-m", "wan2.6-t2i", "-n", "2", "-o", "pics/"])
        waitUntil("the downloads have started") { downloads.count == 2 }
        process.send(SIGINT)
        let result = process.finish(timeout: 10)
        assertExit(result, 130)
        // The mock serves a synchronous answer's files under its request id.
        let id = try XCTUnwrap(downloads.first?.path.split(separator: "/").dropLast().last.map(String.init))
        XCTAssertTrue(result.stderr.contains("error: interrupted (request \(id))"), result.stderr)
        XCTAssertTrue(result.stderr.contains("fetch them within 24 h"), result.stderr)
        for index in 0..<2 { XCTAssertTrue(result.stderr.contains("hint: \(mock.origin)/files/\(id)/\(index).png"), result.stderr) }
        XCTAssertFalse(result.stderr.contains("task wait"), "no task to wait for: \(result.stderr)")
        XCTAssertEqual(files(matching: ".png"), [], "no file may carry a final name")
    }

    func testInterruptDuringDownloadLeavesNoFinalFile() throws {
        mock.inject(try Fault(spec: "slow@file:5"))
        let process = try spawn(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-o", "pics/"])
        waitUntil("the download has started") { !downloads.isEmpty }
        waitUntil("the .part file exists") { !files(matching: ".part").isEmpty }
        let sent = Date()
        process.send(SIGINT)
        let result = process.finish(timeout: 10)
        assertKeyHidden(result)
        assertExit(result, 130)
        XCTAssertLessThan(Date().timeIntervalSince(sent), 3, "Ctrl-C must not wait for the slow download (5 s)")
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(files(matching: ".png"), [], "no file may carry a final name")
        assertOnlyResumableParts()
        XCTAssertTrue(result.stderr.contains("dashscope task wait"), result.stderr)
    }

    func testClosedStdoutPrintsNoBacktrace() throws {
        let process = try spawn(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-n", "2"], closeStdout: true)
        let result = process.finish(timeout: 20)
        assertNoCrash(result)
        XCTAssertTrue(!result.signaled || result.status == SIGPIPE, "killed by signal \(result.status): \(result.stderr)")
        XCTAssertEqual(downloads.count, 2)
    }

    func testClosedStdoutWithSIGPIPEIgnoredPrintsNoBacktrace() throws {
        for args in [["t2i", "a cat", "-n", "2"], ["t2i", "a cat", "--json"], ["help"], ["task", "list"]] {
            let result = try spawn(args, closeStdout: true, ignoreSIGPIPE: true).finish(timeout: 20)
            assertNoCrash(result)
            XCTAssertFalse(result.signaled, "\(args): killed by signal \(result.status): \(result.stderr)")
        }
    }

    private func assertNoCrash(_ result: RunResult, file: StaticString = #filePath, line: UInt = #line) {
        assertKeyHidden(result, file: file, line: line)
        for sign in ["Fatal error", "backtrace", "Backtrace", "Crash", "Illegal instruction", "💣"] {
            XCTAssertFalse(result.stderr.contains(sign), "stderr shows a crash: \(result.stderr)", file: file, line: line)
        }
    }
}
