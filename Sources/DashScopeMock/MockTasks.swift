import Foundation

/// A task's state as the service names it.
enum TaskStatus: String, Sendable {
    case pending = "PENDING"
    case running = "RUNNING"
    case succeeded = "SUCCEEDED"
    case failed = "FAILED"
    case canceled = "CANCELED"
    case unknown = "UNKNOWN"

    /// Whether the task has ended (and so has an `end_time`).
    var isFinal: Bool {
        switch self {
        case .pending, .running, .unknown: false
        case .succeeded, .failed, .canceled: true
        }
    }
}

/// How a task ends, bent by the `fail`, `unknown`, `partial`, `message` and `code` faults.
enum TaskOutcome: Sendable {
    case success
    case failure
    case unknown
    case partial
}

/// What an async task makes: an image job or a video job.
protocol TaskJob: Sendable {
    /// The model the task was created for.
    var modelName: String { get }
    /// What the task makes, for messages: `image` or `video`.
    var product: String { get }
    /// Whether a succeeded query carries `output.finished` (the messages protocol does).
    var marksFinished: Bool { get }
    /// The `output` fields and `usage` of the succeeded task, as `bends` change them.
    func finishedOutput(origin: String, id: String, bends: TaskBends) -> (output: [String: Any], usage: [String: Any])
}

/// One async task: PENDING for the first 30% of its duration, RUNNING until the end, then finished.
struct MockTask: Sendable {
    let id: String
    /// The id in the task's file URLs: its own id, unless a `task-id` fault gave it one unfit for a URL path.
    let fileID: String
    let job: any TaskJob
    let submitted: Date
    let duration: Double
    /// What faults made of the task; its `fakeStatus` counts down as the task is queried.
    var bends: TaskBends
    var canceled: Date?
    /// When a query first answered the task's final status, for the benchmark's lag figures.
    var finalStatusAnswered: Date?

    /// When the task ended or will end.
    var endTime: Date {
        canceled ?? submitted.addingTimeInterval(duration)
    }

    private var outcome: TaskOutcome {
        bends.outcome
    }

    /// The status at `now`, computed from the submission time rather than driven by timers.
    func status(at now: Date) -> TaskStatus {
        if outcome == .unknown {
            return .unknown
        }
        if canceled != nil {
            return .canceled
        }
        let elapsed = now.timeIntervalSince(submitted)
        if duration <= 0 || elapsed >= duration {
            return outcome == .failure ? .failed : .succeeded
        }
        return elapsed < 0.3 * duration ? .pending : .running
    }

    /// The `output` and `usage` of a task query at `now`; `usage` is nil until the task succeeds.
    func query(at now: Date, origin: String) -> (output: [String: Any], usage: [String: Any]?) {
        let status = status(at: now)
        var output: [String: Any] = ["task_id": id, "task_status": status.rawValue]
        guard status != .unknown else {
            return (output, nil)
        }
        output.merge(times(status: status)) { current, _ in current }
        switch status {
        case .succeeded:
            let finished = job.finishedOutput(origin: origin, id: fileID, bends: bends)
            output.merge(finished.output) { current, _ in current }
            if job.marksFinished {
                output["finished"] = true
            }
            return (output, finished.usage)
        case .failed:
            output["code"] = bends.failureCode ?? (bends.failureMessage == nil ? "InternalError.Algo" : "InternalError")
            output["message"] = bends.failureMessage
                ?? "An internal error occurred while generating the \(job.product), please try again later."
        case .pending, .running, .canceled, .unknown:
            break
        }
        return (output, nil)
    }

    /// The task as one entry of the task list.
    func listEntry(at now: Date) -> [String: Any] {
        let status = status(at: now)
        var entry: [String: Any] = ["task_id": id, "task_status": status.rawValue, "model_name": job.modelName]
        entry.merge(times(status: status).filter { $0.key != "scheduled_time" }) { current, _ in current }
        return entry
    }

    private func times(status: TaskStatus) -> [String: Any] {
        var times = ["submit_time": MockTime.format(submitted)]
        if status != .pending, canceled == nil {
            times["scheduled_time"] = MockTime.format(submitted.addingTimeInterval(0.3 * duration))
        }
        if status.isFinal {
            times["end_time"] = MockTime.format(endTime)
        }
        return times
    }
}

/// The filters of a task list request; nil matches everything.
struct TaskFilter: Sendable {
    var status: String?
    var model: String?
    var start: Date?
    var end: Date?

    /// Whether a task passes every filter at `now`.
    func matches(_ task: MockTask, at now: Date) -> Bool {
        (status.map { task.status(at: now).rawValue == $0.uppercased() } ?? true)
            && (model.map { task.job.modelName == $0 } ?? true)
            && (start.map { task.submitted >= $0 } ?? true)
            && (end.map { task.submitted <= $0 } ?? true)
    }
}

/// Every task the mock has created, in creation order.
struct TaskStore: Sendable {
    private var tasks: [MockTask] = []
    private var positions: [String: Int] = [:]

    /// Keeps a new task.
    mutating func add(_ task: MockTask) {
        positions[task.id] = tasks.count
        tasks.append(task)
    }

    /// The task with this id, if the mock created it, and the status a `status` fault shows for this query at `now`
    /// instead of the real one (counting the query against it); notes when a query first shows the final status.
    mutating func query(_ id: String, at now: Date) -> (MockTask, shownStatus: String?)? {
        guard let position = positions[id] else {
            return nil
        }
        if let fake = tasks[position].bends.fakeStatus, fake.polls > 0 {
            tasks[position].bends.fakeStatus?.polls -= 1
            return (tasks[position], fake.text)
        }
        if tasks[position].finalStatusAnswered == nil, tasks[position].status(at: now).isFinal {
            tasks[position].finalStatusAnswered = now
        }
        return (tasks[position], nil)
    }

    /// Every task, in creation order.
    var all: [MockTask] {
        tasks
    }

    /// Cancels the task if it is still PENDING at `now`; returns whether it was canceled.
    mutating func cancel(_ id: String, at now: Date) -> Bool {
        guard let position = positions[id], tasks[position].status(at: now) == .pending else {
            return false
        }
        tasks[position].canceled = now
        return true
    }

    /// The tasks passing `filter`, newest first.
    func list(_ filter: TaskFilter, at now: Date) -> [MockTask] {
        tasks.reversed().filter { filter.matches($0, at: now) }
    }
}
