/// A `task_status` shown instead of the real one for the first `polls` queries (empty text: no such field).
struct FakeStatus: Sendable, Equatable {
    var text: String
    var polls: Int
}

/// What the task-bending faults make of the next created task (or sync answer).
struct TaskBends: Sendable, Equatable {
    /// How the task ends.
    var outcome = TaskOutcome.success
    /// The FAILED task's `code`, when `code=` asked for one.
    var failureCode: String?
    /// The FAILED task's `message`, when `message=` asked for one.
    var failureMessage: String?
    /// Every result URL, when `result-url=` asked for one.
    var resultURL: String?
    /// The task's id, when `task-id=` asked for one.
    var taskID: String?
    /// The status the first queries show, when `status=` asked for one.
    var fakeStatus: FakeStatus?
    /// Whether `usage` carries numbers no double holds exactly.
    var bigNumbers = false
    /// Whether a streamed answer stops half-way, its connection closed mid-body (`cut`).
    var cut = false
}

/// The faults waiting to happen, in injection order.
struct FaultQueue: Sendable {
    private var pending: [Fault] = []

    /// Queues a fault; faults with a count below 1 never happen and are not kept.
    mutating func add(_ fault: Fault) {
        if fault.count > 0 {
            pending.append(fault)
        }
    }

    /// Takes one use of the first fault that replaces the answer to, or the delivery of, a request to `route`.
    mutating func take(for route: Fault.Route?) -> Fault? {
        takeFirst { $0.interrupts(route) }
    }

    /// Takes one use of the first `kind` decoration that applies to a request to `route`.
    mutating func takeDecoration(_ kind: Fault.Kind, for route: Fault.Route?) -> Fault? {
        takeFirst { $0.kind == kind && $0.decorates(route) }
    }

    /// Takes what bends a task being created now: one use of the first fault of each task kind (`fail`, `unknown`
    /// and `partial` count as one kind, and `message` or `code` end the task FAILED), and all of a `status` fault.
    mutating func takeBends() -> TaskBends {
        let decider = takeFirst { $0.kind.taskOutcome != nil }
        var bends = takeSyncBends()
        if bends.outcome == .success, let outcome = decider?.kind.taskOutcome {
            bends.outcome = outcome
        }
        bends.taskID = takeFirst { $0.kind == .taskID }?.value
        if let position = pending.firstIndex(where: { $0.kind == .status }) {
            let fault = pending.remove(at: position)
            bends.fakeStatus = FakeStatus(text: fault.value ?? "", polls: fault.count)
        }
        return bends
    }

    /// Takes what bends a sync answer: `message`, `code`, `result-url`, `big-numbers` and `cut`; the others wait for a task.
    mutating func takeSyncBends() -> TaskBends {
        var bends = TaskBends()
        bends.failureMessage = takeFirst { $0.kind == .message }?.value
        bends.failureCode = takeFirst { $0.kind == .code }?.value
        if bends.failureMessage != nil || bends.failureCode != nil {
            bends.outcome = .failure
        }
        bends.resultURL = takeFirst { $0.kind == .resultURL }?.value
        bends.bigNumbers = takeFirst { $0.kind == .bigNumbers } != nil
        bends.cut = takeFirst { $0.kind == .cut } != nil
        return bends
    }

    private mutating func takeFirst(where matches: (Fault) -> Bool) -> Fault? {
        guard let position = pending.firstIndex(where: matches) else {
            return nil
        }
        let fault = pending[position]
        pending[position].count -= 1
        if pending[position].count == 0 {
            pending.remove(at: position)
        }
        return fault
    }
}
