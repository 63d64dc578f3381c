import DashScopeMock
import Dispatch
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
    let server = MockServer(options: options)
    do {
        try server.start()
    } catch {
        write("dashscope-mock: \(error)\n", to: .standardError)
        exit(69)
    }
    write(server.origin + "\n", to: .standardOutput)
    write(MockCommand.banner(origin: server.origin, options: options) + "\n", to: .standardError)
    let signalSources = [SIGINT, SIGTERM].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
        source.setEventHandler {
            server.stop()
            exit(0)
        }
        source.resume()
        return source
    }
    withExtendedLifetime(signalSources) {
        dispatchMain()
    }
}
