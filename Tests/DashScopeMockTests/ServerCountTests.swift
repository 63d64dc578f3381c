import Foundation
import XCTest
@testable import DashScopeMock

final class TaskDurationCycleTests: MockTestCase {
    func testEachTaskTakesTheNextDurationCycling() async throws {
        let clock = TestClock()
        var options = MockOptions()
        options.taskDurations = [4, 9]
        let timed = MockServer(options: options, clock: { clock.now() })
        try timed.start()
        defer { timed.stop() }
        let ids = [try await createTask(on: timed), try await createTask(on: timed), try await createTask(on: timed)]
        clock.advance(5)
        var statuses: [String?] = []
        for id in ids {
            statuses.append(try await send("GET", "/api/v1/tasks/\(id)", to: timed).taskStatus)
        }
        XCTAssertEqual(statuses, ["SUCCEEDED", "RUNNING", "SUCCEEDED"], "4 s, 9 s, then 4 s again")
        clock.advance(4)
        let second = try await send("GET", "/api/v1/tasks/\(ids[1])", to: timed)
        XCTAssertEqual(second.taskStatus, "SUCCEEDED")
    }
}

final class ServerCountTests: MockTestCase {
    func testPollsAreCountedPerTask() async throws {
        let id = try await createTask()
        XCTAssertEqual(server.pollCount(id), 0)
        _ = try await query(id)
        _ = try await query(id)
        _ = try await query("other")
        _ = try await send("GET", "/api/v1/tasks")
        XCTAssertEqual(server.pollCount(id), 2)
        XCTAssertEqual(server.pollCount("other"), 1)
        XCTAssertEqual(server.pollCount("never-asked"), 0)
    }

    func testConnectionsAreCounted() throws {
        XCTAssertEqual(server.connectionCount, 0)
        for _ in 0..<3 {
            _ = try RawConnection.exchange(port: server.port, "GET /files/a/0.png HTTP/1.1\r\nHost: x\r\n\r\n")
        }
        XCTAssertEqual(server.connectionCount, 3)
    }

    func testOriginNamesTheBoundAddress() throws {
        XCTAssertEqual(server.origin, "http://127.0.0.1:\(server.port)")
        let bound = MockServer(options: MockOptions(bindAddress: "127.0.0.1"))
        try bound.start()
        defer { bound.stop() }
        XCTAssertEqual(bound.origin, "http://127.0.0.1:\(bound.port)")
        XCTAssertThrowsError(try MockServer(options: MockOptions(bindAddress: "nowhere")).start()) { error in
            XCTAssertTrue(String(describing: error).contains("not an IPv4 address"), "\(error)")
        }
    }
}

final class MockStatsTests: MockTestCase {
    func testStatsMeasurePollsAndHowLateEachEndWasNoticed() async throws {
        let clock = TestClock()
        var options = MockOptions()
        options.taskDurations = [4, 9]
        let timed = MockServer(options: options, clock: { clock.now() })
        try timed.start()
        defer { timed.stop() }
        let first = try await createTask(on: timed)
        let second = try await createTask(on: timed)
        clock.advance(3)
        _ = try await send("GET", "/api/v1/tasks/\(first)", to: timed)
        clock.advance(2.5)
        _ = try await send("GET", "/api/v1/tasks/\(first)", to: timed)
        _ = try await send("GET", "/api/v1/tasks/\(first)", to: timed)
        clock.advance(4)
        _ = try await send("GET", "/api/v1/tasks/\(second)", to: timed)
        let stats = timed.statistics
        XCTAssertEqual(stats.tasks, [
            TaskStats(taskID: first, seconds: 4, polls: 3, lag: 1.5),
            TaskStats(taskID: second, seconds: 9, polls: 1, lag: 0.5),
        ])
        XCTAssertEqual(stats.connections, timed.connectionCount)
        XCTAssertGreaterThan(stats.connections, 0)
    }

    func testStatsAreServedAsJSONWithoutKeyOrFaultsOrRecording() async throws {
        let id = try await createTask()
        server.inject(Fault(.unavailable))
        let before = server.requests.count
        let reply = try await send("GET", MockStats.path, key: nil)
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(server.requests.count, before, "not recorded")
        let tasks = try XCTUnwrap(reply.json["tasks"] as? [[String: Any]])
        XCTAssertEqual(tasks.first?["task_id"] as? String, id)
        XCTAssertEqual(tasks.first?["polls"] as? Int, 0)
        XCTAssertTrue(tasks.first?["lag_seconds"] is NSNull)
        XCTAssertNotNil(reply.json["connections"] as? Int)
        assertError(try await query(id), 503, "ServiceUnavailable")
    }
}
