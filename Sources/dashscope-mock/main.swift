import DashScopeMock
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes all of `text` to `descriptor` at once (unbuffered: a parent reads the origin line while the server runs);
/// a failed write is dropped.
func write(_ text: String, to descriptor: Int32) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return }
        bytes = bytes.dropFirst(written)
    }
}

let command: MockCommand
do {
    command = try MockCommand(arguments: Array(CommandLine.arguments.dropFirst()))
} catch {
    write("dashscope-mock: \(error)\n", to: STDERR_FILENO)
    exit(64)
}

switch command {
case .help:
    write(MockCommand.usage, to: STDOUT_FILENO)
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
        write("dashscope-mock: \(error)\n", to: STDERR_FILENO)
        exit(69)
    }
    write(server.origin + "\n", to: STDOUT_FILENO)
    write(MockCommand.banner(origin: server.origin, options: options) + "\n", to: STDERR_FILENO)
    var received: Int32 = 0
    sigwait(&stopSignals, &received)
    server.stop()
    exit(0)
}
