import Foundation
import XCTest
import DashScopeMock

/// `tts` against the mock: the WAV file, the stream, raw PCM on stdout, voices, the text limit, `--split`, a broken stream.
final class SpeechTests: EndToEndCase {
    /// Bytes of mock audio per character of text (0.1 s of 24 kHz 16-bit mono).
    private static let bytesPerCharacter = 4_800

    /// The format and PCM of a saved WAV file, checked to be 24 kHz 16-bit mono with correct RIFF and data sizes.
    private func wav(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws -> Data {
        let data = try XCTUnwrap(FileManager.default.contents(atPath: url(path).path), "\(path) was not saved", file: file, line: line)
        let bytes = [UInt8](data)
        XCTAssertGreaterThanOrEqual(bytes.count, 44, file: file, line: line)
        XCTAssertEqual(Array(bytes[0..<4]), Array("RIFF".utf8), file: file, line: line)
        XCTAssertEqual(Int(le32(bytes, 4)), bytes.count - 8, "RIFF size", file: file, line: line)
        XCTAssertEqual(Array(bytes[8..<16]), Array("WAVEfmt ".utf8), file: file, line: line)
        XCTAssertEqual(le32(bytes, 24), 24_000, file: file, line: line)
        XCTAssertEqual(bytes[22], 1, "mono", file: file, line: line)
        XCTAssertEqual(bytes[34], 16, "16-bit", file: file, line: line)
        XCTAssertEqual(Array(bytes[36..<40]), Array("data".utf8), file: file, line: line)
        XCTAssertEqual(Int(le32(bytes, 40)), bytes.count - 44, "data size", file: file, line: line)
        return data.dropFirst(44)
    }

    private func le32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    /// Runs `dashscope args` with stdout going to a file, for output that is not text; returns status, stdout bytes, stderr.
    private func runBinary(_ args: [String]) throws -> (status: Int32, stdout: Data, stderr: String) {
        let out = root.appendingPathComponent(".stdout-\(UUID().uuidString.prefix(8))")
        XCTAssertTrue(FileManager.default.createFile(atPath: out.path, contents: nil), "the stdout file")
        defer { try? FileManager.default.removeItem(at: out) }
        let process = Process()
        process.executableURL = try Self.binary()
        process.arguments = args
        process.environment = environment()
        process.currentDirectoryURL = root
        process.standardInput = FileHandle.nullDevice
        let handle = try FileHandle(forWritingTo: out)
        process.standardOutput = handle
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, try Data(contentsOf: out), String(decoding: stderr, as: UTF8.self))
    }

    // MARK: - Saving

    func testSavesTheWAVOfTheAnswerURLFetchedWithoutTheKey() throws {
        let result = try run(["tts", "你好世界", "-o", "hello.wav"])
        assertExit(result, 0)
        XCTAssertEqual(result.lines, ["hello.wav"])
        XCTAssertEqual(try wav("hello.wav").count, 4 * Self.bytesPerCharacter)
        XCTAssertEqual(creates.count, 1)
        let body = try XCTUnwrap(creates.first?.json)
        XCTAssertEqual(body.string("model"), "qwen3-tts-flash")
        XCTAssertEqual(body.object("input").string("text"), "你好世界")
        XCTAssertEqual(body.object("input").string("voice"), "Cherry")
        XCTAssertEqual(body.object("input").string("language_type"), "Auto")
        XCTAssertNil(creates.first?.headers["x-dashscope-sse"])
        XCTAssertEqual(downloads.count, 1)
        XCTAssertNil(downloads.first?.headers["authorization"], "result URLs are fetched without the key")
        assertNoPartFiles()
    }

    func testDefaultNameEndsInWav() throws {
        let result = try run(["tts", "hello"])
        assertExit(result, 0)
        XCTAssertEqual(result.lines.count, 1)
        XCTAssertTrue(result.lines[0].hasSuffix("-hello.wav"), result.stdout)
        _ = try wav(result.lines[0])
    }

    func testStreamSavesAValidWAVWhosePCMIsTheStreamedChunks() throws {
        assertExit(try run(["tts", "一二三四五", "-o", "whole.wav"]), 0)
        let result = try run(["tts", "一二三四五", "--stream", "-o", "streamed.wav"])
        assertExit(result, 0)
        XCTAssertEqual(result.lines, ["streamed.wav"])
        let streamed = try wav("streamed.wav")
        XCTAssertEqual(streamed.count, 5 * Self.bytesPerCharacter)
        XCTAssertEqual(streamed, try wav("whole.wav"), "the mock streams the same audio it serves as a file")
        XCTAssertEqual(creates.last?.headers["x-dashscope-sse"], "enable")
        XCTAssertEqual(downloads.count, 1, "a stream downloads nothing")
        assertNoPartFiles()
    }

    func testDashOWritesRawPCMToStdout() throws {
        for extra in [["--stream"], []] {
            let result = try runBinary(["tts", "一二三", "-o", "-"] + extra)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(result.stdout.count, 3 * Self.bytesPerCharacter, "\(extra)")
            XCTAssertNotEqual(Array(result.stdout.prefix(4)), Array("RIFF".utf8), "raw PCM, no header")
        }
        XCTAssertEqual(files(matching: ".wav"), [], "nothing saved, no piece left behind")
    }

    func testAReaderThatLeavesEndsTheStreamQuietly() throws {
        let result = try spawn(["tts", String(repeating: "好", count: 300), "--stream", "-o", "-"], closeStdout: true).finish(timeout: 20)
        assertNoBacktrace(result)
        assertExit(result, 0)
        XCTAssertFalse(result.stderr.contains("error"), result.stderr)
    }

    // MARK: - Voices and languages

