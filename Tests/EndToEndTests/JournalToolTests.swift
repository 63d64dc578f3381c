import Foundation
import XCTest
import DashScopeMock

/// The journal as a tool: `task list --local` filters and origins, `task wait --all`, `task forget`, local times, and
/// `task wait` on a task already saved.
final class JournalToolTests: EndToEndCase {
    /// Submits with `--no-wait` and returns the task id.
    private func submit(_ prompt: String, model: String = "wan2.2-t2i-flash", env: [String: String] = [:],
                        file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try run(["t2i", prompt, "-m", model, "--no-wait"], env: env, file: file, line: line)
        assertExit(result, 0, file: file, line: line)
        return try XCTUnwrap(result.lines.first, file: file, line: line)
    }

    private func localIDs(_ extra: [String], env: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let result = try run(["task", "list", "--local"] + extra, env: env, file: file, line: line)
        assertExit(result, 0, file: file, line: line)
        return result.lines.map { String($0.split(separator: "\t").first ?? "") }
    }

    func testLocalListFiltersAndShowsOriginAndLocalTime() throws {
        let flash = try submit("a fox")
        let wan = try submit("a dog", model: "wan2.6-t2i")
        let done = try run(["task", "wait", flash])
        assertExit(done, 0)

        XCTAssertEqual(try localIDs([]), [wan, flash], "newest first")
        XCTAssertEqual(try localIDs(["-m", "wan2.6-t2i"]), [wan])
        XCTAssertEqual(try localIDs(["--status", "succeeded"]), [flash])
        XCTAssertEqual(try localIDs(["--status", "running"]), [wan], "unfinished tasks answer PENDING/RUNNING")
        XCTAssertEqual(try localIDs(["--since", "2000-01-01T00:00:00Z"]).count, 2)
        XCTAssertEqual(try localIDs(["--until", "2000-01-01"]), [])
        XCTAssertEqual(try localIDs(["--since", "2999-01-01 00:00:00"]), [])

        let tokyo = try run(["task", "list", "--local"], env: ["TZ": "Asia/Tokyo"])
        let fields = try XCTUnwrap(tokyo.lines.first).split(separator: "\t").map(String.init)
        XCTAssertEqual(fields.count, 6, tokyo.stdout)
        XCTAssertTrue(fields[3].hasSuffix(" +09:00"), "local time with the offset: \(fields[3])")
        XCTAssertEqual(fields[4], mock.origin, "the origin the task was submitted to")

        let bad = try run(["task", "list", "--local", "--since", "last week"])
        assertExit(bad, 64)
    }

    func testLocalListComesAPageAtATime() throws {
        var ids: [String] = []
        for index in 0..<3 { ids.insert(try submit("task \(index)"), at: 0) }
        XCTAssertEqual(try localIDs(["--page-size", "2"]), Array(ids[0..<2]), "the newest page first")
        let first = try run(["task", "list", "--local", "--page-size", "2"])
        XCTAssertTrue(first.stderr.contains("page 1: 2 of 3 journalled tasks; --page 2 for more"), first.stderr)
        XCTAssertEqual(try localIDs(["--page-size", "2", "--page", "2"]), [ids[2]])
        let last = try run(["task", "list", "--local", "--page-size", "2", "--page", "2"])
        XCTAssertTrue(last.stderr.contains("page 2: 1 of 3 journalled tasks") && !last.stderr.contains("for more"), last.stderr)
        XCTAssertEqual(try localIDs([]), ids, "ten to a page by default, as the service's list")
        let count = { (args: [String]) in try self.run(["task", "list", "--local", "--json"] + args).stdout.components(separatedBy: "\"task_id\"").count - 1 }
        XCTAssertEqual(try count(["--page-size", "2"]), 2)
        XCTAssertEqual(try count([]), 3, "a script reading --json gets the whole journal unless it asks for a page")
        assertExit(try run(["task", "list", "--local", "--page", "0"]), 64)
        let far = try run(["task", "list", "--local", "--page", "9223372036854775807", "--page-size", "100"])
        assertExit(far, 0)
        assertNoBacktrace(far)
        XCTAssertEqual(far.stdout, "", "a page past the end is empty")
    }

    func testRemoteListSendsTimesInBeijingTime() throws {
        let result = try run(["task", "list", "--since", "2026-11-23T10:00:00+01:00", "--until", "2026-11-23 12:00"], env: ["TZ": "UTC"])
        assertExit(result, 0)
        let query = try XCTUnwrap(mock.requests.last?.query)
        XCTAssertEqual(query["start_time"], "20261123170000")
        XCTAssertEqual(query["end_time"], "20261123200000")
    }

    /// A date alone in --until is the end of that day: `--since D --until D` lists day D, locally and remotely.
    func testADateAloneInUntilIncludesThatDay() throws {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        let today = formatter.string(from: Date())
        let id = try submit("today")
        try XCTSkipIf(formatter.string(from: Date()) != today, "UTC midnight passed during the submit")
        XCTAssertEqual(try localIDs(["--since", today, "--until", today], env: ["TZ": "UTC"]), [id])

        let remote = try run(["task", "list", "--since", "2026-11-20", "--until", "2026-11-20"], env: ["TZ": "UTC"])
        assertExit(remote, 0)
        let query = try XCTUnwrap(mock.requests.last?.query)
        XCTAssertEqual(query["start_time"], "20261120080000")
        XCTAssertEqual(query["end_time"], "20261121075959", "the last second of 2026-11-20 UTC, in Beijing time")
    }

