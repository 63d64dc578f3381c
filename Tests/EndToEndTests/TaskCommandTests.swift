import Foundation
import XCTest
import DashScopeMock

/// `--no-wait`, then `task status|wait|cancel|list` on what it left behind.
final class TaskCommandTests: EndToEndCase {
    /// Submits with `--no-wait` and returns the task id it printed.
    private func submit(_ extra: [String] = [], prompt: String = "a cat", model: String = "wan2.2-t2i-flash",
                        file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try run(["t2i", prompt, "-m", model, "--no-wait"] + extra, file: file, line: line)
        assertExit(result, 0, file: file, line: line)
        XCTAssertEqual(result.lines.count, 1, "--no-wait prints only the task id: \(result.stdout)", file: file, line: line)
        return try XCTUnwrap(result.lines.first, file: file, line: line)
    }

    func testNoWaitPrintsOnlyTheTaskIDThenStatusAndWaitFinishTheJob() throws {
        let id = try submit(["-o", "ignored/"], model: "wan2.6-t2i")
        XCTAssertEqual(creates.first?.path, "/api/v1/services/aigc/image-generation/generation", "--no-wait needs the async route")
        XCTAssertEqual(creates.first?.headers["x-dashscope-async"], "enable")
        XCTAssertTrue(polls.isEmpty, "--no-wait must not poll")
        XCTAssertTrue(downloads.isEmpty)
        XCTAssertTrue(files(matching: ".png").isEmpty)

        let status = try run(["task", "status", id])
        assertExit(status, 0)
        XCTAssertEqual(status.stdout, "SUCCEEDED\n")
        XCTAssertEqual(polls.last?.path, "/api/v1/tasks/\(id)")

        let wait = try run(["task", "wait", id, "-o", "later/"])
        assertExit(wait, 0)
        XCTAssertEqual(wait.lines.count, 1, wait.stdout)
        XCTAssertTrue(wait.lines.allSatisfy { $0.hasPrefix("later/") }, wait.stdout)
        assertPNGs(wait.lines)
        XCTAssertEqual(downloads.map(\.path), ["/files/\(id)/0.png"])
        assertNoPartFiles()
    }

