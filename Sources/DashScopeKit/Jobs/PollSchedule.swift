/// How often a task is polled: start near `initial`, grow by `growth`, never above `cap`, with jitter.
public struct PollSchedule: Sendable, Equatable {
    /// The first delay, in seconds.
    public var initial: Double
    /// The factor each delay grows by.
    public var growth: Double
    /// The largest delay, in seconds.
    public var cap: Double
    /// The fraction of each delay that is randomised (±).
    public var jitter: Double

    /// Creates a schedule.
    public init(initial: Double, growth: Double, cap: Double, jitter: Double = 0.1) {
        self.initial = initial
        self.growth = growth
        self.cap = cap
        self.jitter = jitter
    }

    /// For image tasks: 1 s, growing to 10 s.
    public static let images = PollSchedule(initial: 1, growth: 1.5, cap: 10)
    /// For video tasks: 1 s, growing to 15 s (the service advises about 15 s).
    public static let video = PollSchedule(initial: 1, growth: 1.5, cap: 15)
    /// Against another server on this machine (`dashscope-mock`, or a forwarder to the real service): 50 ms growing to 1 s.
    public static let local = PollSchedule(initial: 0.05, growth: 1.5, cap: 1, jitter: 0)
    /// Against the in-process mock of `--mock`: every 25 ms, so a script under test never waits long past a task's end;
    /// safe because that server is known to be the mock, not something forwarding to the billed service.
    public static let inProcessMock = PollSchedule(initial: 0.025, growth: 1, cap: 0.025, jitter: 0)

    /// The delay before poll number `poll` (0-based), with `random` in [0, 1) for jitter.
    public func delay(poll: Int, random: Double) -> Double {
        var base = initial
        for _ in 0..<poll where base < cap { base *= growth }
        base = min(base, cap)
        return base * (1 - jitter + 2 * jitter * random)
    }

    /// The schedule for a job against `host`: fast for loopback, else images/video.
    public static func `for`(host: String, video: Bool) -> PollSchedule {
        if host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]" { return .local }
        return video ? .video : .images
    }
}
