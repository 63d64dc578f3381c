#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// `dashscope task wait [TASK_ID | --all]`: finishes journalled or given tasks, downloads included.
extension TaskCommands {
    /// Waits for a task (the newest unfinished journal entry when no id is given, every one with `--all`) and saves
    /// its outputs; a task already saved prints where its files are instead of saving copies (`--force` saves again).
    static func wait(_ invocation: Invocation) async throws -> ExitCode {
        let args = invocation.arguments
        let session = try Session(invocation)
        if args.flag("all") {
            guard args.positional == nil else {
                throw DashScopeError.usage("give a TASK_ID or --all, not both", hint: "dashscope task wait --all")
            }
            return try await waitAll(invocation, session: session)
        }
        let entry: JournalEntry?
        let id: String
        if args.positional != nil {
            id = try taskID(args)
            entry = session.journal.entry(for: id)
            // Another origin does not know the task: its UNKNOWN would close a task that runs on (and is billed) elsewhere.
            if let entry, !entry.origin.isEmpty, entry.origin != session.configuration.origin {
                throw DashScopeError.usage("task \(id) was submitted to \(entry.origin), not to \(session.configuration.origin)",
                                           hint: "ask where it runs: " + ShellQuote.command(["dashscope", "task", "wait", id, "--base-url", entry.origin]))
            }
        } else {
            guard let newest = session.journal.newestUnfinished(origin: session.configuration.origin) else {
                throw DashScopeError.usage("no unfinished task for \(session.configuration.origin) in the journal (\(session.journal.path))",
                                           hint: otherOrigins(session.journal.entries(), origin: session.configuration.origin)
                                               .map { $0 + "; or give the task id" }
                                               ?? "give the task id: dashscope task wait TASK_ID")
            }
            entry = newest
            id = newest.taskID
            let zone = TaskTimes.localZone(invocation.context.environment)
            invocation.console.info("resuming task \(id) (\(newest.model), submitted \(TaskTimes.show(journal: newest.submittedAt, in: zone)))")
        }
        if let entry, !args.flag("force"), let code = try alreadySaved(entry, invocation: invocation) { return code }
        return try await waitOne(invocation, session: session, id: id, entry: entry, reporter: invocation.console)
    }

    /// One task through the pipeline, saved where `-o`, else its journalled `-o`, else the configured output, says.
    private static func waitOne(_ invocation: Invocation, session: Session, id: String, entry: JournalEntry?,
                                reporter: any JobReporter) async throws -> ExitCode {
        // Without either, the pipeline takes the configured output (and says so in its errors).
        let output = invocation.arguments.string("output") ?? entry?.output
        let job = JobRecord(model: entry?.model ?? "task", prompt: entry?.prompt ?? id, capability: entry?.capability,
                            submitted: entry?.submitted.map { min($0, Date()) }, parameters: entry?.parameters)
        var pipeline = try JobLauncher.pipeline(invocation, session: session, output: output)
        pipeline.reporter = reporter
        return try await pipeline.wait(taskID: id, job: job)
    }

    /// For a task the journal says was saved and whose files are all still there: prints their paths (or the `--json`
    /// document) as a fresh download would, says so on stderr, and returns the exit code; nil when it must be fetched.
    private static func alreadySaved(_ entry: JournalEntry, invocation: Invocation) throws -> ExitCode? {
        guard ["SUCCEEDED", "PARTIAL"].contains(entry.outcome ?? ""), !entry.paths.isEmpty else { return nil }
        let missing = entry.paths.filter { !FileManager.default.fileExists(atPath: $0) }
        let console = invocation.console
        guard missing.isEmpty else {
            console.info("\(missing.count) of the \(entry.paths.count) files task \(entry.taskID) was saved to are gone; downloading again")
            return nil
        }
        if invocation.arguments.flag("json") {
            let sent = JobRecord(model: entry.model, prompt: entry.prompt, capability: entry.capability, parameters: entry.parameters)
            console.result(JobDocument.alreadySaved(taskID: entry.taskID, job: sent, paths: entry.paths).pretty, made: true)
        } else {
            for path in entry.paths { console.result(OutputPlan.display(path, cwd: invocation.context.cwd), made: true) }
        }
        console.info("task \(entry.taskID) was already saved (its files are listed above); pass --force to download it again")
        return entry.outcome == "PARTIAL" ? .partial : .ok
    }

