import DashScopeMock
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func write(_ text: String, to handle: FileHandle) {
    try? handle.write(contentsOf: Data(text.utf8))
}

let command: MockCommand
do {
    command = try MockCommand(arguments: Array(CommandLine.arguments.dropFirst()))
} catch {
    write("dashscope-mock: \(error)\n", to: .standardError)
    exit(64)
}

switch command {
case .help:
    write(MockCommand.usage, to: .standardOutput)
    exit(0)
case .serve(let options):
    // Block SIGINT and SIGTERM before any thread starts, so every thread inherits the mask and sigwait below
    // is the only place they land (a Dispatch signal source under dispatchMain missed SIGTERM on Linux).
    var stopSignals = sigset_t()
    sigemptyset(&stopSignals)
    sigaddset(&stopSignals, SIGINT)
    sigaddset(&stopSignals, SIGTERM)
    pthread_sigmask(SIG_BLOCK, &stopSignals, nil)
    let server = MockServer(options: options)
    do {
        try server.start()
    } catch {
        write("dashscope-mock: \(error)\n", to: .standardError)
        exit(69)
    }
    write(server.origin + "\n", to: .standardOutput)
    write(MockCommand.banner(origin: server.origin, options: options) + "\n", to: .standardError)
    var received: Int32 = 0
    sigwait(&stopSignals, &received)
    server.stop()
    exit(0)
}
