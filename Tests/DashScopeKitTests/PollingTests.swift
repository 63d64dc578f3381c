import Foundation
import XCTest
@testable import DashScopeKit

final class PollingTests: XCTestCase {
    // MARK: PollSchedule

    private func offsets(_ schedule: PollSchedule, after start: Double = -.infinity, count: Int) -> [Double] {
        var elapsed = start
        return (0..<count).map { _ in
            elapsed = schedule.look(after: elapsed).offset
            return elapsed
        }
    }

    func testImagesLookFirstAtThreeAndAHalfSecondsThenEveryTwo() {
        XCTAssertEqual(offsets(.images, count: 6), [3.5, 5.5, 7.5, 9.5, 11.5, 13.5])
        XCTAssertEqual(offsets(.images, after: 26, count: 4), [27.5, 29.5, 30, 33], "from 30 s every 3 s")
        XCTAssertEqual(offsets(.images, after: 118, count: 3), [120, 125, 130])
        XCTAssertEqual(offsets(.images, after: 1e6, count: 2), [1e6 + 10, 1e6 + 20])
    }

    func testVideoLooksEarlyTwiceThenEveryFourAndAHalfSecondsFromThirty() {
        XCTAssertEqual(offsets(.video, count: 5), [5, 17.5, 30, 34.5, 39])
        XCTAssertEqual(offsets(.video, after: 296, count: 3), [300, 310, 320], "after 5 minutes every 10 s")
        XCTAssertEqual(offsets(.video, after: 899, count: 2), [900, 915], "after 15 minutes, the service's advised 15 s")
    }

    func testALookIsStrictlyAfterTheGivenTime() {
        XCTAssertEqual(PollSchedule.images.look(after: 5.5).offset, 7.5)
        XCTAssertEqual(PollSchedule.images.look(after: 5.499).offset, 5.5)
        XCTAssertEqual(PollSchedule.images.look(after: 0).offset, 3.5)
        XCTAssertEqual(PollSchedule.local.look(after: -.infinity).offset, 0, "loopback servers are asked at once")
        XCTAssertEqual(PollSchedule.local.look(after: 0.3).offset, 0.4, accuracy: 1e-9)
        var elapsed = 0.0
        for _ in 0..<200 {
            let next = PollSchedule.local.look(after: elapsed).offset
            XCTAssertGreaterThan(next - elapsed, 0.049, "float steps never repeat a look, nor come closer than 50 ms")
            elapsed = next
        }
    }

    func testBuiltInSchedulesAreWellFormed() {
        for schedule in [PollSchedule.images, .video, .local, .inProcessMock] {
            XCTAssertFalse(schedule.phases.isEmpty)
            XCTAssertTrue(schedule.phases.allSatisfy { $0.every > 0 && $0.from >= 0 })
            XCTAssertEqual(schedule.phases.map(\.from), schedule.phases.map(\.from).sorted())
            XCTAssertLessThanOrEqual(schedule.jitter, 0.5, "jitter never reorders looks")
            XCTAssertLessThanOrEqual(schedule.backoff.first, schedule.backoff.cap)
        }
        XCTAssertLessThanOrEqual(PollSchedule.images.phases.last!.every, 10)
        XCTAssertEqual(PollSchedule.video.phases.last!.every, 15, "the service advises polling videos about every 15 s")
    }

    func testJitterMovesALookByAtMostItsFractionOfThePhaseInterval() {
        let look = PollSchedule.images.look(after: 10)
        XCTAssertEqual(look, PollSchedule.Look(offset: 11.5, every: 2))
        XCTAssertEqual(PollSchedule.images.time(of: look, random: 0.5), 11.5, accuracy: 1e-9)
        XCTAssertEqual(PollSchedule.images.time(of: look, random: 0), 11.3, accuracy: 1e-9)
        XCTAssertEqual(PollSchedule.images.time(of: look, random: 0.999_999), 11.7, accuracy: 1e-5)
        let local = PollSchedule.local.look(after: 1)
        XCTAssertEqual(PollSchedule.local.time(of: local, random: 0.99), local.offset, "no jitter on loopback")
    }

