import Foundation
import XCTest
@testable import DashScopeMock

final class TaskLifecycleTests: MockTestCase {
    private let timePattern = #"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$"#

    func testZeroSecondTaskSucceedsAtFirstQuery() async throws {
        let id = try await createTask("wan2.2-t2i-flash", n: 2)
        let reply = try await query(id)
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.taskStatus, "SUCCEEDED")
        XCTAssertEqual(reply.output["task_id"] as? String, id)
        for key in ["submit_time", "scheduled_time", "end_time"] {
            let time = try XCTUnwrap(reply.output[key] as? String, key)
            XCTAssertNotNil(time.range(of: timePattern, options: .regularExpression), time)
        }
        let results = try XCTUnwrap(reply.output["results"] as? [[String: Any]])
        XCTAssertEqual(results.map { $0["url"] as? String }, [
            "\(server.origin)/files/\(id)/0.png", "\(server.origin)/files/\(id)/1.png",
        ])
        XCTAssertEqual(results.first?["orig_prompt"] as? String, "a cat")
        XCTAssertNotNil(results.first?["actual_prompt"] as? String)
        XCTAssertEqual(reply.output["task_metrics"] as? [String: Int], ["TOTAL": 2, "SUCCEEDED": 2, "FAILED": 0])
        XCTAssertEqual(reply.usage["image_count"] as? Int, 2)
    }

    func testQwenResultsUseTheSingularMetricsKey() async throws {
        let reply = try await query(try await createTask("qwen-image"))
        XCTAssertEqual(reply.output["task_metric"] as? [String: Int], ["TOTAL": 1, "SUCCEEDED": 1, "FAILED": 0])
        XCTAssertNil(reply.output["task_metrics"])
    }

    func testPromptExtendOffLeavesOutTheActualPrompt() async throws {
        let body = Body.prompt("wan2.2-t2i-plus", parameters: ["n": 1, "prompt_extend": false])
        let created = try await post(.promptAsync, body)
        let reply = try await query(try XCTUnwrap(created.output["task_id"] as? String))
        let results = try XCTUnwrap(reply.output["results"] as? [[String: Any]])
        XCTAssertNil(results.first?["actual_prompt"])
    }

    func testMessagesTaskAnswersWithChoices() async throws {
        let created = try await post(.messagesAsync, Body.messages("wan2.6-t2i", parameters: ["n": 3]))
        XCTAssertEqual(created.taskStatus, "PENDING")
        let id = try XCTUnwrap(created.output["task_id"] as? String)
        let reply = try await query(id)
        XCTAssertEqual(reply.taskStatus, "SUCCEEDED")
        XCTAssertEqual(reply.output["finished"] as? Bool, true)
        let choices = try XCTUnwrap(reply.output["choices"] as? [[String: Any]])
        let content = try XCTUnwrap((choices.first?["message"] as? [String: Any])?["content"] as? [[String: Any]])
        XCTAssertEqual(content.compactMap { $0["image"] as? String }.count, 3)
        XCTAssertEqual(content.last?["image"] as? String, "\(server.origin)/files/\(id)/2.png")
        XCTAssertEqual(reply.usage["image_count"] as? Int, 3)
        XCTAssertEqual(reply.usage["width"] as? Int, 1280)
        XCTAssertEqual(reply.usage["height"] as? Int, 1280)
    }

    func testUnknownTaskIdAnswersUnknown() async throws {
        let reply = try await query("no-such-task")
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.taskStatus, "UNKNOWN")
        XCTAssertEqual(reply.output["task_id"] as? String, "no-such-task")
    }

    func testLifecycleFollowsTheClock() async throws {
        let clock = TestClock()
        let timed = MockServer(options: MockOptions(taskSeconds: 10), clock: { clock.now() })
        try timed.start()
        defer { timed.stop() }
        let id = try await createTask(on: timed)
        let path = "/api/v1/tasks/\(id)"
        let pending = try await send("GET", path, to: timed)
        XCTAssertEqual(pending.taskStatus, "PENDING")
        XCTAssertEqual(pending.output["submit_time"] as? String, "2025-09-01 12:00:00.000")
        XCTAssertNil(pending.output["scheduled_time"])
        clock.advance(2.9)
        let stillPending = try await send("GET", path, to: timed)
        XCTAssertEqual(stillPending.taskStatus, "PENDING")
        clock.advance(0.2)
        let running = try await send("GET", path, to: timed)
        XCTAssertEqual(running.taskStatus, "RUNNING")
        XCTAssertEqual(running.output["scheduled_time"] as? String, "2025-09-01 12:00:03.000")
        XCTAssertNil(running.output["end_time"])
        XCTAssertNil(running.output["results"])
        clock.advance(7)
        let done = try await send("GET", path, to: timed)
        XCTAssertEqual(done.taskStatus, "SUCCEEDED")
        XCTAssertEqual(done.output["end_time"] as? String, "2025-09-01 12:00:10.000")
        XCTAssertNotNil(done.output["results"])
    }

    func testShortTaskMovesForwardInRealTime() async throws {
        // Short, but long enough that a stalled test process still sees the task before it ends.
        let quick = MockServer(options: MockOptions(taskSeconds: 2))
        try quick.start()
        defer { quick.stop() }
        let id = try await createTask(on: quick)
        let order = ["PENDING", "RUNNING", "SUCCEEDED"]
        var seen: [String] = []
        let deadline = Date() + 5
        while seen.last != "SUCCEEDED", Date() < deadline {
            let reply = try await send("GET", "/api/v1/tasks/\(id)", to: quick)
            let status = try XCTUnwrap(reply.taskStatus)
            let previous = order.firstIndex(of: seen.last ?? "PENDING") ?? 0
            XCTAssertGreaterThanOrEqual(order.firstIndex(of: status) ?? -1, previous, "statuses only move forward")
            seen.append(status)
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        XCTAssertEqual(seen.last, "SUCCEEDED")
        XCTAssertNotEqual(seen.first, "SUCCEEDED")
    }
}

