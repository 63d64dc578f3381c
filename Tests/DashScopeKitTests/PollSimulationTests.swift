import Foundation
import XCTest
@testable import DashScopeKit

/// Pins the waiting targets of issue 6 as data: `TaskPoller` runs against simulated tasks on a fake clock (no sleeping),
/// and the lag between a task's end and the poll that sees it, and the number of polls, come from the schedule alone.
final class PollSimulationTests: XCTestCase {
    /// The official Python SDK (API.md §9): a poll at once, then 1, 1, 2, 2, 2, 4, 4, 4, 5, 5 ... s apart.
    static let officialSDK = PollSchedule(
        phases: [.init(from: 0, every: 1), .init(from: 2, every: 2), .init(from: 8, every: 4), .init(from: 20, every: 5)],
        jitter: 0, backoff: .init(first: 1, cap: 1))

    /// This tool before issue 6 (`.images` was 1 s growing ×1.5 to 10 s after a poll at once), without its jitter.
    static let before = PollSchedule(
        phases: [.init(from: 0, every: 1), .init(from: 1, every: 1.5), .init(from: 2.5, every: 2.25), .init(from: 4.75, every: 3.375),
                 .init(from: 8.125, every: 5.0625), .init(from: 13.1875, every: 7.59375), .init(from: 20.78125, every: 10)],
        jitter: 0, backoff: .init(first: 1, cap: 1))

    /// The image tasks of the issue's measurement.
    static let imageTasks: [Double] = [4, 9, 17, 26]
    /// Image tasks spread evenly from 3 s to 30 s, so no schedule wins by landing on the four above.
    static let imageSpread = Array(stride(from: 3.0, through: 30, by: 0.25))
    /// Video tasks spread evenly over 40–300 s.
    static let videoSpread = Array(stride(from: 40.0, through: 300, by: 2))

    /// Mean lag and polls of a schedule over tasks of the given lengths.
    struct Outcome: CustomStringConvertible {
        var lag: Double
        var polls: Double
        var description: String { String(format: "mean lag %.2f s, %.2f polls", lag, polls) }
    }

    /// Runs the poller once per task and jitter draw; each poll sees RUNNING before the task's end and `final` after it.
    func simulate(_ schedule: PollSchedule, tasks: [Double], draws: Int = 1, final: String = "SUCCEEDED") async throws -> Outcome {
        var lags: [Double] = []
        var polls: [Int] = []
        let random = SeededRandom(seed: 6)
        for length in tasks {
            for _ in 0..<(schedule.jitter == 0 ? 1 : draws) {
                let clock = FakeClock()
                let start = clock.now()
                let count = Locked(0)
                let poller = TaskPoller(
                    fetch: { id in
                        count.mutate { $0 += 1 }
                        let status = clock.now().timeIntervalSince(start) >= length ? final : "RUNNING"
                        return TaskSnapshot(json: .object(["output": .object(["task_id": .string(id), "task_status": .string(status)])]),
                                            fallbackID: id)
                    },
                    schedule: schedule, deadline: nil, submitted: start, sleeper: RecordingSleeper(clock: clock),
                    random: random.next, now: clock.now, onNotice: { _ in })
                let snapshot = try await poller.wait(for: "sim-task") { _, _ in }
                XCTAssertEqual(snapshot.status.rawValue, final)
                lags.append(clock.now().timeIntervalSince(start) - length)
                polls.append(count.value)
            }
        }
        return Outcome(lag: lags.reduce(0, +) / Double(lags.count), polls: Double(polls.reduce(0, +)) / Double(polls.count))
    }

    func testTheSDKAndTheOldScheduleMatchTheIssuesMeasurements() async throws {
        let sdk = try await simulate(Self.officialSDK, tasks: Self.imageTasks)
        XCTAssertEqual(sdk.lag, 2.5, accuracy: 1e-9, "\(sdk)")
        XCTAssertEqual(sdk.polls, 7.75, accuracy: 1e-9, "\(sdk)")
        let before = try await simulate(Self.before, tasks: Self.imageTasks)
        XCTAssertEqual(before.lag, 3.375, accuracy: 1e-9, "\(before)")
        XCTAssertEqual(before.polls, 6.25, accuracy: 1e-9, "\(before)")
        let sdkVideo = try await simulate(Self.officialSDK, tasks: Self.videoSpread)
        XCTAssertEqual(sdkVideo.polls, 40, accuracy: 1, "the issue: the SDK makes ~40 polls per video, \(sdkVideo)")
    }

    func testImagesAreNoticedWithinAboutASecondWithFewerPollsThanTheSDK() async throws {
        let sdk = try await simulate(Self.officialSDK, tasks: Self.imageTasks)
        let ours = try await simulate(.images, tasks: Self.imageTasks, draws: 200)
        XCTAssertLessThanOrEqual(ours.lag, 1.2, "target of issue 6: \(ours)")
        XCTAssertLessThanOrEqual(ours.polls, sdk.polls, "no more polls than the SDK (\(sdk)): \(ours)")

        let sdkSpread = try await simulate(Self.officialSDK, tasks: Self.imageSpread)
        let spread = try await simulate(.images, tasks: Self.imageSpread, draws: 10)
        XCTAssertLessThanOrEqual(spread.lag, 1.1, "over 3–30 s too: \(spread) (SDK \(sdkSpread))")
        XCTAssertLessThanOrEqual(spread.polls, sdkSpread.polls, "over 3–30 s too: \(spread) (SDK \(sdkSpread))")
    }

    func testVideosAreNoticedWithinTwoAndAHalfSecondsInAtMost38Polls() async throws {
        let ours = try await simulate(.video, tasks: Self.videoSpread, draws: 4)
        XCTAssertLessThanOrEqual(ours.lag, 2.5, "target of issue 6: \(ours)")
        XCTAssertLessThanOrEqual(ours.polls, 38, "target of issue 6: \(ours)")
    }

    func testTasksThatFailAtOnceAreNoticedEarly() async throws {
        let image = try await simulate(.images, tasks: [0.5], draws: 50, final: "FAILED")
        XCTAssertLessThanOrEqual(image.lag, 3.2, "the first look at 3.5 s: \(image)")
        XCTAssertEqual(image.polls, 1)
        let video = try await simulate(.video, tasks: [2], draws: 50, final: "FAILED")
        XCTAssertLessThanOrEqual(video.lag, 3.5, "the early look at 5 s: \(video)")
        XCTAssertEqual(video.polls, 1)
    }

    func testLongQueuesArePolledLessOften() async throws {
        let image = try await simulate(.images, tasks: [900], draws: 5)
        XCTAssertLessThan(image.polls, 900 / 5, "fewer than one poll per 5 s over a 15-minute wait: \(image)")
        let video = try await simulate(.video, tasks: [1800], draws: 5)
        XCTAssertLessThan(video.polls, 1800 / 9, "fewer than one poll per 9 s over a 30-minute wait: \(video)")
    }
}

/// A deterministic source of numbers in [0, 1) (a 64-bit LCG), so simulated jitter is the same on every run.
final class SeededRandom: @unchecked Sendable {
    private let state: Locked<UInt64>

    init(seed: UInt64) { state = Locked(seed) }

    /// The next number in [0, 1).
    func next() -> Double {
        state.mutate { value in
            value = value &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(value >> 11) / Double(1 << 53)
        }
    }
}