    /// Every unfinished journalled task of this origin, oldest first, one after the other; a failure is reported and
    /// the next task goes on. Ends with a summary; the exit status is the worst of them (an interruption stops at once).
    private static func waitAll(_ invocation: Invocation, session: Session) async throws -> ExitCode {
        let console = invocation.console
        let origin = session.configuration.origin
        let entries = session.journal.entries()
        let open = entries.filter { $0.outcome == nil && $0.origin == origin }
        if let others = otherOrigins(entries, origin: origin) { console.info(others) }
        guard !open.isEmpty else {
            console.info("no unfinished task for \(origin) in the journal (\(session.journal.path))")
            if invocation.arguments.flag("json") { console.result("[]") }
            return .ok
        }
        let zone = TaskTimes.localZone(invocation.context.environment)
        let documents = CollectingReporter(console: console, collect: invocation.arguments.flag("json"))
        var outcomes: [ExitCode] = []
        var failures: [DashScopeError] = []
        for (number, entry) in open.enumerated() {
            console.info("task \(number + 1) of \(open.count): \(entry.taskID) (\(entry.model), submitted \(TaskTimes.show(journal: entry.submittedAt, in: zone)))")
            do {
                outcomes.append(try await waitOne(invocation, session: session, id: entry.taskID, entry: entry, reporter: documents))
            } catch var error as DashScopeError where error.exitCode.isStop {
                // What was saved stays on stdout; the line to go on covers every task still open, not this one alone.
                if invocation.arguments.flag("json") { console.result(JSON.array(documents.documents).pretty, made: true) }
                let context = invocation.context
                let output = invocation.arguments.string("output").map { OutputPlan.absolute(option: $0, cwd: context.cwd, home: context.home) }
                if let line = ResumeLine.makeAll(arguments: invocation.arguments, session: session, output: output) {
                    let left = open.count - number
                    error.hint = "\(left) of \(open.count) task\(open.count == 1 ? " is" : "s are") unfinished; go on with all of them: \(line)"
                }
                throw error
            } catch let error as DashScopeError where !error.exitCode.isStop {
                console.endProgress()
                console.error(error.about(task: entry.taskID))
                outcomes.append(error.exitCode)
                failures.append(error.about(task: entry.taskID))
            }
        }
        if invocation.arguments.flag("json") { console.result(JSON.array(documents.documents).pretty, made: true) }
        let saved = outcomes.filter { $0 == .ok }.count
        let worst = outcomes.max(by: { severity($0) < severity($1) }) ?? .ok
        let summary = "\(saved) of \(open.count) task\(open.count == 1 ? "" : "s") saved" + (worst == .ok ? "" : "; the worst outcome: exit \(worst.rawValue)")
        // Under --json an error is one JSON object, the last line of stderr: the summary is that of the worst failure.
        if invocation.arguments.flag("json"), let failure = failures.max(by: { severity($0.exitCode) < severity($1.exitCode) }),
           failure.exitCode == worst {
            var last = failure
            last.message = summary + "; the worst: " + failure.message
            console.error(last)
        } else {
            console.info(summary)
        }
        return worst
    }

    /// How bad an outcome is, to pick the worst of several: ok, then some outputs failed, then the task failed, then
    /// everything else (the tool could not finish the job: network, disk, time, key) by its number.
    static func severity(_ code: ExitCode) -> Int {
        switch code {
        case .ok: return 0
        case .partial: return 1
        case .failed: return 2
        default: return 3 + Int(code.rawValue)
        }
    }

    /// "N unfinished tasks were submitted to other origins …" when `entries` hold some, else nil.
    private static func otherOrigins(_ entries: [JournalEntry], origin: String) -> String? {
        let others = entries.filter { $0.outcome == nil && $0.origin != origin }
        guard !others.isEmpty else { return nil }
        let origins = Set(others.map(\.origin)).sorted().joined(separator: ", ")
        return "\(others.count) unfinished task\(others.count == 1 ? " was" : "s were") submitted to \(origins), not \(origin): "
            + "wait for \(others.count == 1 ? "it" : "them") with --base-url or --region (`dashscope task list --local` shows the origin)"
    }
}

/// The console as a job reporter, except that with `--json` the result documents of several tasks are kept, to be
/// printed as one JSON array at the end.
final class CollectingReporter: JobReporter, @unchecked Sendable {
    private let console: Console
    private let collect: Bool
    private let lock = Lock()
    private var kept: [JSON] = []

    init(console: Console, collect: Bool) {
        self.console = console
        self.collect = collect
    }

    /// The documents kept so far.
    var documents: [JSON] { lock.withLock { kept } }

    func emit(_ line: String) {
        guard collect, let document = try? JSON.parse(Data(line.utf8)) else { return console.emit(line) }
        lock.withLock { kept.append(document) }
    }
    func notice(_ line: String) { console.notice(line) }
    func caution(_ line: String) { console.caution(line) }
    func failure(_ line: String) { console.failure(line) }
    func detail(_ line: String) { console.detail(line) }
    var live: Bool { console.live }
    func status(_ line: String) { console.status(line) }
    func clearStatus() { console.clearStatus() }
}
