#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// The tool's entry point: parse argv with the command table, run the handler, map every outcome to an exit code.
public enum CLI {
    /// Runs one invocation and returns the process exit status; never throws, never prints a stack trace.
    /// A run whose results could not be written to stdout fails with exit 73, even when everything else went well.
    public static func run(_ context: RunContext) async -> Int32 {
        let console = Console(context: context)
        console.protect(secret: context.environment["DASHSCOPE_API_KEY"])
        // Until argv is parsed, a usage error is printed the way the command line asks (--json, --color).
        console.json = context.arguments.prefix(while: { $0 != "--" }).contains("--json")
        console.color = ColorChoice.scan(context.arguments).decide(stderrIsTerminal: context.stderrIsTerminal,
                                                                   environment: context.environment)
        let status = await outcome(context, console: console)
        console.flushTraces()
        // A stopped run leaves no half-written file that nothing can resume (a task's resumable partials are not registered).
        if ExitCode(rawValue: status)?.isStop == true { TemporaryFiles.removeAll() }
        guard let failure = console.stdoutFailure, status == ExitCode.ok.rawValue || status == ExitCode.partial.rawValue else {
            return status
        }
        console.error(failure)
        return failure.exitCode.rawValue
    }

    private static func outcome(_ context: RunContext, console: Console) async -> Int32 {
        do {
            switch try Parser.parse(context.arguments, table: Commands.all, globals: Options.global) {
            case let .help(path):
                console.result(try Help.render(path, table: Commands.all))
                return ExitCode.ok.rawValue
            case let .run(arguments):
                console.protect(secret: arguments.string("api-key"))
                console.quiet = arguments.flag("quiet")
                console.verbose = arguments.flag("verbose")
                console.json = arguments.flag("json")
                let colors = arguments.string("color").flatMap(ColorChoice.init(rawValue:)) ?? .auto
                console.color = colors.decide(stderrIsTerminal: context.stderrIsTerminal, environment: context.environment)
                guard let handler = arguments.command.handler else { return ExitCode.usage.rawValue }
                let invocation = Invocation(arguments: arguments, context: context, console: console)
                return try await handler(invocation).rawValue
            }
        } catch let error as DashScopeError {
            console.endProgress()
            console.flushTraces()
            console.error(error)
            return error.exitCode.rawValue
        } catch is CancellationError {
            console.endProgress()
            let reason = StopSignals.reason
            console.error(DashScopeError(reason.name, exit: reason))
            return reason.rawValue
        } catch {
            console.endProgress()
            console.error(DashScopeError("unexpected failure: \(error)", hint: "please report this", exit: .failed))
            return ExitCode.failed.rawValue
        }
    }
}
