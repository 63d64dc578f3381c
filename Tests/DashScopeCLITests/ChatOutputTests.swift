import Foundation
import XCTest
import DashScopeKit
import DashScopeCLI

/// What `chat` prints where, in-process with terminal flags a spawned process cannot fake: a final newline only on a
/// terminal, thinking dimmed on a terminal stderr, escapes from the service made visible, the key redacted.
final class ChatOutputTests: XCTestCase {
    private static let key = "sk-unit-chat-output-9f8e7d"

    private func stream(_ deltas: [String], thinking: [String] = []) -> String {
        func chunk(_ delta: String) -> String {
            #"data: {"id":"chatcmpl-7","choices":[{"index":0,"delta":"# + delta + "}]}\n\n"
        }
        let quoted = { (text: String) in String(decoding: try! JSONSerialization.data(withJSONObject: [text]), as: UTF8.self).dropFirst().dropLast() }
        return thinking.map { chunk(#"{"reasoning_content":"# + quoted($0) + "}") }.joined()
            + deltas.map { chunk(#"{"content":"# + quoted($0) + "}") }.joined() + "data: [DONE]\n\n"
    }

    private func run(_ arguments: [String], answer: String, stdoutIsTerminal: Bool, stderrIsTerminal: Bool,
                     eventByEvent: Bool = false) async throws -> Outcome {
        let harness = try CLIHarness(self)
        let out = Shared(Data())
        let err = Shared(Data())
        let whole = FakeService { _ in HTTPResponse(status: 200, headers: ["content-type": "text/event-stream"], body: Data(answer.utf8)) }
        let service: any HTTPTransport = eventByEvent ? EventByEventService(answer) : whole
        let context = RunContext(arguments: arguments + ["--api-key", Self.key], environment: harness.environment.merging(["TERM": "xterm"]) { $1 },
                                 cwd: harness.cwd, stdinIsTerminal: true, stdoutIsTerminal: stdoutIsTerminal,
                                 stderrIsTerminal: stderrIsTerminal, readStdin: { Data() },
                                 writeStdout: { data in out.mutate { $0.append(data) } },
                                 writeStderr: { data in err.mutate { $0.append(data) } }, transport: service)
        let status = await CLI.run(context)
        return Outcome(status: status, stdout: String(decoding: out.value, as: UTF8.self), stderr: String(decoding: err.value, as: UTF8.self))
    }

    func testAFinalNewlineIsAddedOnlyOnATerminal() async throws {
        let answer = stream(["Hello", " world"])
        let piped = try await run(["chat", "hi"], answer: answer, stdoutIsTerminal: false, stderrIsTerminal: false)
        XCTAssertEqual(piped.status, 0, piped.stderr)
        XCTAssertEqual(piped.stdout, "Hello world")
        let terminal = try await run(["chat", "hi"], answer: answer, stdoutIsTerminal: true, stderrIsTerminal: true)
        XCTAssertEqual(terminal.stdout, "Hello world\n")
        let ended = try await run(["chat", "hi"], answer: stream(["Done.\n"]), stdoutIsTerminal: true, stderrIsTerminal: true)
        XCTAssertEqual(ended.stdout, "Done.\n", "no second newline")
    }

    func testThinkingIsDimmedOnATerminalStderrAndNeverOnStdout() async throws {
        let answer = stream(["42"], thinking: ["Let me ", "think."])
        let terminal = try await run(["chat", "hi", "--think"], answer: answer, stdoutIsTerminal: true, stderrIsTerminal: true)
        XCTAssertEqual(terminal.stdout, "42\n")
        XCTAssertTrue(terminal.stderr.contains("\u{1B}[2mLet me think.\u{1B}[0m\n"), terminal.stderr.debugDescription)
    }

    func testEscapesFromTheServiceAreShownAndTheKeyIsRedacted() async throws {
        let answer = stream(["\u{1B}]0;pwned\u{7}red", " key: \(Self.key) tab\tok\n"])
        let result = try await run(["chat", "hi"], answer: answer, stdoutIsTerminal: false, stderrIsTerminal: false)
        XCTAssertEqual(result.stdout, "\\x1B]0;pwned\\x07red key: \(Redaction.key(Self.key)) tab\tok\n")
    }

    func testTheKeyIsRedactedAfterNearMissesAndAtEitherEndOfPlainText() async throws {
        let redacted = Redaction.key(Self.key)
        for text in ["\(Self.key) first", "s sk- sk-unit sk-unit-chat then \(Self.key)", "s\(Self.key)"] {
            let result = try await run(["chat", "hi"], answer: stream([text]), stdoutIsTerminal: false, stderrIsTerminal: false)
            XCTAssertFalse(result.stdout.contains(Self.key), result.stdout)
            XCTAssertEqual(result.stdout, text.replacingOccurrences(of: Self.key, with: redacted))
        }
    }

    func testAKeyEchoedTokenByTokenIsRedactedAndHeldTextIsWrittenAtTheEnd() async throws {
        let redacted = Redaction.key(Self.key)
        let tokens = ["Your key is s", "k-unit", "-chat-", "output-9f8e7d", ". Thanks", " a lot, see sk-learn's docs"]
        let answer = stream(tokens, thinking: ["I saw s", "k-unit-chat-output-9f8e7d", " earlier s"])
        let result = try await run(["chat", "hi", "--show-reasoning"], answer: answer, stdoutIsTerminal: false,
                                   stderrIsTerminal: false, eventByEvent: true)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "Your key is \(redacted). Thanks a lot, see sk-learn's docs")
        XCTAssertTrue(result.stderr.contains("I saw \(redacted) earlier s\n"), result.stderr.debugDescription)
        XCTAssertFalse(result.stdout.contains("k-unit") || result.stderr.contains("k-unit"), "no piece of the key leaks")
        let plain = try await run(["chat", "hi"], answer: stream(["Dogs", " and cats"]), stdoutIsTerminal: true,
                                  stderrIsTerminal: true, eventByEvent: true)
        XCTAssertEqual(plain.stdout, "Dogs and cats\n", "an end held back (\"s\") is written before the final newline")
    }
}

/// Streams an SSE answer one event per chunk, as the service does at a person's reading speed.
private final class EventByEventService: HTTPTransport, @unchecked Sendable {
    private let events: [String]

    init(_ answer: String) {
        events = answer.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { $0 + "\n\n" }
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse { HTTPResponse(status: 500) }

    func stream(_ request: HTTPRequest, onChunk: @escaping @Sendable (UnsafeRawBufferPointer) throws -> Void) async throws -> HTTPResponse {
        for event in events { try Array(event.utf8).withUnsafeBytes(onChunk) }
        return HTTPResponse(status: 200, headers: ["content-type": "text/event-stream"])
    }

    func download(_ request: HTTPRequest, to file: URL, progress: (@Sendable (Int64) -> Void)?) async throws -> HTTPResponse {
        HTTPResponse(status: 500)
    }
}