    func testBackoffDoublesUpToItsCapWithQuarterJitter() {
        let backoff = PollSchedule.images.backoff
        XCTAssertEqual((1...6).map { backoff.delay(failures: $0, random: 0.5) }, [2, 4, 8, 16, 30, 30])
        XCTAssertEqual(backoff.delay(failures: 1, random: 0), 1.5, accuracy: 1e-9)
        XCTAssertEqual(backoff.delay(failures: 10_000, random: 0.999_999), 37.5, accuracy: 1e-4, "no overflow")
    }

    func testLoopbackHostsPollFast() {
        for host in ["127.0.0.1", "localhost", "::1"] {
            XCTAssertEqual(PollSchedule.for(host: host, video: false), .local, host)
            XCTAssertEqual(PollSchedule.for(host: host, video: true), .local, host)
        }
        XCTAssertEqual(PollSchedule.for(host: "dashscope.aliyuncs.com", video: false), .images)
        XCTAssertEqual(PollSchedule.for(host: "dashscope-intl.aliyuncs.com", video: true), .video)
        XCTAssertEqual(offsets(.inProcessMock, count: 3), [0, 0.025, 0.05])
        XCTAssertEqual(PollSchedule.local.look(after: 100).offset, 101, "loopback slows to every second")
    }

    // MARK: TaskStatus

    func testStatusesAreReadLenientlyAndOthersAreKeptAsSent() {
        XCTAssertEqual(TaskStatus(wire: "SUCCEEDED"), .succeeded)
        XCTAssertEqual(TaskStatus(wire: " succeeded "), .succeeded)
        XCTAssertEqual(TaskStatus(wire: "Suspended"), .suspended)
        XCTAssertEqual(TaskStatus(wire: "DONE"), .unrecognized("DONE"))
        for status in [TaskStatus.pending, .running, .suspended, .succeeded, .failed, .canceled, .unknown] {
            XCTAssertEqual(TaskStatus(wire: status.rawValue), status)
        }
        XCTAssertEqual(TaskStatus.unrecognized("DONE").rawValue, "DONE")
        XCTAssertEqual([TaskStatus.succeeded, .failed, .canceled, .unknown].filter(\.isFinal).count, 4)
        XCTAssertFalse(TaskStatus.unrecognized("DONE").isFinal)
        XCTAssertFalse(TaskStatus.unrecognized("").isFinal)
    }

