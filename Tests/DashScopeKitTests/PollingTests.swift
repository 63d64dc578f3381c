import Foundation
import XCTest
@testable import DashScopeKit

final class PollingTests: XCTestCase {
    // MARK: PollSchedule

    func testImageScheduleStartsAtOneSecondGrowsAndCapsAtTen() {
        let delays = (0..<12).map { PollSchedule.images.delay(poll: $0, random: 0.5) }
        XCTAssertEqual(delays[0], 1, accuracy: 1e-9)
        XCTAssertEqual(delays[1], 1.5, accuracy: 1e-9)
        XCTAssertEqual(delays[2], 2.25, accuracy: 1e-9)
        for (a, b) in zip(delays, delays.dropFirst()) { XCTAssertLessThanOrEqual(a, b, "delays never shrink") }
        XCTAssertEqual(delays.last!, 10, accuracy: 1e-9)
        XCTAssertEqual(PollSchedule.images.delay(poll: 1000, random: 0.5), 10, accuracy: 1e-9)
    }

    func testVideoScheduleCapsAtFifteen() {
        XCTAssertEqual(PollSchedule.video.delay(poll: 0, random: 0.5), 1, accuracy: 1e-9)
        XCTAssertEqual(PollSchedule.video.delay(poll: 50, random: 0.5), 15, accuracy: 1e-9)
        XCTAssertGreaterThan(PollSchedule.video.delay(poll: 6, random: 0.5), 10)
    }

    func testJitterStaysWithinItsFraction() {
        let schedule = PollSchedule.images
        for poll in [0, 3, 20] {
            let base = schedule.delay(poll: poll, random: 0.5)
            XCTAssertEqual(schedule.delay(poll: poll, random: 0), base * 0.9, accuracy: 1e-9)
            let high = schedule.delay(poll: poll, random: 0.999_999)
            XCTAssertLessThan(high, base * 1.1 + 1e-9)
            XCTAssertGreaterThan(high, base * 1.09)
        }
        XCTAssertLessThanOrEqual(schedule.delay(poll: 100, random: 0.999_999), 11, "the cap bounds the jittered delay to cap·(1+jitter)")
    }

    func testLoopbackHostsPollFast() {
        for host in ["127.0.0.1", "localhost", "::1"] {
            XCTAssertEqual(PollSchedule.for(host: host, video: false), .local, host)
            XCTAssertEqual(PollSchedule.for(host: host, video: true), .local, host)
        }
        XCTAssertEqual(PollSchedule.for(host: "dashscope.aliyuncs.com", video: false), .images)
        XCTAssertEqual(PollSchedule.for(host: "dashscope-intl.aliyuncs.com", video: true), .video)
        XCTAssertEqual(PollSchedule.local.delay(poll: 100, random: 0.99), 1, accuracy: 1e-9)
        XCTAssertEqual(PollSchedule.inProcessMock.delay(poll: 0, random: 0.99), 0.025, accuracy: 1e-9)
        XCTAssertEqual(PollSchedule.inProcessMock.delay(poll: 1000, random: 0.5), 0.025, accuracy: 1e-9)
        XCTAssertEqual(PollSchedule.local.delay(poll: 0, random: 0.99), 0.05, accuracy: 1e-9)
    }

    // MARK: TaskPoller

