#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// `dashscope task status|wait|cancel|list`.
enum TaskCommands {
    /// Prints the status word on stdout and the details on stderr (or the whole answer with `--json`).
    static func status(_ invocation: Invocation) async throws -> ExitCode {
        let args = invocation.arguments
        let console = invocation.console
        let id = try taskID(args)
        let session = try Session(invocation)
        let snapshot = try await session.tasks.status(id)
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
            for key in ["submit_time", "scheduled_time", "end_time"] {
                if let value = snapshot.output[key]?.string { console.info("\(key.replacingAll("_", with: " ")): \(value)") }
            }
            let outputs = ResultParser.items(from: snapshot.output).filter { $0.url != nil }.count
            if outputs > 0, let line = ResumeLine.make(taskID: id, arguments: args, session: session) {
                console.info("\(outputs) output\(outputs == 1 ? "" : "s") ready: \(line)")
            }
        }
        return .ok
    }

    /// Waits for a task (the newest unfinished journal entry when no id is given) and downloads its outputs.
    static func wait(_ invocation: Invocation) async throws -> ExitCode {
        let args = invocation.arguments
        let session = try Session(invocation)
        let entry: JournalEntry?
        let id: String
        if args.positional != nil {
            id = try taskID(args)
            entry = session.journal.entry(for: id)
        } else {
            guard let newest = session.journal.newestUnfinished(origin: session.configuration.origin) else {
                throw DashScopeError.usage("no unfinished task in the journal (\(session.journal.path))",
                                           hint: "give the task id: dashscope task wait TASK_ID")
            }
            entry = newest
            id = newest.taskID
            invocation.console.info("resuming task \(id) (\(newest.model), submitted \(newest.submittedAt))")
        }
        let output = args.string("output") ?? entry?.output ?? session.configuration.output
        let job = JobRecord(model: entry?.model ?? "task", prompt: entry?.prompt ?? id, capability: entry?.capability,
                            submitted: entry.flatMap { CalendarText.parseISO8601($0.submittedAt) }.map { min($0, Date()) })
        return try await JobLauncher.pipeline(invocation, session: session, output: output).wait(taskID: id, job: job)
    }

    /// Cancels a PENDING task.
    static func cancel(_ invocation: Invocation) async throws -> ExitCode {
        let id = try taskID(invocation.arguments)
        let session = try Session(invocation)
        do {
            _ = try await session.tasks.cancel(id)
        } catch var error as DashScopeError where error.serviceCode == "UnsupportedOperation" {
            error.hint = "only PENDING tasks can be canceled; `dashscope task status \(id)` shows where it is"
            throw error
        }
        if session.mock == nil { try? session.journal.recordFinished(taskID: id, outcome: "CANCELED") }
        invocation.console.info("canceled task \(id)")
        return .ok
    }

    /// Lists tasks from the service, or from the local journal with `--local`.
    static func list(_ invocation: Invocation) async throws -> ExitCode {
        let args = invocation.arguments
        let console = invocation.console
        if args.flag("local") { return listLocal(invocation) }
        var query = TasksAPI.ListQuery()
        query.page = args.int("page") ?? 1
        query.pageSize = args.int("page-size") ?? 10
        guard query.page >= 1, (1...100).contains(query.pageSize) else {
            throw DashScopeError.usage("--page must be 1 or more and --page-size 1 to 100")
        }
        query.status = args.string("status")
        query.model = args.string("model")
        query.startTime = try args.string("since").map { try timestamp($0, option: "--since") }
        query.endTime = try args.string("until").map { try timestamp($0, option: "--until") }
        let session = try Session(invocation)
        let answer = try await session.tasks.list(query)
        if args.flag("json") {
            console.result(answer.pretty)
            return .ok
        }
        let tasks = answer["tasks"]?.items ?? answer["data"]?.items ?? []
        for task in tasks {
            let fields = [task["task_id"]?.string ?? "-", task["task_status"]?.string ?? task["status"]?.string ?? "-",
                          task["model_name"]?.string ?? task["model"]?.string ?? "-", task["submit_time"]?.string ?? "-"]
            console.row(fields)
        }
        if let total = answer["total"]?.int {
            console.info("page \(query.page): \(tasks.count) of \(total) task\(total == 1 ? "" : "s")")
        }
        return .ok
    }

    private static func listLocal(_ invocation: Invocation) -> ExitCode {
        let journal = Journal(environment: invocation.context.environment)
        let entries = journal.entries().reversed()
        if invocation.arguments.flag("json") {
            invocation.console.result(JSON.array(entries.map { entry in
                JSON.object(["task_id": .string(entry.taskID), "model": .string(entry.model), "command": .string(entry.command),
                             "prompt": .string(entry.prompt), "submitted_at": .string(entry.submittedAt),
                             "origin": .string(entry.origin), "outcome": entry.outcome.map(JSON.string) ?? .null])
            }).pretty)
            return .ok
        }
        for entry in entries {
            invocation.console.row([entry.taskID, entry.outcome ?? "unfinished", entry.model, entry.submittedAt,
                                    String(entry.prompt.prefix(40))])
        }
        if entries.isEmpty { invocation.console.info("the journal is empty (\(journal.path))") }
        return .ok
    }

    private static func taskID(_ args: ParsedArguments) throws -> String {
        guard let id = args.positional else {
            throw DashScopeError.usage("\(args.commandLine) needs a TASK_ID", hint: "`dashscope task list` shows recent tasks")
        }
        return try TaskID.user(id).rawValue
    }

    /// `2026-11-23`, `2026-11-23 10:00:00` or `20261123100000` → `20261123100000`.
    static func timestamp(_ text: String, option: String) throws -> String {
        let digits = text.filter(\.isNumber)
        guard [8, 10, 12, 14].contains(digits.count) else {
            throw DashScopeError.usage("\(option) '\(text)' is not a time", hint: "write YYYY-MM-DD or \"YYYY-MM-DD hh:mm:ss\"")
        }
        return digits + String(repeating: "0", count: 14 - digits.count)
    }
}