    func testUnknownVoiceIsWarnedAboutNamingTheKnownOnesAndSent() throws {
        let result = try run(["tts", "hi", "--voice", "Bob", "-o", "bob.wav"])
        assertExit(result, 0)
        XCTAssertTrue(result.stderr.contains("warning") && result.stderr.contains("'Bob'") && result.stderr.contains("Cherry, Ethan"),
                      result.stderr)
        XCTAssertEqual(creates.first?.json?.object("input").string("voice"), "Bob")
    }

    func testLanguageInAnyCaseIsSentAsDocumentedAndAnUnknownOneRefused() throws {
        assertExit(try run(["tts", "hi", "--language", "english", "--voice", "ethan", "-o", "a.wav"]), 0)
        XCTAssertEqual(creates.first?.json?.object("input").string("language_type"), "English")
        XCTAssertEqual(creates.first?.json?.object("input").string("voice"), "Ethan")
        let refused = try run(["tts", "hi", "--language", "Klingon"])
        assertExit(refused, 64)
        XCTAssertTrue(refused.stderr.contains("Chinese, English"), refused.stderr)
        XCTAssertEqual(creates.count, 1, "nothing sent")
    }

    // MARK: - Long text

    func testTextOverTheLimitIsRefusedBeforeAnythingIsSent() throws {
        let result = try run(["tts", "-"], stdin: String(repeating: "好", count: 601))
        assertExit(result, 64)
        XCTAssertTrue(result.stderr.contains("601") && result.stderr.contains("600") && result.stderr.contains("--split"), result.stderr)
        XCTAssertTrue(mock.requests.isEmpty)
    }

    func testSplitJoinsThePiecesIntoOneWAV() throws {
        let text = String(repeating: String(repeating: "好", count: 99) + "。", count: 7)
        for (name, extra) in [("joined.wav", [String]()), ("streamed.wav", ["--stream"])] {
            mock.clearRequests()
            let connections = mock.connectionCount
            let result = try run(["tts", "--split", "-o", name] + extra, stdin: text)
            assertExit(result, 0)
            if !extra.isEmpty {
                XCTAssertEqual(mock.connectionCount - connections, 1, "the second stream reuses the first one's connection")
            }
            XCTAssertEqual(result.lines, [name])
            XCTAssertEqual(creates.count, 2, "600 + 100 characters")
            XCTAssertEqual(creates.compactMap { $0.json?.object("input").string("text") }.joined(), text)
            XCTAssertEqual(try wav(name).count, 700 * Self.bytesPerCharacter)
        }
        XCTAssertEqual(try wav("joined.wav"), try wav("streamed.wav"))
        XCTAssertEqual(files(matching: ".wav"), ["joined.wav", "streamed.wav"], "the downloaded pieces are gone")
        assertNoPartFiles()
    }

    // MARK: - Failures

    func testACutStreamExits69AndLeavesNoFile() throws {
        mock.inject(Fault(.cut))
        let result = try run(["tts", "一二三四五六七八", "--stream", "-o", "cut.wav"])
        assertExit(result, 69)
        XCTAssertTrue(result.stderr.contains("broke after"), result.stderr)
        XCTAssertTrue(result.stderr.contains("nothing was saved"), result.stderr)
        XCTAssertEqual(creates.count, 1, "never re-sent: the audio would repeat")
        XCTAssertEqual(files(), [], "no final file and no temporary file")
    }

    func testJSONCannotGoWithRawOutput() throws {
        assertExit(try run(["tts", "hi", "-o", "-", "--json"]), 64)
        XCTAssertTrue(mock.requests.isEmpty)
    }

    func testJSONDocumentOfAStream() throws {
        let result = try run(["tts", "hi", "--stream", "--json", "-o", "j.wav"])
        assertExit(result, 0)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(document.array("paths") as? [String], [url("j.wav").path])
        XCTAssertEqual(document.string("model"), "qwen3-tts-flash")
        XCTAssertNotNil(document.string("request_id"))
    }

    func testDryRunPrintsTheRequestAndSendsNothing() throws {
        let result = try run(["tts", "hi", "--stream", "--voice", "Serena", "-m", "qwen-tts", "--dry-run"])
        assertExit(result, 0)
        XCTAssertTrue(result.stdout.contains("POST \(mock.origin)/api/v1/services/aigc/multimodal-generation/generation"), result.stdout)
        XCTAssertTrue(result.stdout.contains("X-DashScope-SSE: enable"), result.stdout)
        XCTAssertTrue(result.stdout.contains("\"voice\": \"Serena\""), result.stdout)
        XCTAssertTrue(result.stdout.contains(Self.redactedKey))
        XCTAssertTrue(mock.requests.isEmpty)
        XCTAssertEqual(files(), [])
    }

    func testDryRunWithJSONPrintsTheRequestAsJSONForEveryWayOfRunning() throws {
        let long = String(repeating: "这是一个很长的句子。", count: 80)
        for (argv, calls) in [(["tts", "hello", "--stream"], 1), (["tts", "hello", "-o", "-"], 1), (["tts", long, "--split"], 2)] {
            let result = try run(argv + ["--dry-run", "--json"])
            assertExit(result, 0)
            let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
            let requests = calls == 1 ? [parsed as? [String: Any]].compactMap { $0 } : (parsed as? [[String: Any]] ?? [])
            XCTAssertGreaterThanOrEqual(requests.count, calls, "\(argv): \(result.stdout)")
            for request in requests {
                XCTAssertEqual(request.string("method"), "POST", "\(argv)")
                XCTAssertNotNil(request["body"] as? [String: Any], "\(argv)")
            }
            XCTAssertEqual(requests.first?["output"] is NSNull, argv.contains("-"), "\(argv): nothing is saved with -o -")
        }
        XCTAssertTrue(mock.requests.isEmpty)
    }
}
