import Foundation
import XCTest
@testable import DashScopeMock

/// The speech route of API.md §5: validation, the WAV file answer, the SSE stream of PCM chunks, the `cut` fault.
final class SpeechTests: MockTestCase {
    private static let path = GenerationRoute.messagesSync.path

    private func speak(_ text: String = "你好世界", model: String = "qwen3-tts-flash", voice: Any = "Cherry",
                       language: Any? = "Chinese", headers: [String: String] = [:]) async throws -> Reply {
        var input: [String: Any] = ["text": text, "voice": voice]
        input["language_type"] = language
        let body = try JSONSerialization.data(withJSONObject: ["model": model, "input": input, "parameters": [String: Any]()])
        return try await send("POST", Self.path, headers: headers, body: body)
    }

    /// The `data:` payloads of an event stream, decoded as JSON objects.
    private func events(_ body: Data) -> [[String: Any]] {
        String(decoding: body, as: UTF8.self).components(separatedBy: "\n\n").compactMap { frame in
            let data = frame.split(separator: "\n").filter { $0.hasPrefix("data:") }.map { $0.dropFirst(5) }.joined(separator: "\n")
            return (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any]
        }
    }

    private func pcm(ofEvents events: [[String: Any]]) -> Data {
        events.reduce(into: Data()) { pcm, event in
            let audio = ((event["output"] as? [String: Any])?["audio"] as? [String: Any]) ?? [:]
            pcm.append(Data(base64Encoded: audio["data"] as? String ?? "") ?? Data())
        }
    }

    func testAnswerLinksAWAVWhoseLengthFollowsTheText() async throws {
        let reply = try await speak("你好世界")
        XCTAssertEqual(reply.status, 200, reply.message)
        XCTAssertEqual(reply.output["finish_reason"] as? String, "stop")
        let audio = try XCTUnwrap(reply.output["audio"] as? [String: Any])
        let url = try XCTUnwrap(audio["url"] as? String)
        XCTAssertTrue(url.hasPrefix(server.origin + "/files/") && url.hasSuffix(".wav"), url)
        XCTAssertNotNil(audio["id"] as? String)
        XCTAssertNotNil(audio["expires_at"])
        XCTAssertEqual(reply.usage["characters"] as? Int, 4)
        let file = try await send("GET", String(url.dropFirst(server.origin.count)), key: nil)
        XCTAssertEqual(file.status, 200)
        XCTAssertEqual(file.headers["content-type"], "audio/wav")
        let bytes = [UInt8](file.body)
        XCTAssertEqual(Array(bytes[0..<4]), Array("RIFF".utf8))
        XCTAssertEqual(Array(bytes[8..<12]), Array("WAVE".utf8))
        XCTAssertEqual(bytes.count, 44 + 4 * SpeechAudio.bytesPerCharacter, "0.1 s per character")
        XCTAssertEqual(Array(bytes[24..<28]), [0xC0, 0x5D, 0, 0], "24000 Hz")
        let longer = try await speak("你好世界，再见")
        let longerURL = try XCTUnwrap((longer.output["audio"] as? [String: Any])?["url"] as? String)
        let longerFile = try await send("GET", String(longerURL.dropFirst(server.origin.count)), key: nil)
        XCTAssertEqual(longerFile.body.count, 44 + 7 * SpeechAudio.bytesPerCharacter)
    }

    func testStreamSendsSeveralPCMChunksEndingWithStopAndTheSameAudioAsTheFile() async throws {
        let reply = try await speak("你好世界", headers: ["X-DashScope-SSE": "enable"])
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.headers["content-type"], "text/event-stream")
        let frames = events(reply.body)
        XCTAssertGreaterThanOrEqual(frames.count, 3)
        let reasons = frames.map { ($0["output"] as? [String: Any])?["finish_reason"] as? String }
        XCTAssertEqual(reasons.last, "stop")
        XCTAssertTrue(reasons.dropLast().allSatisfy { $0 != "stop" })
        let streamed = pcm(ofEvents: frames)
        XCTAssertEqual([UInt8](streamed), SpeechAudio.pcm(characters: 4))
        XCTAssertTrue(String(decoding: reply.body, as: UTF8.self).hasPrefix("id:1\nevent:result\ndata:{"), "native SSE framing")
    }

    func testRequestsTheServiceRefuses() async throws {
        assertError(try await speak(String(repeating: "好", count: 601)), 400, "InvalidParameter", "600")
        assertError(try await speak(""), 400, "InvalidParameter", "input.text")
        assertError(try await speak(voice: 7), 400, "InvalidParameter", "input.voice")
        assertError(try await speak(language: "Klingon"), 400, "InvalidParameter", "language_type")
        assertError(try await speak(language: "english"), 400, "InvalidParameter", "language_type")
        assertError(try await speak(headers: ["X-DashScope-Async": "enable"]), 403, "AccessDenied")
        let other = try await speak(model: "qwen-tts-nonexistent")
        XCTAssertEqual(other.status, 404, "a model no route knows")
    }

    func testAnyVoiceAndNoLanguageAreAccepted() async throws {
        let voice = try await speak(voice: "SomeNewVoice")
        XCTAssertEqual(voice.status, 200, voice.message)
        let noLanguage = try await speak(language: nil)
        XCTAssertEqual(noLanguage.status, 200, noLanguage.message)
        let long = try await speak(String(repeating: "好", count: 601), model: "qwen-tts")
        XCTAssertEqual(long.status, 200, "no limit known")
    }

    func testImageModelsOnTheSamePathStillMakeImages() async throws {
        let reply = try await post(.messagesSync, Body.messages("wan2.6-t2i"))
        XCTAssertEqual(reply.status, 200, reply.message)
        XCTAssertNotNil(reply.output["choices"])
    }

    func testCutFaultClosesTheStreamMidBody() throws {
        server.inject(Fault(.cut))
        let body = #"{"model":"qwen3-tts-flash","input":{"text":"一二三四五六","voice":"Cherry"}}"#
        let answer = try RawConnection.exchange(port: server.port, "POST \(Self.path) HTTP/1.1\r\nAuthorization: Bearer sk-t\r\n"
            + "X-DashScope-SSE: enable\r\nContent-Type: application/json\r\nContent-Length: \(Data(body.utf8).count)\r\n\r\n\(body)")
        let (head, chunked) = RawConnection.split(answer)
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 200"), head)
        XCTAssertFalse(String(decoding: chunked, as: UTF8.self).hasSuffix("0\r\n\r\n"), "no last chunk: the body breaks off")
        XCTAssertThrowsError(try Dechunk.decode(chunked))
        let text = String(decoding: chunked, as: UTF8.self)
        XCTAssertTrue(text.contains("\"finish_reason\":\"null\""))
        XCTAssertFalse(text.contains("\"finish_reason\":\"stop\""), "the last event never comes")
        XCTAssertEqual(try Fault(spec: "cut"), Fault(.cut))
    }
}
