#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The one pipeline of every generating command and of `task wait`:
/// dry-run | submit → journal → wait → collect → name → download → report.
public struct JobPipeline: Sendable {
    /// The services the job runs on.
    public var services: JobServices
    /// How the user asked the job to run.
    public var options: JobOptions
    /// Where human output and results go.
    public var reporter: any JobReporter

    /// Creates a pipeline.
    public init(services: JobServices, options: JobOptions, reporter: any JobReporter) {
        self.services = services
        self.options = options
        self.reporter = reporter
    }

    /// Runs a prepared job the way the options ask and returns the exit status.
    public func run(_ job: PreparedJob) async throws -> ExitCode {
        if options.dryRun {
            reporter.emit(options.json ? services.client.describeJSON(job.endpoint, output: options.noWait ? nil : options.plan.template).pretty
                                       : services.client.describe(job.endpoint))
            return .ok
        }
        try prepareOutput(for: job)
        var record = JobRecord(model: job.model.name, prompt: job.prompt, capability: job.capability,
                               parameters: job.endpoint.body?["parameters"])
        let answer = try await submit(job)
        record.submitted = Date()
        let requestID = answer["request_id"]?.string
        guard job.mode.async else {
            reporter.clearStatus()
            do {
                return try await collector.collect(output: answer["output"] ?? .null, usage: answer["usage"], taskID: nil,
                                                   requestID: requestID, job: record)
            } catch {
                throw Self.unsaved(error, output: answer["output"] ?? .null, requestID: requestID)
            }
        }
        let taskID = try Self.taskID(in: answer, requestID: requestID)
        journal(taskID, record: record)
        reporter.detail("task \(taskID) submitted (request \(requestID ?? "?"))")
        guard !options.noWait else {
            reporter.clearStatus()
            printSubmitted(taskID, requestID: requestID, status: answer["output"]?["task_status"]?.string, model: job.model.name)
            return .ok
        }
        return try await wait(taskID: taskID, job: record)
    }

    /// Creates and checks the output directory (exit 73) unless nothing will be saved (`--no-wait`, `--dry-run`): call it
    /// before work that comes ahead of the submit, such as uploads. `run` does it too.
    public func prepareOutput(for job: PreparedJob) throws {
        guard !options.noWait && !options.dryRun else { return }
        _ = try options.plan.prepare(naming(JobRecord(model: job.model.name, prompt: job.prompt, capability: job.capability), task: ""))
    }

    /// Polls `taskID` to a final status, then collects its outputs; any stop before the end prints how to resume.
    public func wait(taskID: String, job: JobRecord) async throws -> ExitCode {
        let snapshot = try await resumable(taskID, always: true) { try await poll(taskID, job: job) }
        switch snapshot.status {
        case .succeeded:
            return try await resumable(taskID, always: false) {
                try await collector.collect(output: snapshot.output, usage: snapshot.usage, taskID: taskID,
                                            requestID: snapshot.requestID, job: job)
            }
        case .failed:
            finish(taskID, "FAILED")
            throw DashScopeError("task \(taskID) failed (\(snapshot.code ?? "no code")): \(snapshot.message ?? "no message")",
                                 hint: ResultCollector.failureHint(snapshot.code), exit: .failed,
                                 serviceCode: snapshot.code, requestID: snapshot.requestID, taskID: taskID)
        case .canceled:
            finish(taskID, "CANCELED")
            throw DashScopeError("task \(taskID) was canceled", exit: .failed, taskID: taskID)
        default:
            finish(taskID, "UNKNOWN")
            throw DashScopeError("task \(taskID) is UNKNOWN to the service: it does not exist, belongs to another account or region, or expired (tasks live 24 h)",
                                 hint: "check the id and --region; `dashscope task list` shows recent tasks", exit: .failed, taskID: taskID)
        }
    }

    // MARK: - Steps

    private var collector: ResultCollector {
        ResultCollector(downloader: services.downloader, options: options, reporter: reporter,
                        finish: { [self] id, outcome, paths in finish(id, outcome, paths: paths) })
    }

    private func naming(_ record: JobRecord, task: String) -> NamingContext {
        NamingContext(date: record.started, model: record.model, prompt: record.prompt, task: task)
    }