    func testAMissingOrMalformedStatusIsUnrecognizedNotUnknown() throws {
        func status(_ output: String) throws -> TaskStatus {
            TaskSnapshot(json: try JSON.parse(Data(#"{"output":\#(output)}"#.utf8)), fallbackID: "t").status
        }
        XCTAssertEqual(try status(#"{"task_id":"t"}"#), .unrecognized(""))
        XCTAssertEqual(try status(#"{"task_status":42}"#), .unrecognized("42"))
        XCTAssertEqual(try status(#"{"task_status":null}"#), .unrecognized(""))
        XCTAssertEqual(try status(#"{"task_status":"UNKNOWN"}"#), .unknown)
        XCTAssertEqual(TaskSnapshot(json: try JSON.parse(Data("{}".utf8)), fallbackID: "t").status, .unrecognized(""))
    }

    // MARK: TaskPoller

    private func answer(_ status: String, id: String = "t-1") -> Scripted {
        .json(200, #"{"request_id":"r","output":{"task_id":"\#(id)","task_status":"\#(status)"}}"#)
    }

    private func poller(_ transport: FakeTransport, clock: FakeClock, sleeper: RecordingSleeper,
                        deadline: Date? = nil, submitted: Date? = nil, notices: Locked<[String]> = Locked([])) throws -> TaskPoller {
        let api = APIClient(configuration: try configuration(), transport: transport,
                            retrier: Retrier(policy: RetryPolicy(maxAttempts: 1), sleeper: sleeper), logger: .silent)
        return TaskPoller(tasks: TasksAPI(client: api), schedule: .images, deadline: deadline, submitted: submitted,
                          sleeper: sleeper, random: { 0.5 }, now: { clock.now() },
                          onNotice: { notice in notices.mutate { $0.append(notice) } })
    }

    func testAResumedTaskIsPolledAtOnceThenByTheSchedule() async throws {
        let clock = FakeClock()
        let sleeper = RecordingSleeper(clock: clock)
        let transport = FakeTransport([answer("PENDING"), answer("RUNNING"), answer("RUNNING"), answer("SUCCEEDED")])
        let seen = Locked<[String]>([])
        let snapshot = try await poller(transport, clock: clock, sleeper: sleeper).wait(for: "t-1") { snapshot, _ in
            seen.mutate { $0.append(snapshot.status.rawValue) }
        }
        XCTAssertEqual(snapshot.status, .succeeded)
        XCTAssertEqual(seen.value, ["PENDING", "RUNNING", "RUNNING", "SUCCEEDED"])
        XCTAssertEqual(sleeper.recorded, [3.5, 2, 2])
        XCTAssertTrue(transport.requests.allSatisfy { $0.method == "GET" && $0.url.path == "/api/v1/tasks/t-1" })
    }

    func testAFreshTaskIsFirstPolledAtTheFirstLook() async throws {
        let clock = FakeClock()
        let sleeper = RecordingSleeper(clock: clock)
        let transport = FakeTransport([answer("RUNNING"), answer("SUCCEEDED")])
        let elapsed = Locked<[Double]>([])
        let snapshot = try await poller(transport, clock: clock, sleeper: sleeper, submitted: clock.now().addingTimeInterval(-1))
            .wait(for: "t-1") { _, seconds in elapsed.mutate { $0.append(seconds) } }
        XCTAssertEqual(snapshot.status, .succeeded)
        XCTAssertEqual(sleeper.recorded, [2.5, 2], "submitted 1 s ago: the looks at 3.5 s and 5.5 s")
        XCTAssertEqual(elapsed.value, [2.5, 4.5], "seconds since wait started")
    }

    func testAnOldResumedTaskIsPolledAtOnceThenAtItsPhase() async throws {
        let clock = FakeClock()
        let sleeper = RecordingSleeper(clock: clock)
        let transport = FakeTransport([answer("RUNNING"), answer("SUCCEEDED")])
        _ = try await poller(transport, clock: clock, sleeper: sleeper, submitted: clock.now().addingTimeInterval(-601))
            .wait(for: "t-1") { _, _ in }
        XCTAssertEqual(sleeper.recorded, [9], "the look at 610 s, in the every-10-s phase")
    }

    func testUnknownIsFinalAtOnce() async throws {
        let clock = FakeClock()
        let sleeper = RecordingSleeper(clock: clock)
        let transport = FakeTransport([answer("UNKNOWN"), answer("SUCCEEDED")])
        let snapshot = try await poller(transport, clock: clock, sleeper: sleeper).wait(for: "t-1") { _, _ in }
        XCTAssertEqual(snapshot.status, .unknown)
        XCTAssertEqual(transport.requests.count, 1)
        XCTAssertTrue(sleeper.recorded.isEmpty)
    }

    func testFailedAndCanceledAreFinal() async throws {
        for status in ["FAILED", "CANCELED"] {
            let clock = FakeClock()
            let transport = FakeTransport([answer(status), answer("SUCCEEDED")])
            let snapshot = try await poller(transport, clock: clock, sleeper: RecordingSleeper(clock: clock)).wait(for: "t-1") { _, _ in }
            XCTAssertEqual(snapshot.status.rawValue, status)
            XCTAssertEqual(transport.requests.count, 1, status)
        }
    }

    func testSuspendedIsNotFinal() async throws {
        let clock = FakeClock()
        let transport = FakeTransport([answer("SUSPENDED"), answer("SUCCEEDED")])
        let snapshot = try await poller(transport, clock: clock, sleeper: RecordingSleeper(clock: clock)).wait(for: "t-1") { _, _ in }
        XCTAssertEqual(snapshot.status, .succeeded)
        XCTAssertEqual(transport.requests.count, 2)
    }

    func testUnrecognizedStatusesKeepPollingWithOneNoticePerValue() async throws {
        let clock = FakeClock()
        let notices = Locked<[String]>([])
        let missing = Scripted.json(200, #"{"request_id":"r","output":{"task_id":"t-1"}}"#)
        let transport = FakeTransport([answer("DONE"), answer("DONE"), missing, answer("DONE"), missing, answer("SUCCEEDED")])
        let snapshot = try await poller(transport, clock: clock, sleeper: RecordingSleeper(clock: clock), notices: notices)
            .wait(for: "t-1") { _, _ in }
        XCTAssertEqual(snapshot.status, .succeeded)
        XCTAssertEqual(transport.requests.count, 6)
        XCTAssertEqual(notices.value.count, 2, notices.value.joined(separator: "\n"))
        XCTAssertTrue(notices.value[0].contains("'DONE'") && notices.value[0].contains("t-1"), notices.value[0])
        XCTAssertTrue(notices.value[1].contains("no task_status"), notices.value[1])
    }

    func testServerTextInNoticesIsEscapedAndCut() async throws {
        let clock = FakeClock()
        let notices = Locked<[String]>([])
        let hostile = "\\u001b]0;owned\\u0007" + String(repeating: "x", count: 500)
        let transport = FakeTransport([answer(hostile), answer("SUCCEEDED")])
        _ = try await poller(transport, clock: clock, sleeper: RecordingSleeper(clock: clock), notices: notices)
            .wait(for: "t-1") { _, _ in }
        let notice = try XCTUnwrap(notices.value.first)
        XCTAssertFalse(notice.unicodeScalars.contains { $0.properties.generalCategory == .control }, notice)
        XCTAssertTrue(notice.contains("\\x1B]0;owned\\x07"), notice)
        XCTAssertLessThan(notice.count, 400)
    }

    func testFailedPollsAreRetriedWithBackoffAndSaidSo() async throws {
        let clock = FakeClock()
        let sleeper = RecordingSleeper(clock: clock)
        let notices = Locked<[String]>([])
        let busy = Scripted.json(503, #"{"code":"ServiceUnavailable","message":"busy"}"#)
        let transport = FakeTransport([busy, .json(500, #"{"code":"InternalError","message":"oops"}"#),
                                       .json(429, #"{"code":"Throttling","message":"slow down"}"#),
                                       .failure(.connectionLost("reset by peer")), .json(502, "<html>bad gateway</html>"),
                                       answer("RUNNING"), busy, answer("SUCCEEDED")])
        let snapshot = try await poller(transport, clock: clock, sleeper: sleeper, notices: notices).wait(for: "t-1") { _, _ in }
        XCTAssertEqual(snapshot.status, .succeeded)
        XCTAssertEqual(transport.requests.count, 8)
        XCTAssertEqual(sleeper.recorded, [2, 4, 8, 16, 30, 3, 2], "backoff doubles to its cap, then the schedule (at 63 s) resumes; a success resets it")
        XCTAssertEqual(notices.value.count, 6)
        XCTAssertTrue(notices.value.allSatisfy { $0.hasPrefix("polling task t-1 failed: ") && $0.contains("keeps running") },
                      notices.value.joined(separator: "\n"))
        XCTAssertTrue(notices.value[0].contains("503") && notices.value[0].hasSuffix("polling again in 2.0s"), notices.value[0])
        XCTAssertTrue(notices.value[3].contains("reset by peer"), notices.value[3])
    }

    func testErrorsThatWaitingCannotCurePropagateAtOnce() async throws {
        let cases: [(Scripted, ExitCode)] = [
            (.json(401, #"{"code":"InvalidApiKey","message":"bad key"}"#), .keyRejected),
            (.json(403, #"{"code":"AccessDenied","message":"no"}"#), .keyRejected),
            (.json(400, #"{"code":"InvalidParameter","message":"bad"}"#), .failed),
            (.json(404, #"{"code":"NotFound","message":"none"}"#), .failed),
            (.json(200, #"{"code":"InvalidParameter","message":"refused in a 200"}"#), .failed),
            (.json(429, #"{"code":"Throttling.AllocationQuota","message":"Free allocated quota exceeded."}"#), .tryLater),
            (.failure(.tlsFailed("certificate verify failed")), .unavailable),
            (.failure(.unsupportedScheme("gopher")), .unavailable),
            (.failure(.answerTooLarge(limit: 32 << 20)), .unavailable),
        ]
        for (scripted, exit) in cases {
            let clock = FakeClock()
            let sleeper = RecordingSleeper(clock: clock)
            let transport = FakeTransport([scripted, answer("SUCCEEDED")])
            let poller = try poller(transport, clock: clock, sleeper: sleeper)
            await assertFailsAsync(exit) { _ = try await poller.wait(for: "t-1") { _, _ in } }
            XCTAssertEqual(transport.requests.count, 1)
            XCTAssertTrue(sleeper.recorded.isEmpty)
        }
    }

    func testTheDeadlineGivesUpWithExit75AfterOneLastLook() async throws {
        let clock = FakeClock()
        let sleeper = RecordingSleeper(clock: clock)
        let transport = FakeTransport([answer("RUNNING", id: "abc-123")])
        let poller = try poller(transport, clock: clock, sleeper: sleeper, deadline: clock.now().addingTimeInterval(4))
        let error = await assertFailsAsync(.tryLater) { _ = try await poller.wait(for: "abc-123") { _, _ in } }
        XCTAssertTrue(error?.message.contains("abc-123") ?? false, error?.message ?? "")
        XCTAssertTrue(error?.message.contains("RUNNING") ?? false, error?.message ?? "")
        XCTAssertTrue(error?.message.contains("--timeout") ?? false, error?.message ?? "")
        XCTAssertEqual(error?.hint, "it keeps running on the service", "the pipeline adds the exact resume line, with the run's options")
        XCTAssertEqual(sleeper.recorded, [3.5, 0.5], "the last wait is cut to the time left")
        XCTAssertEqual(transport.requests.count, 3, "one last look when the time is up")
    }

    func testAPollCutShortByTheDeadlineEndsAtOnceWithoutANotice() async throws {
        let clock = FakeClock()
        let sleeper = RecordingSleeper(clock: clock)
        let notices = Locked<[String]>([])
        let transport = FakeTransport([answer("PENDING"), .failure(.deadlineReached(sent: true))])
        let poller = try poller(transport, clock: clock, sleeper: sleeper, deadline: clock.now().addingTimeInterval(3.5), notices: notices)
        let error = await assertFailsAsync(.tryLater) { _ = try await poller.wait(for: "t-1") { _, _ in } }
        XCTAssertEqual(transport.requests.count, 2)
        XCTAssertEqual(notices.value, [], "no 'polling again' notice for the deadline itself")
        XCTAssertTrue(error?.message.hasSuffix("task t-1 was last seen PENDING") ?? false, error?.message ?? "")
    }

    func testTheDeadlineBoundsRetriesToo() async throws {
        let clock = FakeClock()
        let sleeper = RecordingSleeper(clock: clock)
        let transport = FakeTransport([.json(503, #"{"code":"ServiceUnavailable","message":"busy"}"#)])
        let poller = try poller(transport, clock: clock, sleeper: sleeper, deadline: clock.now().addingTimeInterval(10))
        let error = await assertFailsAsync(.tryLater) { _ = try await poller.wait(for: "t-1") { _, _ in } }
        XCTAssertEqual(sleeper.recorded, [2, 4, 4])
        XCTAssertEqual(transport.requests.count, 4)
        XCTAssertTrue(error?.message.contains("never answered") ?? false, error?.message ?? "")
        XCTAssertTrue(error?.message.contains("ServiceUnavailable") ?? false, error?.message ?? "")
    }

    func testTheDeadlineSaysWhenNoStatusWasEverGiven() async throws {
        let clock = FakeClock()
        let transport = FakeTransport([.json(200, #"{"request_id":"r","output":{"task_id":"t-1"}}"#)])
        let poller = try poller(transport, clock: clock, sleeper: RecordingSleeper(clock: clock),
                                deadline: clock.now().addingTimeInterval(30))
        let error = await assertFailsAsync(.tryLater) { _ = try await poller.wait(for: "t-1") { _, _ in } }
        XCTAssertTrue(error?.message.hasSuffix("task t-1 was last seen with no status") ?? false, error?.message ?? "")
        XCTAssertGreaterThan(transport.requests.count, 10, "a missing status is polled on, not taken as final")
    }

    func testATimeoutCountsFromWhenThePollerIsMade() async throws {
        let clock = FakeClock()
        let sleeper = RecordingSleeper(clock: clock)
        let transport = FakeTransport([answer("RUNNING")])
        let api = APIClient(configuration: try configuration(), transport: transport, retrier: Retrier(sleeper: sleeper), logger: .silent)
        let poller = TaskPoller(tasks: TasksAPI(client: api), schedule: .images, timeout: 5, sleeper: sleeper,
                                random: { 0.5 }, now: { clock.now() })
        XCTAssertEqual(poller.deadline, clock.now().addingTimeInterval(5))
        await assertFailsAsync(.tryLater) { _ = try await poller.wait(for: "t-1") { _, _ in } }
        XCTAssertEqual(sleeper.recorded, [3.5, 1.5])
        XCTAssertNil(TaskPoller(tasks: TasksAPI(client: api), schedule: .images, timeout: nil).deadline)
    }

    func testAPastDeadlineStillTakesOneLook() async throws {
        let clock = FakeClock()
        let transport = FakeTransport([answer("SUCCEEDED")])
        let snapshot = try await poller(transport, clock: clock, sleeper: RecordingSleeper(clock: clock),
                                        deadline: clock.now().addingTimeInterval(-1), submitted: clock.now())
            .wait(for: "t-1") { _, _ in }
        XCTAssertEqual(snapshot.status, .succeeded)
    }

    func testCancellationIsNotSwallowed() async throws {
        struct CancellingSleeper: Sleeper {
            func sleep(seconds: Double) async throws { throw CancellationError() }
        }
        let api = APIClient(configuration: try configuration(), transport: FakeTransport([answer("RUNNING")]),
                            retrier: Retrier(sleeper: CancellingSleeper()), logger: .silent)
        let poller = TaskPoller(tasks: TasksAPI(client: api), schedule: .images, deadline: nil, sleeper: CancellingSleeper())
        do {
            _ = try await poller.wait(for: "t-1") { _, _ in }
            XCTFail("expected CancellationError")
        } catch is CancellationError {}
    }

    func testABadTaskIDIsRefusedBeforeAnyRequest() async throws {
        let clock = FakeClock()
        let transport = FakeTransport([answer("RUNNING")])
        let poller = try poller(transport, clock: clock, sleeper: RecordingSleeper(clock: clock))
        for id in ["../etc/passwd", "", "a b", "x?y=1"] {
            await assertFailsAsync(.usage) { _ = try await poller.wait(for: id) { _, _ in } }
        }
        XCTAssertTrue(transport.requests.isEmpty)
    }
}
