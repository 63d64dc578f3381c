#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeCLI
import DashScopeKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Thin entry point: signals first (blocked before any thread starts, then taken on their own thread), then argv,
// environment and terminal flags, then one call into the library. SIGPIPE is ignored so that a write to a reader that
// left is an error the console handles (the run ends quietly), never a crash; a full or closed stdout is exit 73.
StopSignals.block()
signal(SIGPIPE, SIG_IGN)
let closedStreams = StreamWriter.occupyClosedStandardStreams()

let context = RunContext(
    arguments: Array(CommandLine.arguments.dropFirst()),
    environment: ProcessInfo.processInfo.environment,
    cwd: FileManager.default.currentDirectoryPath,
    stdinIsTerminal: isatty(STDIN_FILENO) == 1,
    stdoutIsTerminal: isatty(STDOUT_FILENO) == 1,
    stderrIsTerminal: isatty(STDERR_FILENO) == 1,
    readStdin: { try StreamWriter.readAll(from: STDIN_FILENO) },
    writeStdout: {
        if closedStreams.contains(STDOUT_FILENO) { throw StreamWriter.Failure(code: EBADF) }
        try StreamWriter.write($0, to: STDOUT_FILENO)
    },
    writeStderr: { try StreamWriter.write($0, to: STDERR_FILENO) })

let run = Task.detached { exit(await CLI.run(context)) }
StopSignals.handle { run.cancel() }
// Park the main thread with its signal mask untouched: dispatchMain() (and an async top level, which ends in it)
// waits in sigsuspend with an empty mask on Linux, where SIGINT and SIGTERM would kill the process outright.
while true { pause() }