    /// The error of a synchronous answer whose files were not all saved (a stop, the time limit, a failed download):
    /// there is no task to collect again, so it names the request and the URLs of what was made and billed.
    static func unsaved(_ error: Error, output: JSON, requestID: String?) -> Error {
        var failure: DashScopeError
        switch error {
        case is CancellationError: failure = DashScopeError(StopSignals.reason.name, exit: StopSignals.reason)
        case let error as DashScopeError where error.exitCode != .failed && error.exitCode != .usage: failure = error
        default: return error
        }
        let urls = ResultParser.items(from: output).compactMap(\.url)
        guard !urls.isEmpty else { return failure }
        if failure.requestID == nil { failure.requestID = requestID }
        let shown = urls.prefix(ResultCollector.maxFiles).map { TerminalText.line($0) }
        let note = "the results were made (and billed) but not all saved; no task keeps them, so fetch them within 24 h:\n"
            + shown.joined(separator: "\n")
        failure.hint = [failure.hint, note].compactMap { $0 }.joined(separator: "\n")
        return failure
    }

    /// Sends the create call; an interruption here may already have started a billed task, and says so.
    private func submit(_ job: PreparedJob) async throws -> JSON {
        if reporter.live { reporter.status("submitting to \(job.model.name)…") }
        do {
            return try await services.client.perform(job.endpoint, deadline: options.deadline)
        } catch is CancellationError {
            let reason = StopSignals.reason
            throw DashScopeError("\(reason.name) while submitting; the request may have reached the service",
                                 hint: job.mode.async ? "check `dashscope task list` before submitting again"
                                     : "a synchronous result cannot be fetched later",
                                 exit: reason)
        }
    }

    /// The task id of a create answer, refused unless it is a well-formed id (it reaches paths, the journal and a shell line).
    static func taskID(in answer: JSON, requestID: String?) throws -> String {
        guard let id = answer["output"]?["task_id"]?.string else {
            throw DashScopeError("the service accepted the request but returned no task id",
                                 hint: "run again with --verbose to see the answer; `dashscope task list` shows the account's tasks",
                                 exit: .failed, requestID: requestID)
        }
        return try TaskID.server(id, requestID: requestID).rawValue
    }

    private func journal(_ taskID: String, record: JobRecord) {
        guard let journal = services.journal else { return }
        do {
            try journal.recordSubmitted(JournalEntry(taskID: taskID, model: record.model, command: record.capability?.command ?? "task",
                                                     prompt: record.prompt, origin: services.client.configuration.origin,
                                                     submittedAt: record.started, output: options.journalOutput,
                                                     capability: record.capability, parameters: record.parameters))
        } catch let error as DashScopeError {
            reporter.caution("\(error.message); remember the task id yourself: \(taskID)")
        } catch {}
    }

    private func printSubmitted(_ taskID: String, requestID: String?, status: String?, model: String) {
        if options.json {
            reporter.emit(JSON.object(["task_id": .string(taskID), "request_id": requestID.map(JSON.string) ?? .null,
                                       "model": .string(model), "status": .string(status ?? "PENDING")]).pretty)
        } else {
            reporter.emit(taskID)
        }
        if let line = options.resumeCommand(taskID) {
            reporter.notice("collect it with: \(line)")
        } else {
            reporter.caution("the built-in mock forgets its tasks when dashscope exits: this one cannot be collected later")
        }
    }

    /// Polls to a final status. On a terminal a ticker redraws the status; elsewhere (a CI log) each status change is
    /// one plain line, so a long wait shows signs of life without a spinner's escape codes.
    private func poll(_ taskID: String, job: JobRecord) async throws -> TaskSnapshot {
        let reporter = reporter
        let poller = TaskPoller(tasks: services.tasks, schedule: services.schedule(job.output), deadline: options.deadline,
                                submitted: job.submitted, sleeper: services.sleeper, onNotice: { reporter.notice($0) })
        let status = StatusBox()
        let since = job.submitted ?? Date()
        let ticker = startTicker(taskID: taskID, status: status, since: since)
        defer { ticker?.cancel(); reporter.clearStatus() }
        return try await poller.wait(for: taskID) { snapshot, _ in
            let text = snapshot.status.rawValue
            let polls = status.polled()
            guard status.set(text) else { return }
            // A failed, canceled or unknown end is reported by the error that follows.
            if reporter.live || (snapshot.status.isFinal && snapshot.status != .succeeded) {
                reporter.detail("task \(taskID): \(text)")
            } else {
                reporter.notice(Self.statusLine(taskID: taskID, status: text, seconds: Date().timeIntervalSince(since), polls: polls))
            }
        }
    }

