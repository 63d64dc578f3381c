#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Polls a task until it reaches a final status, reporting each answer, until an optional deadline.
///
/// A running task is never abandoned: polls are idempotent, so one that fails for a passing reason (429, 5xx, a lost
/// connection: exit 69 or 75 once `APIClient` has used its own few retries) is tried again with backoff until the
/// deadline, saying so through `onNotice`. An unrecognised or missing `task_status` is not final either: polling goes
/// on, with one notice per distinct value. Only `SUCCEEDED`, `FAILED`, `CANCELED` and `UNKNOWN` end the wait.
public struct TaskPoller: Sendable {
    /// Fetches one snapshot of a task: `TasksAPI.status`, or a simulated service in tests.
    let fetch: @Sendable (String) async throws -> TaskSnapshot
    /// When to look.
    public var schedule: PollSchedule
    /// When the whole job must be over (its `--timeout`), or nil to wait as long as it takes.
    public var deadline: Date?
    /// When the task was created, which the schedule counts from; nil (a resumed task of unknown age) looks at once.
    public var submitted: Date?
    /// How waiting is done.
    public var sleeper: any Sleeper
    /// Jitter source in [0, 1).
    public var random: @Sendable () -> Double
    /// The clock.
    public var now: @Sendable () -> Date
    /// Where notices go (stderr): polls that failed and will be retried, statuses that are not understood.
    public var onNotice: @Sendable (String) -> Void

    /// Creates a poller that gives up at `deadline`.
    public init(tasks: TasksAPI, schedule: PollSchedule, deadline: Date?, submitted: Date? = nil,
                sleeper: any Sleeper = TaskSleeper(),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                now: @escaping @Sendable () -> Date = { Date() },
                onNotice: @escaping @Sendable (String) -> Void = { _ in }) {
        self.init(fetch: { try await tasks.status($0, deadline: deadline) }, schedule: schedule, deadline: deadline, submitted: submitted, sleeper: sleeper,
                  random: random, now: now, onNotice: onNotice)
    }

    /// Creates a poller over any source of snapshots.
    init(fetch: @escaping @Sendable (String) async throws -> TaskSnapshot, schedule: PollSchedule, deadline: Date?,
         submitted: Date?, sleeper: any Sleeper, random: @escaping @Sendable () -> Double,
         now: @escaping @Sendable () -> Date, onNotice: @escaping @Sendable (String) -> Void) {
        self.fetch = fetch
        self.schedule = schedule
        self.deadline = deadline
        self.submitted = submitted
        self.sleeper = sleeper
        self.random = random
        self.now = now
        self.onNotice = onNotice
    }

    /// Creates a poller that gives up `timeout` seconds from now (nil: never).
    public init(tasks: TasksAPI, schedule: PollSchedule, timeout: Double?, submitted: Date? = nil,
                sleeper: any Sleeper = TaskSleeper(),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                now: @escaping @Sendable () -> Date = { Date() },
                onNotice: @escaping @Sendable (String) -> Void = { _ in }) {
        self.init(tasks: tasks, schedule: schedule, deadline: timeout.map { now().addingTimeInterval($0) },
                  submitted: submitted, sleeper: sleeper, random: random, now: now, onNotice: onNotice)
    }

    /// Polls `id` until final; `update` sees every answer with the seconds waited so far.
    /// Throws a `tryLater` error when the deadline passes first (after one last look), and at once any error
    /// that waiting cannot cure (a rejected key, a refused request).
    public func wait(for id: String, update: @Sendable (TaskSnapshot, Double) -> Void) async throws -> TaskSnapshot {
        try TasksAPI.checkID(id)
        let started = now()
        let origin = submitted ?? started
        var planned = -Double.infinity
        var pause = 0.0
        if submitted != nil {
            let first = schedule.look(after: planned)
            planned = first.offset
            pause = schedule.time(of: first, random: random()) - started.timeIntervalSince(origin)
        }
        var looked = false
        var failures = 0
        var lastSeen: TaskSnapshot?
        var lastFailure: DashScopeError?
        var noticed: Set<String> = []
        while true {
            if let deadline {
                let left = deadline.timeIntervalSince(now())
                if left <= 0, looked { throw Self.timedOut(id: id, lastSeen: lastSeen, lastFailure: lastFailure) }
                pause = min(pause, left)
            }
            if pause > 0 { try await sleeper.sleep(seconds: pause) } else { try Task.checkCancellation() }
            looked = true
            do {
                let snapshot = try await fetch(id)
                failures = 0
                lastFailure = nil
                lastSeen = snapshot
                update(snapshot, now().timeIntervalSince(started))
                if snapshot.status.isFinal { return snapshot }
                if case let .unrecognized(text) = snapshot.status, noticed.insert(text).inserted {
                    onNotice(Self.unrecognizedNotice(id: id, text: text))
                }
                let elapsed = now().timeIntervalSince(origin)
                let look = schedule.look(after: max(planned, elapsed))
                planned = look.offset
                pause = schedule.time(of: look, random: random()) - elapsed
            } catch let error as DashScopeError where Self.isTransient(error) {
                // A poll cut short by the deadline itself is the end, not a failure to report and retry.
                if let deadline, now() >= deadline { throw Self.timedOut(id: id, lastSeen: lastSeen, lastFailure: lastFailure) }
                failures += 1
                lastFailure = error
                pause = schedule.backoff.delay(failures: failures, random: random())
                onNotice("polling task \(id) failed: \(Self.printable(error.message)); the task keeps running, "
                         + "polling again in \(pause.fixed(places: 1))s")
            }
        }
    }

    /// Whether a failed poll may be tried again later: the service or network was unavailable (69) or throttling (75),
    /// for a reason that can pass (not a TLS, library, scheme or size failure, nor a used-up free quota).
    public static func isTransient(_ error: DashScopeError) -> Bool {
        [.unavailable, .tryLater].contains(error.exitCode) && !error.permanent
    }

    // MARK: Messages

    private static func timedOut(id: String, lastSeen: TaskSnapshot?, lastFailure: DashScopeError?) -> DashScopeError {
        let state = lastSeen.map { $0.status.rawValue.isEmpty ? "was last seen with no status" : "was last seen \(printable($0.status.rawValue))" }
            ?? "never answered a poll"
        let failure = lastFailure.map { "; the last poll failed: \(printable($0.message))" } ?? ""
        return DashScopeError("gave up waiting: the time limit (--timeout) ran out; task \(id) \(state)\(failure)",
                              hint: "it keeps running on the service", exit: .tryLater)
    }

    private static func unrecognizedNotice(id: String, text: String) -> String {
        let what = text.isEmpty ? "no task_status" : "the unrecognised status '\(printable(text))'"
        return "task \(id) answered with \(what); waiting on until it is SUCCEEDED, FAILED, CANCELED or UNKNOWN"
    }

    /// `text` with control characters escaped and cut to 200 characters: server text can hold terminal escapes.
    static func printable(_ text: String) -> String {
        text.count > 200 ? TerminalText.line(String(text.prefix(200))) + "…" : TerminalText.line(text)
    }
}