final class TaskCancelAndListTests: MockTestCase {
    override var options: MockOptions {
        MockOptions(taskSeconds: 60)
    }

    func testPendingTaskCanBeCanceledOnce() async throws {
        let id = try await createTask()
        let canceled = try await send("POST", "/api/v1/tasks/\(id)/cancel")
        XCTAssertEqual(canceled.status, 200)
        XCTAssertEqual(Set(canceled.json.keys), ["request_id"])
        let reply = try await query(id)
        XCTAssertEqual(reply.taskStatus, "CANCELED")
        XCTAssertNotNil(reply.output["end_time"])
        let again = try await send("POST", "/api/v1/tasks/\(id)/cancel")
        assertError(again, 400, "UnsupportedOperation", "PENDING")
        assertError(try await send("POST", "/api/v1/tasks/nope/cancel"), 400, "UnsupportedOperation")
    }

    func testFinishedTaskCannotBeCanceled() async throws {
        let instant = MockServer(options: MockOptions(taskSeconds: 0))
        try instant.start()
        defer { instant.stop() }
        let id = try await createTask(on: instant)
        assertError(try await send("POST", "/api/v1/tasks/\(id)/cancel", to: instant), 400, "UnsupportedOperation")
    }

    func testListIsNewestFirstAndFiltered() async throws {
        let first = try await createTask("wan2.2-t2i-flash")
        let second = try await createTask("qwen-image")
        let third = try await createTask("wan2.2-t2i-flash")
        _ = try await send("POST", "/api/v1/tasks/\(second)/cancel")

        let all = try await send("GET", "/api/v1/tasks?page_no=1&page_size=10&status=&model_name=")
        XCTAssertEqual(all.status, 200)
        XCTAssertEqual(all.json["total"] as? Int, 3)
        XCTAssertEqual(all.json["page_no"] as? Int, 1)
        XCTAssertEqual(all.json["page_size"] as? Int, 10)
        let tasks = try XCTUnwrap(all.json["tasks"] as? [[String: Any]])
        XCTAssertEqual(tasks.map { $0["task_id"] as? String }, [third, second, first])
        XCTAssertEqual(tasks.map { $0["model_name"] as? String }, ["wan2.2-t2i-flash", "qwen-image", "wan2.2-t2i-flash"])
        XCTAssertNotNil(tasks[0]["submit_time"])
        XCTAssertNil(tasks[0]["end_time"])
        XCTAssertNotNil(tasks[1]["end_time"])

        let canceled = try await send("GET", "/api/v1/tasks?status=CANCELED")
        XCTAssertEqual((canceled.json["tasks"] as? [[String: Any]])?.map { $0["task_id"] as? String }, [second])
        let flash = try await send("GET", "/api/v1/tasks?model_name=wan2.2-t2i-flash&status=PENDING")
        XCTAssertEqual(flash.json["total"] as? Int, 2)
        let page = try await send("GET", "/api/v1/tasks?page_no=2&page_size=2")
        XCTAssertEqual((page.json["tasks"] as? [[String: Any]])?.map { $0["task_id"] as? String }, [first])
        XCTAssertEqual(page.json["total"] as? Int, 3)
    }

    func testListTimeFilters() async throws {
        _ = try await createTask()
        let future = try await send("GET", "/api/v1/tasks?start_time=29990101000000")
        XCTAssertEqual(future.json["total"] as? Int, 0)
        let past = try await send("GET", "/api/v1/tasks?start_time=20000101000000&end_time=29991231235959")
        XCTAssertEqual(past.json["total"] as? Int, 1)
        assertError(try await send("GET", "/api/v1/tasks?start_time=2025-01-01"), 400, "InvalidParameter", "start_time")
        assertError(try await send("GET", "/api/v1/tasks?page_size=0"), 400, "InvalidParameter", "page_size")
        assertError(try await send("GET", "/api/v1/tasks?page_no=x"), 400, "InvalidParameter", "page_no")
    }
}