    /// "task ID: RUNNING after 12s (3 polls)", the line a status change prints when stderr is not a terminal.
    static func statusLine(taskID: String, status: String, seconds: Double, polls: Int) -> String {
        "task \(taskID): \(status) after \(elapsed(seconds)) (\(polls) poll\(polls == 1 ? "" : "s"))"
    }

    /// Seconds as `12s` or `4m05s`.
    static func elapsed(_ seconds: Double) -> String {
        let whole = max(0, Int(seconds))
        return whole < 60 ? "\(whole)s" : "\(whole / 60)m\((whole % 60).zeroPadded(to: 2))s"
    }

    /// Runs a step of a submitted task; whatever stops it (Ctrl-C, timeout, a failure) is reported with the resume
    /// command: every failure while polling (the task runs on), and while collecting every one but a final `.failed`
    /// (the task produced nothing to fetch, or a URL that cannot be fetched).
    private func resumable<T>(_ taskID: String, always: Bool, _ step: () async throws -> T) async throws -> T {
        do {
            return try await step()
        } catch is CancellationError {
            let reason = StopSignals.reason
            // While polling the task runs on; while collecting it is done, and only its files wait to be saved.
            let state = always ? "task \(taskID) keeps running on the service" : "the results of task \(taskID) are not all saved"
            throw DashScopeError("\(reason.name); \(state)", hint: resumeHint(taskID), exit: reason, taskID: taskID)
        } catch var error as DashScopeError where always || error.exitCode != .failed {
            error.hint = [error.hint, resumeHint(taskID)].compactMap { $0 }.joined(separator: "\n")
            throw error.about(task: taskID)
        } catch let error as DashScopeError {
            throw error.about(task: taskID)
        }
    }

    private func resumeHint(_ taskID: String) -> String {
        Self.resumeHint(taskID, options: options)
    }

    /// "resume with: dashscope task wait ...", or why the task cannot be resumed.
    static func resumeHint(_ taskID: String, options: JobOptions) -> String {
        options.resumeCommand(taskID).map { "resume with: \($0)" }
            ?? "the built-in mock forgets its tasks when dashscope exits, so this one cannot be resumed"
    }

    func finish(_ taskID: String, _ outcome: String, paths: [String] = []) {
        guard let journal = services.journal else { return }
        do { try journal.recordFinished(taskID: taskID, outcome: outcome, paths: paths) } catch let error as DashScopeError {
            reporter.caution(error.message)
        } catch {}
    }

    /// Redraws "⠋ RUNNING · 12s · 3 polls · task ID" on a terminal while waiting; the time counts from `since`.
    private func startTicker(taskID: String, status: StatusBox, since started: Date) -> Task<Void, Never>? {
        guard reporter.live else { return nil }
        let reporter = reporter
        return Task {
            let frames = Array("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
            var frame = 0
            while !Task.isCancelled {
                let polls = status.polls
                let count = polls == 0 ? "" : " · \(polls) poll\(polls == 1 ? "" : "s")"
                reporter.status("\(frames[frame % frames.count]) \(status.value) · \(Self.elapsed(Date().timeIntervalSince(started)))\(count) · task \(taskID)")
                frame += 1
                try? await Task.sleep(nanoseconds: 120_000_000)
            }
        }
    }
}

/// The latest status seen while polling and the number of answered polls, shared with the progress ticker.
final class StatusBox: @unchecked Sendable {
    private let lock = Lock()
    private var current = "SUBMITTED"
    private var count = 0

    /// The latest status.
    var value: String { lock.withLock { current } }

    /// How many polls were answered.
    var polls: Int { lock.withLock { count } }

    /// Counts one answered poll; returns the count.
    func polled() -> Int {
        lock.withLock {
            count += 1
            return count
        }
    }

    /// Sets the status; returns whether it changed.
    func set(_ status: String) -> Bool {
        lock.withLock {
            defer { current = status }
            return current != status
        }
    }
}