    func testNoWaitTellsHowToCollect() throws {
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "--no-wait", "-o", "shots/"])
        assertExit(result, 0)
        let id = try XCTUnwrap(result.lines.first)
        XCTAssertTrue(result.stderr.contains("dashscope task wait \(id) -o \(root.path)/shots/"), result.stderr)
    }

    func testStatusOfARunningTask() throws {
        try startMock(MockOptions(taskSeconds: 30))
        let id = try submit()
        let status = try run(["task", "status", id])
        assertExit(status, 0)
        XCTAssertEqual(status.stdout, "PENDING\n")
    }

    func testWaitWithoutIDResumesTheNewestUnfinishedTask() throws {
        let first = try submit(["-o", "first/"], prompt: "first")
        let second = try submit(["-o", "second/"], prompt: "second")

        let newest = try run(["task", "wait"])
        assertExit(newest, 0)
        XCTAssertTrue(newest.stderr.contains(second), newest.stderr)
        XCTAssertEqual(newest.lines.count, 1)
        XCTAssertTrue(newest.lines.allSatisfy { $0.hasPrefix("second/") }, "the journal remembers -o: \(newest.stdout)")
        assertPNGs(newest.lines)
        XCTAssertEqual(downloads.map(\.path), ["/files/\(second)/0.png"])

        let older = try run(["task", "wait"])
        assertExit(older, 0)
        XCTAssertTrue(older.lines.allSatisfy { $0.hasPrefix("first/") }, older.stdout)
        XCTAssertEqual(downloads.last?.path, "/files/\(first)/0.png")

        mock.clearRequests()
        let none = try run(["task", "wait"])
        assertExit(none, 64)
        XCTAssertTrue(none.stderr.hasPrefix("error: "), none.stderr)
        XCTAssertTrue(none.errorLines.contains { $0.hasPrefix("hint: ") }, none.stderr)
        XCTAssertTrue(mock.requests.isEmpty)
    }

    func testCancelAPendingTask() throws {
        try startMock(MockOptions(taskSeconds: 30))
        let id = try submit()
        let cancel = try run(["task", "cancel", id])
        assertExit(cancel, 0)
        XCTAssertEqual(mock.requests.last?.method, "POST")
        XCTAssertEqual(mock.requests.last?.path, "/api/v1/tasks/\(id)/cancel")
        XCTAssertEqual(mock.requests.last?.headers["authorization"], "Bearer \(Self.apiKey)")

        let status = try run(["task", "status", id])
        assertExit(status, 0)
        XCTAssertEqual(status.stdout, "CANCELED\n")

        let wait = try run(["task", "wait", id])
        assertExit(wait, 1)
        XCTAssertTrue(wait.stderr.contains("canceled"), wait.stderr)
    }

    func testCancelAFinishedTaskFailsWithAHint() throws {
        let id = try submit()
        assertExit(try run(["task", "status", id]), 0)
        let cancel = try run(["task", "cancel", id])
        assertExit(cancel, 1)
        XCTAssertTrue(cancel.stderr.hasPrefix("error: "), cancel.stderr)
        XCTAssertTrue(cancel.stderr.contains("UnsupportedOperation"), cancel.stderr)
        let hint = try XCTUnwrap(cancel.errorLines.first { $0.hasPrefix("hint: ") }, cancel.stderr)
        XCTAssertTrue(hint.contains("PENDING"), hint)
        XCTAssertEqual(cancel.stdout, "")
    }

    func testListAsksTheServiceAndPrintsRows() throws {
        let flash1 = try submit()
        let flash2 = try submit()
        let qwen = try submit(model: "qwen-image")
        mock.clearRequests()

        let all = try run(["task", "list"])
        assertExit(all, 0)
        let request = try XCTUnwrap(mock.requests.first)
        XCTAssertEqual(request.method, "GET")
        XCTAssertEqual(request.path, "/api/v1/tasks")
        XCTAssertEqual(request.query, ["page_no": "1", "page_size": "10"])
        let rows = all.lines.map { $0.components(separatedBy: "\t") }
        XCTAssertEqual(rows.count, 3, all.stdout)
        XCTAssertTrue(rows.allSatisfy { $0.count >= 3 }, "rows are tab-separated: \(all.stdout)")
        XCTAssertEqual(Set(rows.map { $0[0] }), [flash1, flash2, qwen])
        XCTAssertEqual(rows.first { $0[0] == qwen }?[2], "qwen-image")

        mock.clearRequests()
        let filtered = try run(["task", "list", "--status", "SUCCEEDED", "-m", "wan2.2-t2i-flash"])
        assertExit(filtered, 0)
        XCTAssertEqual(mock.requests.first?.query,
                       ["page_no": "1", "page_size": "10", "status": "SUCCEEDED", "model_name": "wan2.2-t2i-flash"])
        let filteredRows = filtered.lines.map { $0.components(separatedBy: "\t") }
        XCTAssertEqual(Set(filteredRows.map { $0[0] }), [flash1, flash2], filtered.stdout)
        XCTAssertTrue(filteredRows.allSatisfy { $0[1] == "SUCCEEDED" && $0[2] == "wan2.2-t2i-flash" }, filtered.stdout)

        mock.clearRequests()
        let paged = try run(["task", "list", "--page", "2", "--page-size", "2"])
        assertExit(paged, 0)
        XCTAssertEqual(mock.requests.first?.query, ["page_no": "2", "page_size": "2"])
        XCTAssertEqual(paged.lines.count, 1, paged.stdout)
    }

    func testListLocalShowsTheJournal() throws {
        let done = try submit(prompt: "first picture")
        let open = try submit(prompt: "second picture", model: "wan2.2-t2i-plus")
        assertExit(try run(["task", "wait", done]), 0)
        mock.clearRequests()

        let local = try run(["task", "list", "--local"])
        assertExit(local, 0)
        XCTAssertTrue(mock.requests.isEmpty, "--local must not ask the service")
        let rows = local.lines.map { $0.components(separatedBy: "\t") }
        XCTAssertEqual(rows.map { $0[0] }, [open, done], "newest first: \(local.stdout)")
        XCTAssertEqual(rows.first?[1], "unfinished")
        XCTAssertEqual(rows.first?[2], "wan2.2-t2i-plus")
        XCTAssertEqual(rows.first?.last, "second picture")
        XCTAssertEqual(rows.last?[1], "SUCCEEDED")
        XCTAssertEqual(rows.last?.last, "first picture")
    }

    func testStatusListAndCancelWorkAgainstTheBuiltInMock() throws {
        let mockEnv: Set<String> = ["DASHSCOPE_API_KEY", "DASHSCOPE_BASE_URL"]
        let status = try run(["task", "status", "0385dc79-5ff8-4d82-bcb6-000000000000", "--mock"], removing: mockEnv)
        assertExit(status, 0)
        XCTAssertEqual(status.stdout, "UNKNOWN\n", status.stderr)
        let list = try run(["task", "list", "--mock", "--json"], removing: mockEnv)
        assertExit(list, 0)
        XCTAssertTrue(list.stdout.contains("\"tasks\""), list.stdout + list.stderr)
        let cancel = try run(["task", "cancel", "0385dc79-5ff8-4d82-bcb6-000000000000", "--mock"], removing: mockEnv)
        XCTAssertNotEqual(cancel.status, 69, "the mock must still be up when the request is sent: \(cancel.stderr)")
    }

    func testNoWaitWithTheBuiltInMockSaysTheTaskCannotBeCollected() throws {
        let result = try run(["t2i", "a cat", "--no-wait", "--mock"], removing: ["DASHSCOPE_API_KEY", "DASHSCOPE_BASE_URL"])
        assertExit(result, 0)
        XCTAssertEqual(result.lines.count, 1, "the task id: \(result.stdout)")
        XCTAssertTrue(result.stderr.contains("cannot be collected later"), result.stderr)
        XCTAssertFalse(result.stderr.contains("collect it with"), result.stderr)
    }

    func testNoWaitJournalsATildeOutputUnderHome() throws {
        _ = try submit(["-o", "~/pics/"])
        let journal = try String(contentsOf: root.appendingPathComponent(".state/dashscope/tasks.jsonl"), encoding: .utf8)
        let expected = root.path + "/pics/"
        XCTAssertTrue(journal.contains("\"output\":\"\(expected.replacingOccurrences(of: "/", with: "\\/"))\"")
                      || journal.contains("\"output\":\"\(expected)\""), "-o ~/pics/ is journaled as $HOME/pics/: \(journal)")
        XCTAssertFalse(journal.contains("/~/"), journal)
    }
}
