import Foundation

/// Polls a task until it reaches a final status, reporting each answer, within an optional timeout.
public struct TaskPoller: Sendable {
    /// The task endpoints.
    public var tasks: TasksAPI
    /// How often to ask.
    public var schedule: PollSchedule
    /// Give up after this many seconds (nil: wait as long as it takes).
    public var timeout: Double?
    /// How waiting is done.
    public var sleeper: any Sleeper
    /// Jitter source in [0, 1).
    public var random: @Sendable () -> Double
    /// The clock.
    public var now: @Sendable () -> Date

    /// Creates a poller.
    public init(tasks: TasksAPI, schedule: PollSchedule, timeout: Double?, sleeper: any Sleeper = TaskSleeper(),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.tasks = tasks
        self.schedule = schedule
        self.timeout = timeout
        self.sleeper = sleeper
        self.random = random
        self.now = now
    }

    /// Polls `id` until final; `update` sees every answer with the seconds waited so far.
    /// Throws a `tryLater` error when the timeout passes first.
    public func wait(for id: String, update: @Sendable (TaskSnapshot, Double) -> Void) async throws -> TaskSnapshot {
        let started = now()
        var poll = 0
        while true {
            let snapshot = try await tasks.status(id)
            let elapsed = now().timeIntervalSince(started)
            update(snapshot, elapsed)
            if snapshot.status.isFinal { return snapshot }
            var delay = schedule.delay(poll: poll, random: random())
            if let timeout {
                let left = timeout - elapsed
                if left <= 0 {
                    throw DashScopeError("gave up waiting after \(Int(timeout.rounded()))s; task \(id) is still \(snapshot.status.rawValue)",
                                         hint: "it keeps running on the service: `dashscope task wait \(id)` picks it up later",
                                         exit: .tryLater)
                }
                delay = min(delay, left)
            }
            try await sleeper.sleep(seconds: delay)
            poll += 1
        }
    }
}
