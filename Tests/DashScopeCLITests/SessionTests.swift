import Foundation
import XCTest
@testable import DashScopeCLI
import DashScopeKit

/// The in-process mock of `--mock` lives as long as anything can still send it a request.
final class SessionTests: XCTestCase {
    private func invocation(_ argv: [String]) throws -> Invocation {
        let context = RunContext(arguments: argv, environment: ["HOME": "/nonexistent-dashscope-unit",
                                                                "XDG_CONFIG_HOME": "/nonexistent-dashscope-unit"],
                                 cwd: NSTemporaryDirectory(), stdinIsTerminal: true, stdoutIsTerminal: false, stderrIsTerminal: false,
                                 readStdin: { Data() }, writeStdout: { _ in }, writeStderr: { _ in })
        guard case let .run(arguments) = try Parser.parse(argv, table: Commands.all, globals: Options.global) else {
            throw XCTSkip("not a command run")
        }
        return Invocation(arguments: arguments, context: context, console: Console(context: context))
    }

    func testTheMockOutlivesTheSessionThatStartedIt() async throws {
        let tasks: TasksAPI
        do {
            let session = try Session(try invocation(["task", "status", "abc-1", "--mock"]))
            tasks = session.tasks
        }
        let snapshot = try await tasks.status("abc-1")
        XCTAssertEqual(snapshot.status, .unknown, "the mock answered after its session was released")
    }
}
