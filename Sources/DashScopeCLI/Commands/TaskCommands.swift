#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// `dashscope task status|wait|cancel|list|forget` (wait in TaskWait.swift).
enum TaskCommands {
    /// Prints the status word on stdout and the details on stderr (or the whole answer with `--json`).
    static func status(_ invocation: Invocation) async throws -> ExitCode {
        let args = invocation.arguments
        let console = invocation.console
        let id = try taskID(args)
        let session = try Session(invocation)
        let snapshot: TaskSnapshot
        do { snapshot = try await session.tasks.status(id) } catch let error as DashScopeError { throw error.about(task: id) }
        if args.flag("json") {
            console.result(snapshot.raw.pretty)
            return .ok
        }
        console.row([snapshot.status.rawValue])
        if snapshot.status == .failed {
            console.info("\(snapshot.code ?? "no code"): \(snapshot.message ?? "no message")")
        }
        if snapshot.status == .unknown {
            console.info("the service does not know this task: wrong id, other account or region, or older than 24 h")
        }
        if invocation.context.stderrIsTerminal {
            let zone = TaskTimes.localZone(invocation.context.environment)
            for key in ["submit_time", "scheduled_time", "end_time"] {
                if let value = snapshot.output[key]?.string {
                    console.info("\(key.replacingAll("_", with: " ")): \(TaskTimes.show(service: value, in: zone))")
                }
            }
            let outputs = ResultParser.items(from: snapshot.output).filter { $0.url != nil }.count
            if outputs > 0, let line = ResumeLine.make(taskID: id, arguments: args, session: session) {
                console.info("\(outputs) output\(outputs == 1 ? "" : "s") ready: \(line)")
            }
        }
        return .ok
    }

    /// Cancels a PENDING task.
    static func cancel(_ invocation: Invocation) async throws -> ExitCode {
        let id = try taskID(invocation.arguments)
        let session = try Session(invocation)
        do {
            _ = try await session.tasks.cancel(id)
        } catch var error as DashScopeError {
            if error.serviceCode == "UnsupportedOperation" {
                error.hint = "only PENDING tasks can be canceled; `dashscope task status \(id)` shows where it is"
            }
            throw error.about(task: id)
        }
        if session.mock == nil { try? session.journal.recordFinished(taskID: id, outcome: "CANCELED") }
        invocation.console.info("canceled task \(id)")
        return .ok
    }

    /// Lists tasks from the service, or from the local journal with `--local`, times in local time with the zone.
    static func list(_ invocation: Invocation) async throws -> ExitCode {
        let args = invocation.arguments
        let console = invocation.console
        let zone = TaskTimes.localZone(invocation.context.environment)
        let since = try args.string("since").map { try TaskTimes.parse($0, option: "--since", zone: zone) }
        let until = try args.string("until").map { try TaskTimes.parse($0, option: "--until", zone: zone, endOfDay: true) }
        if let since, let until, since > until {
            throw DashScopeError.usage("--since is after --until", hint: "swap them")
        }
        let page = args.int("page") ?? 1
        let pageSize = args.int("page-size") ?? 10
        guard page >= 1, (1...100).contains(pageSize) else {
            throw DashScopeError.usage("--page must be 1 or more and --page-size 1 to 100")
        }
        if args.flag("local") {
            return try listLocal(invocation, since: since, until: until, zone: zone, page: page, pageSize: pageSize)
        }
        var query = TasksAPI.ListQuery()
        query.page = page
        query.pageSize = pageSize
        query.status = args.string("status")
        query.model = args.string("model")
        query.startTime = since.map(TaskTimes.serviceStamp)
        query.endTime = until.map(TaskTimes.serviceStamp)
        let session = try Session(invocation)
        let answer = try await session.tasks.list(query)
        if args.flag("json") {
            console.result(answer.pretty)
            return .ok
        }
        let tasks = answer["tasks"]?.items ?? answer["data"]?.items ?? []
        for task in tasks {
            let fields = [task["task_id"]?.string ?? "-", task["task_status"]?.string ?? task["status"]?.string ?? "-",
                          task["model_name"]?.string ?? task["model"]?.string ?? "-",
                          task["submit_time"]?.string.map { TaskTimes.show(service: $0, in: zone) } ?? "-"]
            console.row(fields)
        }
        if let total = answer["total"]?.int {
            console.info("page \(query.page): \(tasks.count) of \(total) task\(total == 1 ? "" : "s")")
        }
        return .ok
    }

