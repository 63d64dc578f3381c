import Foundation
import DashScopeKit

/// What a job is, for naming, the journal, the resume line and `--json`.
struct JobDescription: Sendable {
    var model: String
    var prompt: String
    var started: Date
    /// The default file extension of its outputs.
    var fileExtension: String
    /// Whether it makes video (polls less often).
    var video: Bool
}

/// Waits for tasks, downloads their outputs and prints the result: shared by every generating command and `task wait`.
struct JobRunner: Sendable {
    let session: Session
    let console: Console
    let plan: OutputPlan
    let force: Bool
    let json: Bool
    let timeout: Double?
    /// The working directory printed paths are relative to.
    let cwd: String
    /// The command that resumes a task, given its id (nil when it cannot be resumed).
    let resume: @Sendable (String) -> String?

    /// Polls `taskID` to a final status, then collects its outputs; Ctrl-C prints the resume line and returns 130.
    func wait(taskID: String, job: JobDescription) async throws -> ExitCode {
        let poller = TaskPoller(tasks: session.tasks, schedule: session.pollSchedule(video: job.video),
                                timeout: timeout, submitted: job.started, sleeper: session.sleeper, onNotice: console.logger.notice)
        let status = StatusBox()
        let ticker = startTicker(taskID: taskID, status: status)
        defer { ticker?.cancel(); console.endProgress() }
        let snapshot: TaskSnapshot
        do {
            snapshot = try await poller.wait(for: taskID) { snapshot, _ in
                if status.set(snapshot.status.rawValue) { console.trace("task \(taskID): \(snapshot.status.rawValue)") }
            }
        } catch is CancellationError {
            throw interrupted(taskID)
        }
        ticker?.cancel()
        console.endProgress()
        switch snapshot.status {
        case .succeeded:
            do {
                return try await collect(output: snapshot.output, usage: snapshot.usage, taskID: taskID,
                                         requestID: snapshot.requestID, job: job)
            } catch is CancellationError {
                throw interrupted(taskID)
            }
        case .failed:
            record(taskID, "FAILED")
            throw DashScopeError("task \(taskID) failed (\(snapshot.code ?? "no code")): \(snapshot.message ?? "no message")",
                                 hint: Self.failureHint(snapshot.code), exit: .failed, serviceCode: snapshot.code, requestID: snapshot.requestID)
        case .canceled:
            record(taskID, "CANCELED")
            throw DashScopeError("task \(taskID) was canceled", exit: .failed)
        default:
            record(taskID, "UNKNOWN")
            throw DashScopeError("task \(taskID) is UNKNOWN to the service: it does not exist, belongs to another account or region, or expired (tasks live 24 h)",
                                 hint: "check the id and --region; `dashscope task list` shows recent tasks", exit: .failed)
        }
    }

    /// Downloads every output listed in `output` and prints the saved paths (or the `--json` document).
    func collect(output: JSON, usage: JSON?, taskID: String?, requestID: String?, job: JobDescription) async throws -> ExitCode {
        let items = ResultParser.items(from: output)
        let naming = NamingContext(date: job.started, model: job.model, prompt: job.prompt, task: taskID ?? requestID ?? "result")
        let fetchable = items.enumerated().filter { $0.element.url != nil }
        if fetchable.isEmpty {
            if let taskID { record(taskID, "FAILED") }
            let failure = items.first
            throw DashScopeError("the job produced no output\(failure.map { " (\($0.code ?? "no code")): \($0.message ?? "no message")" } ?? "")",
                                 hint: Self.failureHint(failure?.code), exit: .failed, requestID: requestID)
        }
        _ = try plan.prepare(naming)
        let jobs = fetchable.enumerated().map { position, entry in
            DownloadJob(url: entry.element.url!,
                        destination: plan.path(index: position + 1, count: fetchable.count,
                                               ext: OutputPlan.fileExtension(of: entry.element.url!, fallback: job.fileExtension),
                                               context: naming))
        }
        if console.showsProgress { console.progress("downloading \(jobs.count) file\(jobs.count == 1 ? "" : "s")…") }
        let results = try await session.downloader.fetch(jobs, force: force)
        console.endProgress()
        let paths = results.compactMap { try? $0.get() }
        var failures: [(index: Int, code: String?, message: String)] = []
        for (i, item) in items.enumerated() where item.url == nil {
            failures.append((i + 1, item.code, item.message ?? "failed"))
        }
        for (position, result) in results.enumerated() {
            if case let .failure(error) = result { failures.append((fetchable[position].offset + 1, nil, error.message)) }
        }
        if json {
            console.result(document(output: output, usage: usage, taskID: taskID, requestID: requestID, job: job,
                                    items: items, paths: paths, failures: failures).pretty)
        } else {
            for path in paths { console.result(OutputPlan.display(path, cwd: cwd)) }
        }
        if let taskID { record(taskID, failures.isEmpty ? "SUCCEEDED" : "PARTIAL") }
        if failures.isEmpty {
            if console.showsProgress {
                let seconds = Date().timeIntervalSince(job.started)
                console.info("saved \(paths.count) file\(paths.count == 1 ? "" : "s") in \(String(format: "%.1f", seconds))s")
            }
            return .ok
        }
        for failure in failures {
            console.warn("output \(failure.index) failed\(failure.code.map { " (\($0))" } ?? ""): \(failure.message)")
        }
        if paths.isEmpty {
            if case let .failure(first)? = results.first(where: { if case .failure = $0 { return true } else { return false } }) { throw first }
        }
        console.info("\(paths.count) of \(items.count) outputs saved")
        return .partial
    }

