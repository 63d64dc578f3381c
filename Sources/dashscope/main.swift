import Foundation
import DashScopeCLI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Thin entry point: argv, environment, terminal flags and Ctrl-C handling, then one call into the library.
let context = RunContext(
    arguments: Array(CommandLine.arguments.dropFirst()),
    environment: ProcessInfo.processInfo.environment,
    cwd: FileManager.default.currentDirectoryPath,
    stdinIsTerminal: isatty(STDIN_FILENO) == 1,
    stdoutIsTerminal: isatty(STDOUT_FILENO) == 1,
    stderrIsTerminal: isatty(STDERR_FILENO) == 1,
    readStdin: { FileHandle.standardInput.readDataToEndOfFile() },
    writeStdout: { try? FileHandle.standardOutput.write(contentsOf: $0) },
    writeStderr: { try? FileHandle.standardError.write(contentsOf: $0) })

signal(SIGINT, SIG_IGN)
let run = Task { await CLI.run(context) }
let interrupts = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
nonisolated(unsafe) var interruptCount = 0
interrupts.setEventHandler {
    interruptCount += 1
    if interruptCount > 1 { exit(130) }
    run.cancel()
}
interrupts.resume()
exit(await run.value)
