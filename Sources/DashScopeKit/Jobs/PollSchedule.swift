#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// When to look at a task: at fixed offsets from its submission, phase by phase, each moved by a little jitter;
/// and how long to back off after a look that failed.
///
/// The offsets come from when tasks finish, not from a growth factor: a task that ends at a random moment inside a
/// phase is noticed `every / 2` late on average, and every look before the first phase is wasted. The numbers behind
/// the built-in schedules are pinned by `PollSimulationTests`.
public struct PollSchedule: Sendable, Equatable {
    /// From `from` seconds after submission, one look every `every` seconds, until the next phase's `from`.
    public struct Phase: Sendable, Equatable {
        /// Seconds after submission of the phase's first look.
        public var from: Double
        /// Seconds between looks in this phase (more than 0).
        public var every: Double

        /// Creates a phase.
        public init(from: Double, every: Double) {
            self.from = from
            self.every = every
        }
    }

    /// Exponential waits after failed looks: `first`, doubling up to `cap`, each ±25 % at random.
    public struct Backoff: Sendable, Equatable {
        /// The wait after the first failure, in seconds.
        public var first: Double
        /// The longest wait, in seconds.
        public var cap: Double

        /// Creates a backoff.
        public init(first: Double, cap: Double) {
            self.first = first
            self.cap = cap
        }

        /// The wait after `failures` failures in a row (from 1), with `random` in [0, 1).
        public func delay(failures: Int, random: Double) -> Double {
            min(cap, first * pow(2, Double(max(failures, 1) - 1))) * (0.75 + 0.5 * random)
        }
    }

    /// The phases, by increasing `from`; the first look is at the first phase's `from`, the last phase never ends.
    public var phases: [Phase]
    /// The fraction of a phase's interval by which each look moves at random (±), so clients do not poll in step.
    public var jitter: Double
    /// The waits after failed looks.
    public var backoff: Backoff

    /// Creates a schedule.
    public init(phases: [Phase], jitter: Double = 0.1, backoff: Backoff) {
        self.phases = phases
        self.jitter = jitter
        self.backoff = backoff
    }

    // MARK: Built-in schedules

    /// Image tasks rarely end before 3 s: first look at 3.5 s, then every 2 s (about 1 s late on average, fewer looks
    /// than the official SDK over 3–30 s); rare long waits (a queue) are polled less often.
    public static let images = PollSchedule(
        phases: [Phase(from: 3.5, every: 2), Phase(from: 30, every: 3), Phase(from: 120, every: 5), Phase(from: 600, every: 10)],
        backoff: Backoff(first: 2, cap: 30))

    /// Video tasks take 40–300 s: two early looks (5 s, 17.5 s) to catch tasks that fail at once, then every 4.5 s
    /// from 30 s (about 2.25 s late on average); after 5 minutes every 10 s, after 15 the service's advised 15 s.
    public static let video = PollSchedule(
        phases: [Phase(from: 5, every: 12.5), Phase(from: 30, every: 4.5), Phase(from: 300, every: 10), Phase(from: 900, every: 15)],
        backoff: Backoff(first: 5, cap: 60))

    /// Against another server on this machine (`dashscope-mock`, or a forwarder to the real service): at once, then
    /// every 50 ms, slowing to 1 s from 3 s on, so a forwarder to the billed service is not hammered.
    public static let local = PollSchedule(
        phases: [Phase(from: 0, every: 0.05), Phase(from: 0.2, every: 0.1), Phase(from: 0.6, every: 0.25),
                 Phase(from: 1.5, every: 0.5), Phase(from: 3, every: 1)],
        jitter: 0, backoff: Backoff(first: 0.25, cap: 2))

    /// Against the in-process mock of `--mock`: every 25 ms, so a script under test never waits long past a task's end;
    /// safe because that server is known to be the mock, not something forwarding to the billed service.
    public static let inProcessMock = PollSchedule(phases: [Phase(from: 0, every: 0.025)], jitter: 0,
                                                   backoff: Backoff(first: 0.05, cap: 0.5))

    /// The schedule for a job against `host`: fast for loopback, else images/video.
    public static func `for`(host: String, video: Bool) -> PollSchedule {
        if SettingChecks.isLoopback(host) { return .local }
        return video ? .video : .images
    }

    // MARK: Looks

    /// One planned look: its offset from submission before jitter, and the interval of its phase.
    public struct Look: Sendable, Equatable {
        /// Seconds after submission, before jitter.
        public var offset: Double
        /// The interval of the phase the look belongs to, which scales its jitter.
        public var every: Double
    }

    /// The first planned look strictly after `elapsed` seconds (pass `-.infinity` for the very first).
    public func look(after elapsed: Double) -> Look {
        for (index, phase) in phases.enumerated() {
            let end = index + 1 < phases.count ? phases[index + 1].from : .infinity
            let steps = elapsed < phase.from ? 0 : ((elapsed - phase.from) / phase.every + 1e-9).rounded(.down) + 1
            let offset = phase.from + steps * phase.every
            if offset < end { return Look(offset: offset, every: phase.every) }
        }
        let last = phases.last ?? Phase(from: 0, every: 1)
        return Look(offset: max(elapsed, last.from) + last.every, every: last.every) // no phases, or `elapsed` infinite
    }

    /// When to make `look`, in seconds after submission: its offset moved by jitter, with `random` in [0, 1).
    public func time(of look: Look, random: Double) -> Double {
        look.offset + jitter * look.every * (2 * random - 1)
    }
}