    private func document(output: JSON, usage: JSON?, taskID: String?, requestID: String?, job: JobDescription,
                          items: [ResultItem], paths: [String], failures: [(index: Int, code: String?, message: String)]) -> JSON {
        .object([
            "task_id": taskID.map(JSON.string) ?? .null,
            "request_id": requestID.map(JSON.string) ?? .null,
            "model": .string(job.model),
            "prompt": .string(job.prompt),
            "actual_prompts": .array(items.compactMap { $0.actualPrompt.map(JSON.string) }),
            "urls": .array(items.compactMap { $0.url.map(JSON.string) }),
            "paths": .array(paths.map(JSON.string)),
            "failures": .array(failures.map { .object(["index": .number(Double($0.index)), "code": $0.code.map(JSON.string), "message": .string($0.message)]) }),
            "usage": usage ?? .null,
        ])
    }

    private func record(_ taskID: String, _ outcome: String) {
        guard session.mock == nil else { return }
        do { try session.journal.recordFinished(taskID: taskID, outcome: outcome) } catch let error as DashScopeError {
            console.warn(error.message)
        } catch {}
    }

    private func interrupted(_ taskID: String) -> DashScopeError {
        DashScopeError("interrupted; task \(taskID) keeps running on the service",
                       hint: resume(taskID).map { "resume with: \($0)" } ?? "the built-in mock forgets its tasks when dashscope exits, so this one cannot be resumed",
                       exit: .interrupted)
    }

    /// Redraws "⠋ RUNNING · 12s" on a terminal while waiting.
    private func startTicker(taskID: String, status: StatusBox) -> Task<Void, Never>? {
        guard console.showsProgress else { return nil }
        let console = console
        let started = Date()
        return Task {
            let frames = Array("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
            var frame = 0
            while !Task.isCancelled {
                let seconds = Int(Date().timeIntervalSince(started))
                console.progress("\(frames[frame % frames.count]) \(status.value) · \(seconds)s · task \(taskID)")
                frame += 1
                try? await Task.sleep(nanoseconds: 120_000_000)
            }
        }
    }

    static func failureHint(_ code: String?) -> String? {
        switch code ?? "" {
        case "DataInspectionFailed", "IPInfringementSuspect": return "the content check refused the input or output: rephrase the prompt"
        case let c where c.hasPrefix("InternalError"): return "a service-side failure: submitting again usually works"
        default: return nil
        }
    }
}

/// The latest status seen while polling, shared with the progress ticker.
final class StatusBox: @unchecked Sendable {
    private let lock = NSLock()
    private var current = "SUBMITTED"

    /// The latest status.
    var value: String { lock.withLock { current } }

    /// Sets the status; returns whether it changed.
    func set(_ status: String) -> Bool {
        lock.withLock {
            defer { current = status }
            return current != status
        }
    }
}
