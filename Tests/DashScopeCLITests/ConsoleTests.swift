import Foundation
import XCTest
import DashScopeKit
@testable import DashScopeCLI

/// The console: nothing from a server drives the terminal or fakes a line, secrets are redacted, stdout failures are kept.
final class ConsoleTests: XCTestCase {
    private let key = "sk-console-test-0000abcd"
    private let out = Shared(Data())
    private let err = Shared(Data())

    private var stdout: String { String(decoding: out.value, as: UTF8.self) }
    private var stderr: String { String(decoding: err.value, as: UTF8.self) }

    private func console(terminal: Bool = false, failing: Error? = nil) -> Console {
        let out = out, err = err
        let context = RunContext(arguments: [], environment: terminal ? ["TERM": "xterm"] : [:], cwd: "/",
                                 stdinIsTerminal: false, stdoutIsTerminal: false, stderrIsTerminal: terminal,
                                 readStdin: { Data() },
                                 writeStdout: { data in
                                     if let failing { throw failing }
                                     out.mutate { $0.append(data) }
                                 },
                                 writeStderr: { data in err.mutate { $0.append(data) } })
        return Console(context: context)
    }

    // MARK: stderr: one line per message

    func testServerTextCannotAddLinesOrEscapesOnStderr() {
        let console = console()
        console.verbose = true
        let hostile = "bad\u{1B}]0;owned\u{7}\nerror: your key expired, run curl x | sh\r\u{9B}2J"
        console.info(hostile)
        console.warn(hostile)
        console.trace(hostile)
        console.error(DashScopeError(hostile, hint: hostile, exit: .failed, requestID: "r\n1"))
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(lines.count, 6, "info, warning, trace and error one line each; the hint's lines each get 'hint:'\n\(stderr)")
        XCTAssertEqual(lines.suffix(2).map { $0.hasPrefix("hint: ") }, [true, true], stderr)
        XCTAssertFalse(lines.contains { $0.hasPrefix("error: your key") }, stderr)
        XCTAssertFalse(stderr.unicodeScalars.contains { TerminalText.isControl($0) && $0 != "\n" }, stderr.debugDescription)
        XCTAssertTrue(stderr.contains(#"bad\x1B]0;owned\x07\nerror: your key expired, run curl x | sh\r\x9B2J"#), stderr)
        XCTAssertTrue(stderr.contains(#"(request r\n1)"#), stderr)
    }

    func testColourAndProgressSequencesAreAddedAfterEscaping() {
        let console = console(terminal: true)
        console.error(DashScopeError("x\u{1B}[0m", exit: .failed))
        XCTAssertTrue(stderr.hasPrefix("\u{1B}[31merror:\u{1B}[0m x\\x1B[0m\n"), stderr.debugDescription)
        console.progress("task \u{1B}]0;t\u{7}")
        XCTAssertTrue(stderr.hasSuffix("\r\u{1B}[2Ktask \\x1B]0;t\\x07"), stderr.debugDescription)
        console.endProgress()
        XCTAssertTrue(stderr.hasSuffix("\r\u{1B}[2K"))
    }

    // MARK: stdout

    func testResultsKeepTheirLayoutButNoEscapes() {
        let console = console()
        console.result("a.png")
        console.result("{\n  \"a\": \"\\u001b\"\n}")
        console.result("col1\tcol2 \u{1B}[31mred\u{7}")
        console.result("block\n", newline: false)
        XCTAssertEqual(stdout, "a.png\n{\n  \"a\": \"\\u001b\"\n}\ncol1\tcol2 \\x1B[31mred\\x07\nblock\n")
    }

    func testARowEscapesTabsAndLineBreaksInsideFields() {
        let console = console()
        console.row(["id-1", "SUCCEEDED\nfake-id\tFAILED", "2026-01-01 \u{1B}[2J"])
        XCTAssertEqual(stdout, "id-1\tSUCCEEDED\\nfake-id\\tFAILED\t2026-01-01 \\x1B[2J\n")
    }

    func testAJSONDocumentFromAServerIsPrintedEscaped() throws {
        let console = console()
        let answer = try JSON.parse(Data(#"{"message":"\u001b]0;x\u0007\u009b","id":9007199254740993,"x":1e999}"#.utf8))
        console.result(answer.pretty)
        XCTAssertFalse(stdout.unicodeScalars.contains { TerminalText.isControl($0) && $0 != "\n" }, stdout.debugDescription)
        XCTAssertTrue(stdout.contains(#""\u001b]0;x\u0007\u009b""#), stdout)
        XCTAssertTrue(stdout.contains("9007199254740993"), stdout)
        XCTAssertNoThrow(try JSON.parse(Data(stdout.utf8)))
    }

    // MARK: Secrets

    func testAProtectedSecretIsRedactedEverywhere() throws {
        let console = console()
        console.verbose = true
        console.protect(secret: key)
        console.protect(secret: nil)
        console.protect(secret: "")
        console.result(JSON.object(["echo": .string("your key \(key) is wrong")]).pretty)
        console.row([key])
        console.info("key=\(key)")
        console.warn(key + key)
        console.trace("Authorization: Bearer \(key)")
        console.error(DashScopeError("invalid key \(key)", hint: "check \(key)", exit: .keyRejected, serviceCode: key, requestID: key))
        XCTAssertFalse(stdout.contains(key), stdout)
        XCTAssertFalse(stderr.contains(key), stderr)
        XCTAssertTrue(stdout.contains("your key sk-…abcd is wrong"), stdout)
        XCTAssertTrue(stderr.contains("sk-…abcdsk-…abcd"), stderr)
        XCTAssertEqual(stderr.components(separatedBy: "sk-…abcd").count - 1, 7, stderr)
    }

    func testTheCLIProtectsTheFlagAndEnvironmentKeysFromTheStart() async throws {
        let cli = try CLIHarness(self)
        let echo = FakeService { request in
            let auth = request.headers.first { $0.0 == "Authorization" }?.1 ?? ""
            return FakeService.json(#"{"code":"InvalidApiKey","message":"Invalid API-key provided: \#(auth)","request_id":"r"}"#, status: 401)
        }
        let flagged = await cli.run(["t2i", "a cat", "--api-key", key, "-m", "wan2.2-t2i-flash"], transport: echo)
        XCTAssertEqual(flagged.status, 77, flagged.stderr)
        XCTAssertFalse(flagged.stderr.contains(key), flagged.stderr)
        XCTAssertTrue(flagged.stderr.contains("sk-…abcd"), flagged.stderr)

        cli.environment["DASHSCOPE_API_KEY"] = key
        let fromEnv = await cli.run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "--json"], transport: echo)
        XCTAssertFalse(fromEnv.stderr.contains(key), fromEnv.stderr)
        XCTAssertFalse(fromEnv.stdout.contains(key), fromEnv.stdout)

        let echoInResult = FakeService { request in
            let auth = request.headers.first { $0.0 == "Authorization" }?.1.replacingOccurrences(of: "Bearer ", with: "") ?? "none"
            return FakeService.json(#"{"request_id":"r","output":{"choices":[{"message":{"content":[{"image":"https://files.example/a.png?echo=\#(auth)"}]}}]}}"#)
        }
        let succeeded = await cli.run(["t2i", "a cat", "--json"], transport: echoInResult)
        XCTAssertEqual(succeeded.status, 0, succeeded.stderr)
        XCTAssertTrue(succeeded.stdout.contains("echo=sk-…abcd"), "the --json document shows the echoed key redacted: \(succeeded.stdout)")
        XCTAssertFalse(succeeded.stdout.contains(key), succeeded.stdout)
    }

    // MARK: Failed stdout

    func testAFailedStdoutWriteIsKeptAndLaterResultsDropped() {
        let console = console(failing: StreamWriter.Failure(code: ENOSPC))
        XCTAssertNil(console.stdoutFailure)
        console.result("a.png")
        console.result("b.png")
        XCTAssertEqual(console.stdoutFailure?.exitCode, .cannotWrite)
        XCTAssertTrue(console.stdoutFailure?.message.contains(String(cString: strerror(ENOSPC))) ?? false,
                      console.stdoutFailure?.message ?? "")
        XCTAssertEqual(stderr, "", "the console does not report it itself: the run does, once")
    }

    func testAReaderThatLeavesIsNoFailureAndLaterResultsAreDropped() {
        let console = console(failing: StreamWriter.Failure(code: EPIPE))
        console.result("a.png")
        console.result("b.png")
        XCTAssertNil(console.stdoutFailure, "a closed pipe (| head) ends the output quietly")
        XCTAssertEqual(stderr, "")
    }

    func testARunWhoseReaderLeavesEndsQuietlyWithItsOwnStatus() async throws {
        for argv in [["models"], ["version"], ["help"], ["models", "--json"], ["help", "--json"]] {
            out.mutate { $0 = Data() }
            err.mutate { $0 = Data() }
            let err = err
            let context = RunContext(arguments: argv, environment: [:], cwd: "/", stdinIsTerminal: false, stdoutIsTerminal: false,
                                     stderrIsTerminal: false, readStdin: { Data() },
                                     writeStdout: { _ in throw StreamWriter.Failure(code: EPIPE) },
                                     writeStderr: { data in err.mutate { $0.append(data) } })
            let status = await CLI.run(context)
            XCTAssertEqual(status, 0, "\(argv): \(stderr)")
            XCTAssertEqual(stderr, "", "\(argv)")
        }
    }

    func testARunWhoseResultsCannotBeWrittenExits73WithOneError() async throws {
        for argv in [["models"], ["version"], ["help"], ["models", "--json"]] {
            out.mutate { $0 = Data() }
            err.mutate { $0 = Data() }
            let err = err
            let context = RunContext(arguments: argv, environment: [:], cwd: "/", stdinIsTerminal: false, stdoutIsTerminal: false,
                                     stderrIsTerminal: false, readStdin: { Data() },
                                     writeStdout: { _ in throw StreamWriter.Failure(code: ENOSPC) },
                                     writeStderr: { data in err.mutate { $0.append(data) } })
            let status = await CLI.run(context)
            XCTAssertEqual(status, 73, "\(argv)")
            if argv.contains("--json") {
                XCTAssertTrue(stderr.hasPrefix(#"{"error":{"code":"cannot_write","message":"cannot write the results to stdout"#), stderr)
                XCTAssertEqual(stderr.components(separatedBy: "\n").count, 2, "one line: \(stderr)")
                continue
            }
            XCTAssertEqual(stderr.components(separatedBy: "error: ").count - 1, 1, "\(argv): \(stderr)")
            XCTAssertTrue(stderr.hasPrefix("error: cannot write the results to stdout: \(String(cString: strerror(ENOSPC)))"), stderr)
        }
    }
}
