import Foundation
import XCTest
@testable import DashScopeKit

/// `tts` in the library: the request on the wire, voices and languages, the text limit and the splitter, WAV files.
final class SpeechTests: XCTestCase {
    private let flash = Catalog.resolve("qwen3-tts-flash", for: .speech)

    private func jobs(_ request: SpeechRequest, _ model: String = "qwen3-tts-flash") throws -> [PreparedJob] {
        let row = Catalog.resolve(model, for: .speech)
        return try Speech.prepare(request, model: row, mode: try XCTUnwrap(row.mode(async: nil)))
    }

    // MARK: - The request

    func testBodyIsTheDocumentedEnvelopeOnTheMultimodalPath() throws {
        let job = try XCTUnwrap(jobs(SpeechRequest(text: "你好", voice: "Ethan", language: .chinese)).first)
        let body = try XCTUnwrap(job.endpoint.body)
        XCTAssertEqual(body.compact,
                       #"{"model":"qwen3-tts-flash","input":{"text":"你好","voice":"Ethan","language_type":"Chinese"},"parameters":{}}"#)
        XCTAssertEqual(job.endpoint.path, "/services/aigc/multimodal-generation/generation")
        XCTAssertEqual(job.endpoint.method, "POST")
        XCTAssertFalse(job.endpoint.async, "speech is answered at once: no X-DashScope-Async")
        XCTAssertEqual(job.capability, .speech)
    }

    func testStreamingAddsTheSSEHeaderOnlyWhenAsked() throws {
        let api = client(FakeTransport([.json(200, "{}")]), configuration: try configuration())
        let plain = api.request(for: try XCTUnwrap(jobs(SpeechRequest(text: "hi")).first).endpoint)
        let streamed = api.request(for: try XCTUnwrap(jobs(SpeechRequest(text: "hi", stream: true)).first).endpoint)
        XCTAssertNil(plain.header("X-DashScope-SSE"))
        XCTAssertEqual(streamed.header("X-DashScope-SSE"), "enable")
        XCTAssertNil(streamed.header("X-DashScope-Async"))
        XCTAssertEqual(streamed.url.path, "/api/v1/services/aigc/multimodal-generation/generation")
    }

    func testDefaultsAreCherryAndAuto() throws {
        let input = try XCTUnwrap(jobs(SpeechRequest(text: "hi")).first?.endpoint.body?["input"])
        XCTAssertEqual(input["voice"]?.string, "Cherry")
        XCTAssertEqual(input["language_type"]?.string, "Auto")
    }

    func testLanguagesReadInAnyCaseAndAreSentAsDocumented() {
        XCTAssertEqual(SpeechLanguage(name: "english"), .english)
        XCTAssertEqual(SpeechLanguage(name: "PORTUGUESE"), .portuguese)
        XCTAssertEqual(SpeechLanguage(name: "Auto")?.rawValue, "Auto")
        XCTAssertNil(SpeechLanguage(name: "klingon"))
        XCTAssertEqual(SpeechLanguage.allCases.count, 11)
    }

    func testKnownVoicesTakeTheirCatalogueSpellingAndUnknownOnesAreWarnedAboutButKept() throws {
        XCTAssertEqual(Speech.voice("cherry", model: flash), "Cherry")
        XCTAssertNil(Speech.unknownVoiceWarning("ethan", model: flash))
        let warning = try XCTUnwrap(Speech.unknownVoiceWarning("Bob", model: flash))
        XCTAssertTrue(warning.contains("Bob") && warning.contains("Cherry, Ethan") && warning.contains("sending it anyway"), warning)
        XCTAssertEqual(try XCTUnwrap(jobs(SpeechRequest(text: "hi", voice: "Bob")).first).endpoint.body?["input"]?["voice"]?.string, "Bob")
        XCTAssertNotNil(Speech.unknownVoiceWarning("Nofish", model: Catalog.resolve("qwen-tts", for: .speech)),
                        "each model has its own voices")
        XCTAssertNil(Speech.unknownVoiceWarning("Dylan", model: Catalog.resolve("qwen-tts-latest", for: .speech)))
        XCTAssertTrue(Speech.knownVoices.contains("Serena") && Speech.knownVoices.contains("Eric"))
        XCTAssertEqual(Set(Speech.knownVoices).count, Speech.knownVoices.count, "each voice once")
    }

    // MARK: - The text limit

    func testTextOverTheLimitIsRefusedWithTheLimitAndTheSplitHint() throws {
        let text = String(repeating: "好", count: 601)
        let error = assertFails(.usage) { _ = try self.jobs(SpeechRequest(text: text)) }
        XCTAssertTrue(error?.message.contains("601") == true && error?.message.contains("600") == true, "\(String(describing: error))")
        XCTAssertTrue(error?.hint?.contains("--split") == true)
        XCTAssertEqual(try jobs(SpeechRequest(text: String(repeating: "好", count: 600))).count, 1, "600 fits")
        XCTAssertEqual(try jobs(SpeechRequest(text: text), "qwen-tts").count, 1, "no limit is known for qwen-tts")
    }

    func testEmptyTextAndEmptyVoiceAreRefused() {
        assertFails(.usage) { _ = try self.jobs(SpeechRequest(text: " \n")) }
        assertFails(.usage) { _ = try self.jobs(SpeechRequest(text: "hi", voice: " ")) }
    }

    func testLengthCountsUTF16CodeUnits() {
        XCTAssertEqual(Speech.length("你好, world"), 9)
        XCTAssertEqual(Speech.length("👍🏽"), 4, "one grapheme, two scalars, four UTF-16 units: the largest count")
    }

    func testSplitMakesOneJobPerPieceInOrder() throws {
        let sentence = String(repeating: "好", count: 99) + "。"
        let text = String(repeating: sentence, count: 10)
        let made = try jobs(SpeechRequest(text: text, split: true))
        XCTAssertEqual(made.count, 2)
        XCTAssertEqual(made.map(\.prompt).joined(), text)
        XCTAssertEqual(made[0].prompt.count, 600, "as many whole sentences as fit")
        XCTAssertEqual(made.compactMap { $0.endpoint.body?["input"]?["text"]?.string }, made.map(\.prompt))
    }

    // MARK: - The splitter

    func testSplitterPrefersSentencesThenCommasThenSpacesThenCuts() {
        XCTAssertEqual(SentenceSplitter.split("一二三。四五六七。八", limit: 8), ["一二三。", "四五六七。八"])
        XCTAssertEqual(SentenceSplitter.split("一二，三四五六七八九", limit: 8), ["一二，", "三四五六七八九"])
        XCTAssertEqual(SentenceSplitter.split("one two three four", limit: 9), ["one two", "three", "four"])
        XCTAssertEqual(SentenceSplitter.split("abcdefghij", limit: 4), ["abcd", "efgh", "ij"])
        XCTAssertEqual(SentenceSplitter.split("Hi there. Bye now.", limit: 12), ["Hi there.", "Bye now."])
        XCTAssertEqual(SentenceSplitter.split("pi is 3.14 ok", limit: 11), ["pi is 3.14", "ok"], "a dot inside a number is no sentence end")
        XCTAssertEqual(SentenceSplitter.split("他说：“好。”然后走了", limit: 8), ["他说：“好。”", "然后走了"], "closing quotes stay with their sentence")
        XCTAssertEqual(SentenceSplitter.split("line one\nline two", limit: 12), ["line one", "line two"])
    }

    func testSplitterKeepsEveryPieceWithinTheLimitAndLosesNoText() {
        let text = "春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少？ The quick brown fox; jumps over 👍🏽 the lazy dog! " + String(repeating: "长", count: 50)
        for limit in [7, 16, 40] {
            let pieces = SentenceSplitter.split(text, limit: limit)
            XCTAssertTrue(pieces.allSatisfy { Speech.length($0) <= limit }, "limit \(limit): \(pieces)")
            XCTAssertEqual(pieces.joined().filter { !$0.isWhitespace }, text.filter { !$0.isWhitespace }, "limit \(limit)")
        }
        XCTAssertEqual(SentenceSplitter.split("short", limit: 600), ["short"])
    }

    // MARK: - WAV files

    func testHeaderDescribes24kHz16BitMono() {
        let header = [UInt8](WAVFile.header(.speech, dataBytes: 4800))
        XCTAssertEqual(header.count, 44)
        XCTAssertEqual(Array(header[0..<4]), Array("RIFF".utf8))
        XCTAssertEqual(le32(header, 4), 36 + 4800)
        XCTAssertEqual(Array(header[8..<16]), Array("WAVEfmt ".utf8))
        XCTAssertEqual(le32(header, 24), 24_000)
        XCTAssertEqual(le32(header, 28), 48_000, "byte rate")
        XCTAssertEqual(header[32], 2, "block align")
        XCTAssertEqual(header[34], 16, "bits per sample")
        XCTAssertEqual(le32(header, 40), 4800)
        XCTAssertEqual(le32([UInt8](WAVFile.header(.speech, dataBytes: nil)), 40), 0xFFFF_FFFF, "the placeholder while streaming")
    }

    func testWriterPatchesTheSizesAndNamesTheFileOnlyWhenFinished() throws {
        let directory = try temporaryDirectory(self)
        let writer = try WAVWriter(directory: directory, format: .speech)
        try writer.append(Data([1, 2, 3, 4]))
        try writer.append(Data([5, 6]))
        let partial = [UInt8](try Data(contentsOf: URL(fileURLWithPath: writer.temporaryPath)))
        XCTAssertEqual(le32(partial, 4), 0xFFFF_FFFF, "placeholder sizes until the end")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".wav") }, [],
                       "no file has the final name before finish")
        let path = try writer.finish(as: directory + "/out.wav", force: false)
        XCTAssertEqual(path, directory + "/out.wav")
        let parsed = try WAVFile.parse(try Data(contentsOf: URL(fileURLWithPath: path)), name: "out.wav")
        XCTAssertEqual(parsed.format, .speech)
        XCTAssertEqual([UInt8](parsed.pcm), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(le32([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), 4), 36 + 6)
        XCTAssertFalse(FileManager.default.fileExists(atPath: writer.temporaryPath))
        let second = try WAVWriter(directory: directory, format: .speech)
        XCTAssertEqual(try second.finish(as: directory + "/out.wav", force: false), directory + "/out-2.wav", "never over a file")
    }

    func testDiscardRemovesTheTemporaryFile() throws {
        let directory = try temporaryDirectory(self)
        let writer = try WAVWriter(directory: directory, format: .speech)
        try writer.append(Data(repeating: 7, count: 100))
        writer.discard()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [])
    }

    func testParserFindsTheDataChunkPastOtherChunksAndReadsAStreamingPlaceholderToTheEnd() throws {
        var file = [UInt8](WAVFile.header(.speech, dataBytes: 4))
        let list: [UInt8] = Array("LIST".utf8) + [3, 0, 0, 0, 9, 9, 9, 0]
        file.insert(contentsOf: list, at: 36)
        file += [1, 2, 3, 4]
        XCTAssertEqual([UInt8](try WAVFile.parse(Data(file), name: "x").pcm), [1, 2, 3, 4])
        let streaming = WAVFile.header(.speech, dataBytes: nil) + Data([9, 8])
        XCTAssertEqual([UInt8](try WAVFile.parse(streaming, name: "x").pcm), [9, 8])
    }

    func testParserRefusesWhatIsNotPCMWAV() {
        assertFails(.failed) { _ = try WAVFile.parse(Data("not a wav file at all".utf8), name: "x") }
        var float = [UInt8](WAVFile.header(.speech, dataBytes: 0))
        float[20] = 3
        assertFails(.failed) { _ = try WAVFile.parse(Data(float), name: "x") }
        let noData = WAVFile.header(.speech, dataBytes: 0).prefix(36)
        assertFails(.failed) { _ = try WAVFile.parse(noData, name: "x") }
    }

    func testAHostileFormatIsCopiedWithoutTrapping() throws {
        var file = [UInt8](WAVFile.header(.speech, dataBytes: 2)) + [0, 0]
        file.replaceSubrange(22..<28, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        file.replaceSubrange(34..<36, with: [0xFF, 0xFF])
        let parsed = try WAVFile.parse(Data(file), name: "x")
        XCTAssertEqual(parsed.format.sampleRate, 0xFFFF_FFFF)
        XCTAssertEqual(WAVFile.header(parsed.format, dataBytes: Int(UInt32.max) + 10).count, 44)
    }

    // MARK: - Stream events

    func testEventsWriteEachChunkAndNeedTheStopEvent() throws {
        let chunks = Locked<[Data]>([])
        let sink = AudioSink(raw: { data in chunks.mutate { $0.append(data) } })
        try sink.begin(.speech)
        let events = SpeechEvents(sink: sink)
        let first = Data([1, 2, 3, 4]).base64EncodedString()
        let second = Data([5, 6]).base64EncodedString()
        let stream = "id:1\nevent:result\ndata:{\"output\":{\"finish_reason\":\"null\",\"audio\":{\"data\":\"\(first)\"}},\"request_id\":\"r1\"}\n\n"
            + "id:2\nevent:result\ndata:{\"output\":{\"finish_reason\":\"null\",\"audio\":{\"data\":\"\(second)\"}}}\n\n"
        for byte in Data(stream.utf8) { try events.feed(Data([byte])) }
        XCTAssertEqual(chunks.value, [Data([1, 2, 3, 4]), Data([5, 6])])
        assertFails(.unavailable) { try events.end() }
        try events.feed(Data("data:{\"output\":{\"finish_reason\":\"stop\",\"audio\":{\"data\":\"\",\"url\":\"\"}}}\n\n".utf8))
        try events.end()
        XCTAssertEqual(events.requestID, "r1")
        let late = Data([7, 8]).base64EncodedString()
        try events.feed(Data("data:{\"output\":{\"finish_reason\":\"null\",\"audio\":{\"data\":\"\(late)\"}}}\n\n".utf8))
        XCTAssertEqual(chunks.value, [Data([1, 2, 3, 4]), Data([5, 6])], "audio after the last event is not part of the answer")
        XCTAssertFalse(events.misread)
    }

    /// Audio that is not base64 is the content's failure, told apart from a broken connection.
    func testAudioThatIsNotBase64IsAMisreadStream() throws {
        let sink = AudioSink(raw: { _ in })
        try sink.begin(.speech)
        let events = SpeechEvents(sink: sink)
        let error = assertFails(.unavailable) {
            try events.feed(Data("data:{\"output\":{\"finish_reason\":\"null\",\"audio\":{\"data\":\"AAAAA\"}}}\n\n".utf8))
        }
        XCTAssertEqual(error?.message, "the audio stream sent audio that is not base64")
        XCTAssertTrue(events.misread)
    }

    func testAnErrorFrameStopsTheStream() throws {
        let events = SpeechEvents(sink: AudioSink(raw: { _ in }))
        let error = assertFails(.failed) {
            try events.feed(Data("event:error\ndata:{\"code\":\"InvalidParameter\",\"message\":\"bad voice\",\"request_id\":\"r9\"}\n\n".utf8))
        }
        XCTAssertEqual(error?.serviceCode, "InvalidParameter")
        XCTAssertEqual(error?.requestID, "r9")
    }

    func testAFailedPieceOfASplitTextSaysWhatWasAlreadyBilled() {
        let broken = DashScopeError("the service is unavailable", exit: .unavailable)
        XCTAssertEqual((SpeechRunner.lost(broken, piece: 2, of: 4) as? DashScopeError)?.message,
                       "the service is unavailable (piece 3 of 4; pieces 1–2 were made and billed, but nothing was saved)")
        XCTAssertEqual((SpeechRunner.lost(broken, piece: 1, of: 2) as? DashScopeError)?.message,
                       "the service is unavailable (piece 2 of 2; piece 1 was made and billed, but nothing was saved)")
        XCTAssertEqual((SpeechRunner.lost(broken, piece: 0, of: 3) as? DashScopeError)?.message, "the service is unavailable (piece 1 of 3)")
        XCTAssertEqual((SpeechRunner.lost(broken, piece: 0, of: 1) as? DashScopeError)?.message, "the service is unavailable",
                       "a text in one piece says nothing of pieces")
    }

    private func le32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }
}
