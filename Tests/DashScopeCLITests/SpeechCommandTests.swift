import Foundation
import XCTest
import DashScopeKit
import DashScopeCLI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `tts -o -` in-process: where raw audio may go, and what a failing stdout does to the run.
final class SpeechCommandTests: XCTestCase {
    /// A streamed answer of two PCM chunks and the closing event.
    private static let stream = FakeService { _ in
        let events = [Data([1, 2, 3, 4]), Data([5, 6])].map { pcm in
            "data:{\"output\":{\"finish_reason\":\"null\",\"audio\":{\"data\":\"\(pcm.base64EncodedString())\"}}}\n\n"
        }.joined() + "data:{\"output\":{\"finish_reason\":\"stop\",\"audio\":{\"data\":\"\",\"url\":\"\"}},\"request_id\":\"r\"}\n\n"
        return HTTPResponse(status: 200, headers: ["content-type": "text/event-stream"], body: Data(events.utf8))
    }

    private func run(_ arguments: [String], stdoutIsTerminal: Bool = false, transport: FakeService = stream,
                     writeStdout: @escaping @Sendable (Data) throws -> Void) async -> (status: Int32, stderr: String) {
        let err = Shared(Data())
        let context = RunContext(arguments: arguments, environment: ["DASHSCOPE_API_KEY": "sk-test-1234", "HOME": "/nonexistent-dashscope",
                                                                     "XDG_CONFIG_HOME": "/nonexistent-dashscope"],
                                 cwd: NSTemporaryDirectory(), stdinIsTerminal: true, stdoutIsTerminal: stdoutIsTerminal,
                                 stderrIsTerminal: false, readStdin: { Data() }, writeStdout: writeStdout,
                                 writeStderr: { data in err.mutate { $0.append(data) } }, transport: transport, sleeper: InstantSleeper())
        let status = await CLI.run(context)
        return (status, String(decoding: err.value, as: UTF8.self))
    }

    func testRawAudioGoesToStdoutAsItArrives() async {
        let out = Shared<[Data]>([])
        let result = await run(["tts", "hi", "--stream", "-o", "-"]) { data in out.mutate { $0.append(data) } }
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(out.value, [Data([1, 2, 3, 4]), Data([5, 6])])
    }

    func testRawAudioIsNotWrittenToATerminal() async {
        let service = Self.stream
        let before = service.requests.value.count
        let result = await run(["tts", "hi", "--stream", "-o", "-"], stdoutIsTerminal: true, transport: service) { _ in }
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.stderr.contains("aplay"), result.stderr)
        XCTAssertEqual(service.requests.value.count, before, "nothing sent")
    }

    func testAReaderThatLeftEndsTheRunQuietly() async {
        let result = await run(["tts", "hi", "--stream", "-o", "-"]) { _ in throw StreamWriter.Failure(code: EPIPE) }
        XCTAssertEqual(result.status, 0)
        XCTAssertFalse(result.stderr.contains("error"), result.stderr)
    }

    func testAFullStdoutIsAnError() async {
        let result = await run(["tts", "hi", "--stream", "-o", "-"]) { _ in throw StreamWriter.Failure(code: ENOSPC) }
        XCTAssertEqual(result.status, 73)
        XCTAssertTrue(result.stderr.contains("cannot write the audio to stdout"), result.stderr)
    }
}
