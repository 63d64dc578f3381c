import Foundation
import XCTest
@testable import DashScopeKit

final class RetryTests: XCTestCase {
    private let sleeper = RecordingSleeper()
    private let notices = Locked<[String]>([])

    private func retrier(_ policy: RetryPolicy = .standard, random: Double = 0.5) -> Retrier {
        let notices = notices
        return Retrier(policy: policy, sleeper: sleeper, random: { random },
                       logger: Logger(notice: { line in notices.mutate { $0.append(line) } }))
    }

    /// Runs the retrier over a scripted transport; returns the final status (or the thrown transport error) and the number of tries.
    private func run(_ script: [Scripted], kind: RequestKind, policy: RetryPolicy = .standard) async throws
        -> (result: Result<Int, TransportError>, tries: Int) {
        let transport = FakeTransport(script)
        let request = HTTPRequest(method: "POST", url: URL(string: "http://127.0.0.1:9/x")!)
        do {
            let response = try await retrier(policy).run(kind: kind, what: "POST /x") { try await transport.send(request) }
            return (.success(response.status), transport.requests.count)
        } catch let error as TransportError {
            return (.failure(error), transport.requests.count)
        }
    }

    // MARK: Which failures are retried

    func testStatusTable() async throws {
        let table: [(Int, RequestKind, Bool)] = [
            (429, .create, true), (503, .create, true), (500, .create, false), (502, .create, false), (504, .create, false),
            (429, .idempotent, true), (500, .idempotent, true), (502, .idempotent, true), (503, .idempotent, true),
            (400, .idempotent, false), (401, .create, false), (404, .idempotent, false),
        ]
        for (status, kind, retried) in table {
            let outcome = try await run([.json(status, #"{"code":"X","message":"m"}"#), .json(200, "{}")], kind: kind)
            XCTAssertEqual(outcome.tries, retried ? 2 : 1, "\(status) \(kind)")
            XCTAssertEqual(try outcome.result.get(), retried ? 200 : status, "\(status) \(kind)")
        }
    }

    func testTransportErrorTable() async throws {
        let table: [(TransportError, RequestKind, Bool)] = [
            (.cannotConnect("refused"), .create, true), (.cannotConnect("refused"), .idempotent, true),
            (.connectionLost("reset"), .create, false), (.connectionLost("reset"), .idempotent, true),
            (.truncated(expected: 10, received: 5), .idempotent, true), (.truncated(expected: 10, received: 5), .create, false),
            (.writeFailed("disk full"), .idempotent, false),
        ]
        for (error, kind, retried) in table {
            let outcome = try await run([.failure(error), .json(200, "{}")], kind: kind)
            XCTAssertEqual(outcome.tries, retried ? 2 : 1, "\(error) \(kind)")
            if retried {
                XCTAssertEqual(try outcome.result.get(), 200)
            } else {
                XCTAssertThrowsError(try outcome.result.get()) { XCTAssertEqual($0 as? TransportError, error) }
            }
        }
    }

    func testFreeQuotaExceededIsNotRetried() async throws {
        let body = #"{"code":"Throttling.AllocationQuota","message":"Free allocated quota exceeded.","request_id":"r"}"#
        let outcome = try await run([.json(429, body), .json(200, "{}")], kind: .create)
        XCTAssertEqual(outcome.tries, 1)
        XCTAssertEqual(try outcome.result.get(), 429)
        XCTAssertTrue(sleeper.recorded.isEmpty)
    }

    func testOtherThrottlingIsRetried() async throws {
        let body = #"{"code":"Throttling.RateQuota","message":"Requests rate limit exceeded, please try again later."}"#
        let outcome = try await run([.json(429, body), .json(200, "{}")], kind: .create)
        XCTAssertEqual(outcome.tries, 2)
    }

    // MARK: Bounds

    func testAttemptsAreBoundedAndTheLastAnswerIsReturned() async throws {
        let outcome = try await run([.json(503, "{}")], kind: .create)
        XCTAssertEqual(outcome.tries, RetryPolicy.standard.maxAttempts)
        XCTAssertEqual(try outcome.result.get(), 503)
        XCTAssertEqual(sleeper.recorded.count, RetryPolicy.standard.maxAttempts - 1)
    }

    func testTransportErrorIsRethrownAfterTheLastAttempt() async throws {
        let outcome = try await run([.failure(.cannotConnect("refused"))], kind: .create, policy: RetryPolicy(maxAttempts: 3))
        XCTAssertEqual(outcome.tries, 3)
        XCTAssertThrowsError(try outcome.result.get())
        XCTAssertEqual(sleeper.recorded.count, 2)
    }

    func testOneAttemptMeansNoRetry() async throws {
        let outcome = try await run([.json(503, "{}"), .json(200, "{}")], kind: .create, policy: RetryPolicy(maxAttempts: 1))
        XCTAssertEqual(outcome.tries, 1)
        XCTAssertTrue(sleeper.recorded.isEmpty)
    }

    // MARK: Delays

    func testExponentialGrowthWithoutJitterAtMidpoint() async throws {
        _ = try await run([.json(503, "{}")], kind: .idempotent, policy: RetryPolicy(maxAttempts: 5, baseDelay: 1, maxDelay: 100))
        XCTAssertEqual(sleeper.recorded, [1, 2, 4, 8])
    }

    func testJitterBoundsAndCap() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: 1, maxDelay: 16)
        for retry in 1...9 {
            let base = min(pow(2, Double(retry - 1)), 16)
            XCTAssertEqual(policy.delay(retry: retry, headers: [:], random: 0), base * 0.75, accuracy: 1e-9, "retry \(retry)")
            XCTAssertEqual(policy.delay(retry: retry, headers: [:], random: 0.5), base, accuracy: 1e-9, "retry \(retry)")
            let high = policy.delay(retry: retry, headers: [:], random: 0.999_999)
            XCTAssertLessThan(high, base * 1.25 + 1e-9)
            XCTAssertGreaterThan(high, base * 1.24)
        }
        XCTAssertLessThanOrEqual(policy.delay(retry: 30, headers: [:], random: 0.999), 16 * 1.25)
    }

    func testRetryAfterIsHonouredAndCapped() {
        let policy = RetryPolicy(maxRetryAfter: 60)
        XCTAssertEqual(policy.delay(retry: 1, headers: ["retry-after": "7"], random: 0.9), 7)
        XCTAssertEqual(policy.delay(retry: 3, headers: ["retry-after": "0"], random: 0.9), 0)
        XCTAssertEqual(policy.delay(retry: 1, headers: ["retry-after": "3600"], random: 0.9), 60)
        XCTAssertEqual(policy.delay(retry: 1, headers: ["retry-after-ms": "1500"], random: 0.9), 1.5)
        XCTAssertEqual(policy.delay(retry: 1, headers: ["retry-after-ms": "250", "retry-after": "9"], random: 0.9), 0.25,
                       "the finer hint wins")
        XCTAssertEqual(policy.delay(retry: 1, headers: ["retry-after-ms": "9000000"], random: 0.9), 60)
        XCTAssertEqual(policy.delay(retry: 1, headers: ["retry-after": "soon"], random: 0.5), 1, "an unreadable hint falls back to backoff")
        XCTAssertEqual(policy.delay(retry: 1, headers: ["retry-after": "-5"], random: 0.5), 1)
    }

    func testRetrierSleepsWhatTheServerAsks() async throws {
        let outcome = try await run([.json(429, "{}", headers: ["retry-after": "3"]), .json(429, "{}", headers: ["retry-after-ms": "700"]),
                                     .json(200, "{}")], kind: .create)
        XCTAssertEqual(outcome.tries, 3)
        XCTAssertEqual(sleeper.recorded, [3, 0.7])
    }

    // MARK: Notices

    func testEachRetryIsAnnounced() async throws {
        _ = try await run([.json(429, "{}", headers: ["retry-after": "2"]), .failure(.cannotConnect("refused")), .json(200, "{}")],
                          kind: .create)
        XCTAssertEqual(notices.value.count, 2)
        XCTAssertEqual(notices.value.first, "POST /x: HTTP 429; retrying in 2.0s (attempt 2 of 4)")
        XCTAssertTrue(notices.value.last?.contains("could not connect: refused") ?? false, notices.value.last ?? "")
        XCTAssertTrue(notices.value.last?.contains("attempt 3 of 4") ?? false, notices.value.last ?? "")
    }

    func testNoNoticeWithoutARetry() async throws {
        _ = try await run([.json(400, "{}")], kind: .create)
        XCTAssertTrue(notices.value.isEmpty)
    }

    func testCancellationIsNotSwallowed() async {
        do {
            _ = try await retrier().run(kind: .idempotent, what: "GET /x") { () async throws -> HTTPResponse in
                throw CancellationError()
            }
            XCTFail("expected cancellation")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
        XCTAssertTrue(sleeper.recorded.isEmpty, "a cancelled attempt is not retried")
    }

    // MARK: Deadlines

    private func runUntil(_ seconds: Double, _ script: [Scripted], kind: RequestKind) async throws
        -> (result: Result<Int, TransportError>, tries: Int) {
        let clock = FakeClock()
        let sleeper = RecordingSleeper(clock: clock)
        let retrier = Retrier(policy: RetryPolicy(maxAttempts: 3, baseDelay: 1, maxDelay: 8), sleeper: sleeper, random: { 0.5 },
                              now: { clock.now() })
        let transport = FakeTransport(script)
        let request = HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:9/x")!)
        do {
            let response = try await retrier.run(kind: kind, what: "GET /x", deadline: clock.now().addingTimeInterval(seconds)) {
                try await transport.send(request)
            }
            return (.success(response.status), transport.requests.count)
        } catch let error as TransportError {
            return (.failure(error), transport.requests.count)
        }
    }

    func testWithADeadlineIdempotentRequestsAreRetriedUntilItNotMaxAttempts() async throws {
        // Waits 1, 2, 4, 8, 8, 8 ... : 1+2+4+8+8+8+8 = 39 s fit in 40 s, the next 8 s would not.
        let lost = try await runUntil(40, [.failure(.connectionLost("reset"))], kind: .idempotent)
        XCTAssertEqual(lost.tries, 8)
        XCTAssertEqual(lost.result, .failure(.deadlineReached(sent: true)), "the last failure ends as the deadline")
        let refused = try await runUntil(40, [.failure(.cannotConnect("refused"))], kind: .idempotent)
        XCTAssertEqual(refused.result, .failure(.deadlineReached(sent: false)))
        let busy = try await runUntil(40, [.json(503, "{}")], kind: .idempotent)
        XCTAssertEqual(busy.tries, 8)
        XCTAssertEqual(busy.result, .success(503), "an answer is returned as it is")
        let forever = try await runUntil(.infinity, Array(repeating: .json(503, "{}"), count: 50) + [.json(200, "{}")], kind: .idempotent)
        XCTAssertEqual(forever.tries, 51, "no limit without one")
    }

    func testWithADeadlineACreateStaysBounded() async throws {
        let outcome = try await runUntil(1000, [.failure(.cannotConnect("refused"))], kind: .create)
        XCTAssertEqual(outcome.tries, 3)
        XCTAssertEqual(outcome.result, .failure(.cannotConnect("refused")))
        let short = try await runUntil(1.5, [.json(429, "{}")], kind: .create)
        XCTAssertEqual(short.tries, 2, "the second wait (2 s) would pass the deadline")
    }
}