    func testWaitAllFinishesEveryUnfinishedTaskOfThisOrigin() throws {
        let first = try submit("first")
        let second = try submit("second")
        try write(#"{"event":"submitted","task_id":"elsewhere-1","model":"m","command":"t2i","prompt":"p","origin":"https://other.example","submitted_at":"2026-01-01T00:00:00Z"}"# + "\n",
                  to: ".state/dashscope/tasks.jsonl.extra")
        let journal = url(".state/dashscope/tasks.jsonl")
        let handle = try FileHandle(forWritingTo: journal)
        try handle.seekToEnd()
        try handle.write(contentsOf: try Data(contentsOf: url(".state/dashscope/tasks.jsonl.extra")))
        try handle.close()

        let all = try run(["task", "wait", "--all"])
        assertExit(all, 0)
        XCTAssertEqual(all.lines.count, 2, all.stdout)
        XCTAssertTrue(all.stderr.contains(first) && all.stderr.contains(second), all.stderr)
        XCTAssertTrue(all.stderr.contains("https://other.example"), "says why a task is skipped: \(all.stderr)")
        XCTAssertTrue(all.stderr.contains("2 of 2 tasks saved"), all.stderr)

        let again = try run(["task", "wait", "--all"])
        assertExit(again, 0)
        XCTAssertEqual(again.stdout, "")
        XCTAssertTrue(again.stderr.contains("no unfinished task"), again.stderr)
    }

    func testWaitAllGoesOnAfterAFailureAndExitsWithTheWorst() throws {
        let good = try submit("good")
        mock.inject(Fault(.fail))
        let bad = try submit("bad")
        let all = try run(["task", "wait", "--all"])
        assertExit(all, 1)
        XCTAssertEqual(all.lines.count, 1, "the good task is saved: \(all.stdout)")
        XCTAssertTrue(all.stderr.contains("error: task \(bad) failed"), all.stderr)
        XCTAssertTrue(all.stderr.contains("1 of 2 tasks saved"), all.stderr)
        XCTAssertTrue(all.stderr.contains(good))
    }