    /// The journal's tasks, newest first, filtered by `-m`, `--status`, `--since` and `--until`, a page at a time as the
    /// service's list is: one row each with id, state, model, local submit time, origin and the start of the prompt.
    private static func listLocal(_ invocation: Invocation, since: Date?, until: Date?, zone: ClockZone,
                                  page: Int, pageSize: Int) throws -> ExitCode {
        let args = invocation.arguments
        let journal = Journal(environment: invocation.context.environment)
        let all = journal.entries()
        let matching = all.reversed().filter { entry in
            let date = entry.submitted
            return args.string("model").map { $0.lowercased() == entry.model.lowercased() } ?? true
                && args.string("status").map { Self.localState(entry).matches(status: $0) } ?? true
                && since.map { since in date.map { $0 >= since } ?? false } ?? true
                && until.map { until in date.map { $0 <= until } ?? false } ?? true
        }
        // A script reading --json gets the whole journal unless it asks for a page; a person gets the newest page.
        let paged = !args.flag("json") || args.string("page") != nil || args.string("page-size") != nil
        let skipped = (page - 1).multipliedReportingOverflow(by: pageSize)
        let first = paged ? min(matching.count, skipped.overflow ? matching.count : skipped.partialValue) : 0
        let entries = paged ? matching[first..<min(matching.count, first + pageSize)] : matching[...]
        if args.flag("json") {
            invocation.console.result(JSON.array(entries.map { entry in
                JSON.object(["task_id": .string(entry.taskID), "model": .string(entry.model), "command": .string(entry.command),
                             "prompt": .string(entry.prompt), "submitted_at": .string(entry.submittedAt),
                             "origin": .string(entry.origin), "outcome": entry.outcome.map(JSON.string) ?? .null,
                             "paths": .array(entry.paths.map(JSON.string))])
            }).pretty)
            return .ok
        }
        for entry in entries {
            invocation.console.row([entry.taskID, entry.outcome ?? "unfinished", entry.model,
                                    TaskTimes.show(journal: entry.submittedAt, in: zone), entry.origin, String(entry.prompt.prefix(40))])
        }
        if matching.isEmpty {
            invocation.console.info(all.isEmpty ? "the journal is empty (\(journal.path))" : "no journalled task matches")
        } else if entries.count < matching.count {
            let more = first + entries.count < matching.count ? "; --page \(page + 1) for more" : ""
            invocation.console.info("page \(page): \(entries.count) of \(matching.count) journalled task\(matching.count == 1 ? "" : "s")\(more)")
        }
        return .ok
    }

    /// What the journal knows of a task's state: finished with an outcome, or not yet.
    enum LocalState {
        case unfinished
        case finished(String)

        /// Whether `--status` picks it: PENDING, RUNNING and SUSPENDED pick unfinished tasks (the journal cannot tell
        /// them apart); SUCCEEDED picks PARTIAL too (the task succeeded, some downloads did not); others match exactly.
        func matches(status: String) -> Bool {
            switch self {
            case .unfinished: return ["PENDING", "RUNNING", "SUSPENDED"].contains(status)
            case let .finished(outcome): return outcome == status || (status == "SUCCEEDED" && outcome == "PARTIAL")
            }
        }
    }

    /// The journal's state of a task.
    static func localState(_ entry: JournalEntry) -> LocalState {
        entry.outcome.map(LocalState.finished) ?? .unfinished
    }

    /// Removes tasks from the journal: one id, every finished one (`--done`), those older than `--older-than D`, or
    /// finished ones older than D when both are given. An unfinished task whose results can still be collected
    /// (submitted less than 24 h ago) is forgotten only by its id. The journal is rewritten atomically.
    static func forget(_ invocation: Invocation) async throws -> ExitCode {
        let args = invocation.arguments
        let journal = Journal(environment: invocation.context.environment)
        let id = try args.positional.map { try TaskID.user($0).rawValue }
        let age = try args.string("older-than").map { try TaskTimes.duration($0, option: "--older-than") }
        let done = args.flag("done")
        guard (id != nil) != (done || age != nil) else {
            throw DashScopeError.usage(id == nil ? "task forget needs a TASK_ID, --done or --older-than" : "give a TASK_ID or --done/--older-than, not both",
                                       hint: "e.g. dashscope task forget --done --older-than 7d")
        }
        if let age, age <= 0 {
            throw DashScopeError.usage("--older-than needs an age above zero (it was \(TerminalText.line(args.string("older-than") ?? "")))",
                                       hint: "e.g. --older-than 7d; --done forgets every finished task, a TASK_ID one task")
        }
        let now = Date()
        let cutoff = age.map { now.addingTimeInterval(-$0) }
        var collectable = 0
        let removed = try journal.forget { entry in
            if let id { return entry.taskID == id }
            let finished = !done || entry.outcome != nil
            let old = cutoff.map { cutoff in entry.submitted.map { $0 < cutoff } ?? false } ?? true
            guard finished && old else { return false }
            if entry.collectable(at: now) { collectable += 1; return false }
            return true
        }
        if let id, removed.isEmpty {
            throw DashScopeError.usage("task \(id) is not in the journal (\(journal.path))", hint: "`dashscope task list --local` lists it")
        }
        invocation.console.info("forgot \(removed.count) task\(removed.count == 1 ? "" : "s") (\(journal.path))")
        if collectable > 0 {
            invocation.console.info("kept \(collectable) unfinished task\(collectable == 1 ? "" : "s") submitted less than 24 h ago: "
                + "\(collectable == 1 ? "its results are" : "their results are") paid for and can still be collected with "
                + "`dashscope task wait --all`; forget one by its id (`dashscope task list --local` lists them)")
        }
        return .ok
    }

    /// The checked TASK_ID argument.
    static func taskID(_ args: ParsedArguments) throws -> String {
        guard let id = args.positional else {
            throw DashScopeError.usage("\(args.commandLine) needs a TASK_ID", hint: "`dashscope task list` shows recent tasks")
        }
        return try TaskID.user(id).rawValue
    }
}
