#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// Turns a command's parsed job options (`-o`, `--force`, `--json`, `--no-wait`, `--dry-run`, `--timeout`) and its session
/// into the library's job pipeline: every generating command and `task wait` go through here.
enum JobLauncher {
    /// The pipeline for this invocation, over `session`; `-o -` is refused (exit 64): these commands save files, and only
    /// `tts` (which passes its own `output`) writes to stdout.
    static func pipeline(_ invocation: Invocation, session: Session, output: String? = nil, started: Date = Date()) throws -> JobPipeline {
        let args = invocation.arguments
        let context = invocation.context
        let home = context.home
        let option = output ?? args.string("output") ?? session.configuration.output
        if option == "-" {
            throw DashScopeError.usage("\(args.commandLine) cannot write its results to stdout (-o -): it saves files",
                                       hint: "only tts streams to stdout (raw audio: tts -o -); to name the file -, pass -o ./- (its extension is added)")
        }
        let fromConfig = output == nil && args.string("output") == nil && session.configuration.output != nil
        let plan = try OutputPlan(option: option, cwd: context.cwd, home: home, fromConfig: fromConfig)
        let deadline = try TimeoutOption.deadline(args, from: started, waitingFor: "the task")
        let absolute = option.map { OutputPlan.absolute(option: $0, cwd: context.cwd, home: home) }
        let options = JobOptions(plan: plan, journalOutput: absolute,
                                 force: args.flag("force"), json: args.flag("json"), noWait: args.flag("no-wait"),
                                 dryRun: args.flag("dry-run"), deadline: deadline, cwd: context.cwd,
                                 resumeCommand: { ResumeLine.make(taskID: $0, arguments: args, session: session, output: absolute) })
        return JobPipeline(services: session.jobServices, options: options, reporter: invocation.console)
    }
}