    /// Under --json the last stderr line is one JSON error for the worst outcome (README: "JSON output and errors"),
    /// with the summary in its message; stdout holds the array of the tasks saved.
    func testWaitAllJSONEndsWithTheWorstFailureAsOneJSONError() throws {
        _ = try submit("good")
        mock.inject(Fault(.fail))
        let bad = try submit("bad")
        let all = try run(["task", "wait", "--all", "--json"])
        assertExit(all, 1)
        let saved = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [Any], all.stdout)
        XCTAssertEqual(saved.count, 1)
        let last = try XCTUnwrap(all.errorLines.last(where: { !$0.isEmpty }))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], all.stderr)
        let error = object.object("error")
        XCTAssertEqual(error.int("exit_code"), 1, last)
        XCTAssertEqual(error.string("task_id"), bad, last)
        XCTAssertTrue(error.string("message")?.hasPrefix("1 of 2 tasks saved; the worst outcome: exit 1") == true, last)
    }

    func testWaitOnASavedTaskSaysWhereItsFilesAre() throws {
        let id = try submit("a fox")
        let first = try run(["task", "wait", id, "-o", "foxes/"])
        assertExit(first, 0)
        let downloadsBefore = downloads.count

        let again = try run(["task", "wait", id])
        assertExit(again, 0)
        XCTAssertEqual(again.lines, first.lines, "the same paths, as a download would print them")
        XCTAssertTrue(again.stderr.contains("already saved"), again.stderr)
        XCTAssertEqual(downloads.count, downloadsBefore, "nothing downloaded again")
        XCTAssertEqual(files(matching: ".png").count, 1, "no copies")

        let forced = try run(["task", "wait", id, "--force"])
        assertExit(forced, 0)
        XCTAssertGreaterThan(downloads.count, downloadsBefore)

        XCTAssertEqual(files(matching: ".png").count, 2, "--force saved a second copy")
        try FileManager.default.removeItem(at: url(try XCTUnwrap(forced.lines.first)))
        let gone = try run(["task", "wait", id, "-o", "foxes/"])
        assertExit(gone, 0)
        XCTAssertTrue(gone.stderr.contains("gone; downloading again"), gone.stderr)
    }

    /// A journalled task is asked for only where it was submitted: another origin's UNKNOWN would close a task that runs
    /// on elsewhere, and no later `task wait` would collect it.
    func testWaitWithTheIDOfATaskOfAnotherOriginIsRefusedAndTheTaskStaysOpen() throws {
        let id = try submit("elsewhere")
        let first = mock.origin
        let other = MockServer(options: MockOptions(taskSeconds: 0))
        try other.start()
        defer { other.stop() }
        let result = try run(["task", "wait", id, "--base-url", other.origin])
        assertExit(result, 64)
        XCTAssertTrue(result.stderr.contains("was submitted to \(first)"), result.stderr)
        XCTAssertTrue(result.stderr.contains("dashscope task wait \(id) --base-url \(first)"), result.stderr)
        XCTAssertTrue(other.requests.isEmpty, "nothing asked of the other origin")
        let collected = try run(["task", "wait"])
        assertExit(collected, 0)
        XCTAssertTrue(collected.stderr.contains("resuming task \(id)"), collected.stderr)
    }

    /// Ctrl-C in `task wait --all` keeps the documents of the tasks saved so far on stdout and says how to go on with all
    /// the tasks still open, not the running one alone.
    func testAnInterruptedWaitAllSaysHowToGoOnWithEveryTask() throws {
        var options = MockOptions(taskSeconds: 0)
        options.taskDurations = [0, 60, 60]
        try startMock(options)
        let ids = try ["one", "two", "three"].map { try submit($0) }
        let process = try spawn(["task", "wait", "--all", "--json", "-o", "all/"])
        waitUntil("the second task is polled") { polls.contains { $0.path.hasSuffix(ids[1]) } }
        process.send(SIGINT)
        let result = process.finish(timeout: 10)
        assertExit(result, 130)
        let saved = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], result.stdout)
        XCTAssertEqual(saved.map { $0["task_id"] as? String }, [ids[0]], "the task saved before the stop")
        XCTAssertTrue(result.stderr.contains("2 of 3 tasks are unfinished; go on with all of them: dashscope task wait --all -o \(root.path)/all/ --json"),
                      result.stderr)
    }

    func testWaitWithoutIDExplainsTasksOfOtherOrigins() throws {
        _ = try submit("elsewhere")
        try startMock(MockOptions(taskSeconds: 0))
        let result = try run(["task", "wait"])
        assertExit(result, 64)
        XCTAssertTrue(result.stderr.contains("submitted to http://127.0.0.1"), result.stderr)
        XCTAssertTrue(result.stderr.contains("--base-url"), result.stderr)
    }

    func testForgetPrunesTheJournal() throws {
        let done = try submit("done")
        let open = try submit("open")
        let other = try submit("other")
        assertExit(try run(["task", "wait", done]), 0)

        assertExit(try run(["task", "forget", "--done"]), 0)
        XCTAssertEqual(try localIDs([]), [other, open])
        assertExit(try run(["task", "forget", open]), 0)
        XCTAssertEqual(try localIDs([]), [other])
        assertExit(try run(["task", "forget", "--older-than", "1d"]), 0)
        XCTAssertEqual(try localIDs([]), [other], "a task of today is not older than a day")
        assertExit(try run(["task", "forget", other]), 0)
        XCTAssertEqual(try localIDs([]), [])

        assertExit(try run(["task", "forget"]), 64)
        assertExit(try run(["task", "forget", "--older-than", "soon"]), 64)
        assertExit(try run(["task", "forget", open]), 64)
        XCTAssertTrue(mock.requests.filter { $0.path.hasPrefix("/api/v1/tasks") && $0.method != "GET" }.isEmpty, "forget sends nothing")
    }

    /// `--older-than` keeps an unfinished task submitted less than 24 h ago (its results are paid for and can still be
    /// collected) and says so; its id still forgets it; a zero age is refused.
    func testForgetKeepsUnfinishedTasksThatCanStillBeCollected() throws {
        func line(_ id: String, hoursAgo: Double) -> String {
            let when = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-hoursAgo * 3600))
            return #"{"event":"submitted","task_id":"\#(id)","model":"wan2.2-t2i-flash","command":"t2i","prompt":"p","origin":"\#(mock.origin)","submitted_at":"\#(when)"}"# + "\n"
        }
        try write(line("young-open", hoursAgo: 8) + line("stale-open", hoursAgo: 30) + line("old-done", hoursAgo: 9)
                  + #"{"event":"finished","task_id":"old-done","outcome":"SUCCEEDED"}"# + "\n", to: ".state/dashscope/tasks.jsonl")
        XCTAssertEqual(try localIDs([]), ["old-done", "stale-open", "young-open"])

        let zero = try run(["task", "forget", "--older-than", "0d"])
        assertExit(zero, 64)
        XCTAssertTrue(zero.stderr.contains("above zero"), zero.stderr)
        XCTAssertEqual(try localIDs([]).count, 3, "nothing forgotten")

        let aged = try run(["task", "forget", "--older-than", "1h"])
        assertExit(aged, 0)
        XCTAssertEqual(try localIDs([]), ["young-open"])
        XCTAssertTrue(aged.stderr.contains("forgot 2 tasks"), aged.stderr)
        XCTAssertTrue(aged.stderr.contains("kept 1 unfinished task submitted less than 24 h ago"), aged.stderr)

        assertExit(try run(["task", "forget", "young-open"]), 0)
        XCTAssertEqual(try localIDs([]), [])
    }
}