    private func answer(_ status: String, id: String = "t-1") -> Scripted {
        .json(200, #"{"request_id":"r","output":{"task_id":"\#(id)","task_status":"\#(status)"}}"#)
    }

    private func poller(_ transport: FakeTransport, sleeper: RecordingSleeper, clock: FakeClock,
                        timeout: Double? = nil) throws -> TaskPoller {
        let api = client(transport, configuration: try configuration(), sleeper: sleeper)
        return TaskPoller(tasks: TasksAPI(client: api), schedule: .images, timeout: timeout, sleeper: sleeper,
                          random: { 0.5 }, now: { clock.now() })
    }

    func testPollsUntilSucceededWithGrowingDelays() async throws {
        let clock = FakeClock()
        let sleeper = RecordingSleeper(clock: clock)
        let transport = FakeTransport([answer("PENDING"), answer("RUNNING"), answer("RUNNING"), answer("SUCCEEDED")])
        let seen = Locked<[String]>([])
        let snapshot = try await poller(transport, sleeper: sleeper, clock: clock).wait(for: "t-1") { snapshot, _ in
            seen.mutate { $0.append(snapshot.status.rawValue) }
        }
        XCTAssertEqual(snapshot.status, .succeeded)
        XCTAssertEqual(seen.value, ["PENDING", "RUNNING", "RUNNING", "SUCCEEDED"])
        XCTAssertEqual(sleeper.recorded, [1, 1.5, 2.25])
        XCTAssertTrue(transport.requests.allSatisfy { $0.method == "GET" && $0.url.path == "/api/v1/tasks/t-1" })
    }

    func testUnknownIsFinalAtOnce() async throws {
        let clock = FakeClock()
        let sleeper = RecordingSleeper(clock: clock)
        let transport = FakeTransport([answer("UNKNOWN"), answer("SUCCEEDED")])
        let snapshot = try await poller(transport, sleeper: sleeper, clock: clock).wait(for: "t-1") { _, _ in }
        XCTAssertEqual(snapshot.status, .unknown)
        XCTAssertEqual(transport.requests.count, 1)
        XCTAssertTrue(sleeper.recorded.isEmpty)
    }

    func testFailedAndCanceledAreFinal() async throws {
        for status in ["FAILED", "CANCELED"] {
            let clock = FakeClock()
            let sleeper = RecordingSleeper(clock: clock)
            let transport = FakeTransport([answer(status), answer("SUCCEEDED")])
            let snapshot = try await poller(transport, sleeper: sleeper, clock: clock).wait(for: "t-1") { _, _ in }
            XCTAssertEqual(snapshot.status.rawValue, status)
            XCTAssertEqual(transport.requests.count, 1, status)
        }
    }

    func testSuspendedIsNotFinal() async throws {
        XCTAssertFalse(TaskStatus.suspended.isFinal)
        XCTAssertFalse(TaskStatus.pending.isFinal)
        XCTAssertFalse(TaskStatus.running.isFinal)
        let clock = FakeClock()
        let sleeper = RecordingSleeper(clock: clock)
        let transport = FakeTransport([answer("SUSPENDED"), answer("SUCCEEDED")])
        let snapshot = try await poller(transport, sleeper: sleeper, clock: clock).wait(for: "t-1") { _, _ in }
        XCTAssertEqual(snapshot.status, .succeeded)
        XCTAssertEqual(transport.requests.count, 2)
        XCTAssertEqual(sleeper.recorded.count, 1)
    }

    func testTimeoutGivesUpWithExit75AndTheResumeCommand() async throws {
        let clock = FakeClock()
        let sleeper = RecordingSleeper(clock: clock)
        let transport = FakeTransport([answer("RUNNING", id: "abc-123")])
        let poller = try poller(transport, sleeper: sleeper, clock: clock, timeout: 5)
        let error = await assertFailsAsync(.tryLater) { _ = try await poller.wait(for: "abc-123") { _, _ in } }
        XCTAssertTrue(error?.hint?.contains("dashscope task wait abc-123") ?? false, error?.hint ?? "")
        XCTAssertTrue(error?.message.contains("RUNNING") ?? false, error?.message ?? "")
        XCTAssertEqual(sleeper.recorded.reduce(0, +), 5, accuracy: 1e-9, "the last wait is cut to the time left")
        XCTAssertEqual(sleeper.recorded, [1, 1.5, 2.25, 0.25])
        XCTAssertEqual(transport.requests.count, 5, "one last look when the time is up")
    }

    func testATaskThatFinishesBeforeTheTimeoutSucceeds() async throws {
        let clock = FakeClock()
        let sleeper = RecordingSleeper(clock: clock)
        let transport = FakeTransport([answer("RUNNING"), answer("SUCCEEDED")])
        let snapshot = try await poller(transport, sleeper: sleeper, clock: clock, timeout: 5).wait(for: "t-1") { _, _ in }
        XCTAssertEqual(snapshot.status, .succeeded)
    }

    func testElapsedTimeIsReported() async throws {
        let clock = FakeClock()
        let sleeper = RecordingSleeper(clock: clock)
        let transport = FakeTransport([answer("RUNNING"), answer("RUNNING"), answer("SUCCEEDED")])
        let elapsed = Locked<[Double]>([])
        _ = try await poller(transport, sleeper: sleeper, clock: clock).wait(for: "t-1") { _, seconds in
            elapsed.mutate { $0.append(seconds) }
        }
        XCTAssertEqual(elapsed.value, [0, 1, 2.5])
    }

    func testABadTaskIDIsRefusedBeforeAnyRequest() async throws {
        let clock = FakeClock()
        let transport = FakeTransport([answer("RUNNING")])
        let poller = try poller(transport, sleeper: RecordingSleeper(clock: clock), clock: clock)
        for id in ["../etc/passwd", "", "a b", "x?y=1"] {
            await assertFailsAsync(.usage) { _ = try await poller.wait(for: id) { _, _ in } }
        }
        XCTAssertTrue(transport.requests.isEmpty)
    }
}
