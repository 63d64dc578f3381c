import Foundation
import XCTest
@testable import DashScopeKit

/// The fast reading of streamed chat chunks (`ChatChunk.scan`) answers exactly as reading the JSON tree does, or
/// leaves the chunk to the tree; and `JSONParser.skipValue` accepts exactly what `parseValue` does.
final class ChatChunkTests: XCTestCase {
    /// Chunks as the service sends them, and a few it may.
    private let usual = [
        #"{"id":"chatcmpl-3cb7","choices":[{"delta":{"content":"Hello","role":"assistant"},"index":0,"finish_reason":null,"logprobs":null}],"object":"chat.completion.chunk","usage":null,"created":1732600000,"system_fingerprint":null,"model":"qwen-plus"}"#,
        #"{"choices":[{"finish_reason":"stop","delta":{"content":""},"index":0,"logprobs":null}],"object":"chat.completion.chunk","usage":null,"created":1,"system_fingerprint":null,"model":"qwen-plus","id":"chatcmpl-3cb7"}"#,
        #"{"choices":[],"object":"chat.completion.chunk","usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7,"completion_tokens_details":{"reasoning_tokens":2}},"created":1,"model":"qwen-plus","id":"c"}"#,
        #"{"id":"c","choices":[{"delta":{"content":null,"reasoning_content":"Hm, \"yes\"\u00e9\ud83d\ude00\n"},"index":0}],"model":"qwen3-max"}"#,
        #" { "id" : "c" , "choices" : [ { "delta" : { "content" : "a\tb" } , "index" : 0 } , { "delta" : { "content" : "second" } } ] , "extra" : [ 1 , -2.5e3 , true , false , { "x" : [ ] } ] } "#,
        #"{"choices":[{"delta":{},"index":0}]}"#,
        #"{}"#,
        #"{"choices":[{}]}"#,
        #"{"id":"c","usage":{"total_tokens":1},"choices":[{"delta":{"content":"全角，中文"}}],"request_id":"r"}"#,
    ]

    /// Shapes the fast reading leaves to the tree: error members, repeats, escaped names, unexpected types, not JSON.
    private let unusual = [
        #"{"error":{"code":"data_inspection_failed","message":"no"},"request_id":"r-9"}"#,
        #"{"code":"Throttling","message":"slow down","request_id":"r"}"#,
        #"{"code":"","output":{}}"#,
        #"{"id":"a","id":"b","choices":[]}"#,
        #"{"choices":[{"delta":{"content":"a","content":"b"}}]}"#,
        #"{"choices":[{"delta":{"con\u0074ent":"escaped name"}}]}"#,
        #"{"choices":[{"delta":null}]}"#,
        #"{"choices":[{"delta":{"content":12}}]}"#,
        #"{"choices":[{"finish_reason":1}]}"#,
        #"{"choices":{"delta":{"content":"not an array"}}}"#,
        #"{"choices":["text"]}"#,
        #"{"id":7}"#,
        #"["not an object"]"#,
        #"{"choices":[{"delta":{"content":"cut"#,
        #"{"id":"c"} trailing"#,
        #"{"id":"c",}"#,
        "",
    ]

    func testUsualChunksReadFastAndAsTheTreeReadsThem() throws {
        for text in usual {
            let bytes = Array(text.utf8)
            let fast = bytes.withUnsafeBytes { ChatChunk.scan($0)?.chunk }
            XCTAssertNotNil(fast, text)
            XCTAssertEqual(fast, ChatChunk(try JSON.parse(Data(bytes))), text)
        }
        let first = Array(usual[3].utf8).withUnsafeBytes { ChatChunk.scan($0)?.chunk }
        XCTAssertEqual(first?.reasoning, "Hm, \"yes\"é😀\n")
        XCTAssertNil(first?.content)
        XCTAssertEqual(Array(usual[4].utf8).withUnsafeBytes { ChatChunk.scan($0)?.chunk }?.content, "a\tb", "only the first choice counts")
        XCTAssertEqual(Array(usual[2].utf8).withUnsafeBytes { ChatChunk.scan($0)?.chunk }?.usage?["total_tokens"]?.int, 7)
    }

    func testAKnownIDOrModelIsTakenOnlyWhenTheTextIsTheSame() throws {
        let known: (String?, String?) = ("chatcmpl-3cb7", "qwen-plus")
        for text in usual {
            let bytes = Array(text.utf8)
            XCTAssertEqual(bytes.withUnsafeBytes { ChatChunk.scan($0, known: known)?.chunk }, ChatChunk(try JSON.parse(Data(bytes))), text)
        }
        let quoted = Array(#"{"id":"a"b","model":"m"}"#.utf8)
        XCTAssertNil(quoted.withUnsafeBytes { ChatChunk.scan($0, known: (#"a"b"#, nil))?.chunk }, "a known text with a quote never matches raw bytes")
        let escaped = Array(#"{"id":"a\"b"}"#.utf8)
        XCTAssertEqual(escaped.withUnsafeBytes { ChatChunk.scan($0, known: (#"a"b"#, nil))?.chunk }?.id, #"a"b"#)
        let longer = Array(#"{"id":"chatcmpl-3cb78"}"#.utf8)
        XCTAssertEqual(longer.withUnsafeBytes { ChatChunk.scan($0, known: known)?.chunk }?.id, "chatcmpl-3cb78")
    }

    func testUnusualShapesAreLeftToTheTree() {
        for text in unusual {
            XCTAssertNil(Array(text.utf8).withUnsafeBytes { ChatChunk.scan($0)?.chunk }, text)
        }
    }

    /// Thousands of damaged chunks (bytes dropped, doubled, replaced): the fast reading never gives an answer the
    /// tree would not, and never takes text the tree refuses as JSON.
    func testDamagedChunksNeverReadDifferently() throws {
        var random = SeededGenerator(seed: 9)
        let alphabet = Array(#"{}[]":,\ u0aeEn.-+19tfl"#.utf8) + [0x00, 0x0A, 0xC3, 0xFF]
        var fastAnswers = 0
        for _ in 0..<6000 {
            var bytes = Array((usual + unusual).randomElement(using: &random)!.utf8)
            for _ in 0...Int.random(in: 0...2, using: &random) where !bytes.isEmpty {
                let at = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0...2, using: &random) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(alphabet.randomElement(using: &random)!, at: at)
                default: bytes[at] = alphabet.randomElement(using: &random)!
                }
            }
            let tree = try? JSON.parse(Data(bytes))
            let known = [(nil, nil), ("chatcmpl-3cb7", "qwen-plus"), ("c", "qwen3-max"), (#"c"#, #"a"b"#)].randomElement(using: &random)!
            guard let fast = bytes.withUnsafeBytes({ ChatChunk.scan($0, known: known)?.chunk }) else { continue }
            fastAnswers += 1
            let text = String(decoding: bytes, as: UTF8.self)
            guard let tree else { return XCTFail("read fast but not JSON: \(text)") }
            XCTAssertNil(ServiceError.body(from: tree), "an error frame read fast: \(text)")
            XCTAssertEqual(fast, ChatChunk(tree), text)
        }
        XCTAssertGreaterThan(fastAnswers, 1000, "most damage lands in values the fast reading still reads")
    }

    /// Nesting counts the same on both readings: 511 levels in all are read, 512 are not JSON, whichever member holds them.
    func testNestingIsLimitedAsTheTreeLimitsIt() throws {
        for depth in 505...514 {
            for holder in ["x", "usage"] {
                // The top object, then arrays down to `depth` levels in all, then a choice with text.
                let nested = String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1)
                let text = #"{""# + holder + #"":"# + nested + #","choices":[{"delta":{"content":"hi"}}]}"#
                let bytes = Array(text.utf8)
                let tree = try? JSON.parse(Data(bytes))
                let fast = bytes.withUnsafeBytes { ChatChunk.scan($0)?.chunk }
                XCTAssertEqual(fast != nil, tree != nil, "\(holder) at depth \(depth)")
                XCTAssertEqual(tree != nil, depth <= 511, "\(holder) at depth \(depth)")
            }
            let deepChoice = #"{"choices":[{"delta":{"content":"hi"},"x":"# + String(repeating: "[", count: depth - 3)
                + String(repeating: "]", count: depth - 3) + "}]}"
            let bytes = Array(deepChoice.utf8)
            XCTAssertEqual(bytes.withUnsafeBytes { ChatChunk.scan($0)?.chunk } != nil, (try? JSON.parse(Data(bytes))) != nil, "choice at \(depth)")
        }
    }

    /// `skipValue` (the fields nobody reads) accepts and refuses exactly what `parseValue` does, damaged or not.
    func testSkippingAValueChecksItAsParsingDoes() {
        var random = SeededGenerator(seed: 4)
        let documents = usual + [#"[1,2,[3,{"a":"\uD83D\uDE00"}]]"#, #""\u12G4""#, "-0.5e+10", "01", "1.", "nul", #""\"#, "[" + String(repeating: "[", count: 600) + "]"]
        let alphabet = Array(#"{}[]":,\ u0aeEn.-+19"#.utf8)
        for round in 0..<6000 {
            var bytes = Array(documents[round % documents.count].utf8)
            if round >= documents.count, !bytes.isEmpty {
                let at = Int.random(in: 0..<bytes.count, using: &random)
                if Bool.random(using: &random) { bytes.remove(at: at) } else { bytes[at] = alphabet.randomElement(using: &random)! }
            }
            let parsed = (try? JSON.parse(Data(bytes))) != nil
            let skipped = bytes.withUnsafeBytes { raw in
                var reader = JSONParser(bytes: raw)
                reader.skipSpace()
                return (try? reader.skipValue()).flatMap { (try? reader.end()) } != nil
            }
            XCTAssertEqual(skipped, parsed, String(decoding: bytes, as: UTF8.self))
        }
    }

    /// A stream of usual chunks goes through the fast reading, and a chunk it leaves to the tree still counts.
    func testTheReaderTakesFastAndTreeChunksAlike() throws {
        let text = Locked("")
        let reader = ChatStreamReader(onText: { piece in text.mutate { $0 += piece } }, onReasoning: { _ in })
        let stream = [usual[0], #"{"choices":[{"delta":{"con\u0074ent":" (tree)"}}]}"#, usual[1], usual[2]]
            .map { "data: \($0)\n\n" }.joined() + "data: [DONE]\n\n"
        try reader.feed(Data(stream.utf8))
        let answer = try reader.finish()
        XCTAssertEqual(text.value, "Hello (tree)")
        XCTAssertEqual(answer.usage?["total_tokens"]?.int, 7)
        XCTAssertEqual(answer.finishReason, "stop")
        XCTAssertEqual(answer.requestID, "c")
    }
}

/// A stream's chunks read by `ChatChunkReader` (the ones that repeat the chunk before but for their text, by comparing
/// bytes) add to an answer exactly what `ChatChunk.scan` of each alone adds.
final class ChatChunkReaderTests: XCTestCase {
    /// What one chunk adds to an answer: the fields it carries and the text and thinking it appends.
    private struct Added: Equatable {
        var id: String?
        var model: String?
        var usage: JSON?
        var finishReason: String?
        var text = ""
        var reasoning = ""

        init(_ chunk: ChatChunk) {
            (id, model, usage, finishReason) = (chunk.id, chunk.model, chunk.usage, chunk.finishReason)
            (text, reasoning) = (chunk.content ?? "", chunk.reasoning ?? "")
        }
    }

    /// How many chunks `readings` has read as repeats.
    private var repeats = 0

    /// What each chunk adds as the reader reads the sequence (nil where it leaves the chunk to the tree): a repeat adds
    /// its string to the fields of the chunk it repeats, as the stream reader takes it.
    private func readings(_ chunks: [[UInt8]]) -> [Added?] {
        var reader = ChatChunkReader()
        var last: Added?
        return chunks.map { bytes in
            switch bytes.withUnsafeBytes({ reader.read($0) }) {
            case nil:
                last = nil
                return nil
            case let .chunk(chunk):
                last = Added(chunk)
                return last
            case let .repeated(string, isReasoning):
                repeats += 1
                guard var added = last else {
                    XCTFail("a repeat with no chunk before it")
                    return nil
                }
                (added.text, added.reasoning) = isReasoning ? ("", string) : (string, "")
                return added
            }
        }
    }

    /// What scanning each chunk alone adds.
    private func scanned(_ chunks: [[UInt8]]) -> [Added?] {
        chunks.map { bytes in bytes.withUnsafeBytes { ChatChunk.scan($0)?.chunk }.map(Added.init) }
    }

    /// A chunk whose delta holds `text` (JSON) as its content, or as its thinking, or both a content and a thinking.
    private func token(_ text: String, reasoning: Bool = false, alongside other: String? = nil) -> [UInt8] {
        let delta = other.map { #""content":"# + $0 + #","reasoning_content":"# + text }
            ?? (reasoning ? #""content":null,"reasoning_content":"# + text : #""content":"# + text)
        return Array((#"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"qwen-plus","choices":[{"index":0,"delta":{"#
            + delta + #"},"finish_reason":null}]}"#).utf8)
    }

    func testRepeatsReadAsScanning() throws {
        let chunks = [token(#""""#), token(#""Hel""#), token(#""lo, \"you\"\n""#), token(#""\u00e9\ud83d\ude00""#),
                      token(#""Hm""#, reasoning: true), token(#""m""#, reasoning: true), token(#""""#, reasoning: true),
                      token(#""done""#)]
        XCTAssertEqual(readings(chunks), scanned(chunks))
        XCTAssertEqual(repeats, 5, "each chunk the same as the one before but for its text is a repeat")
        XCTAssertEqual(readings(chunks)[2]?.text, "lo, \"you\"\n")
        XCTAssertEqual(readings(chunks)[5]?.reasoning, "m")
    }

    /// A chunk with both a text and a thinking is never repeated by one of them alone: the other would be lost.
    func testAChunkWithTextAndThinkingIsScannedEachTime() throws {
        let chunks = [token(#""a""#, alongside: #""x""#), token(#""b""#, alongside: #""x""#), token(#""""#, alongside: #""x""#),
                      token(#""c""#, alongside: #""""#), token(#""d""#, alongside: #""""#), token(#""e""#, alongside: "null")]
        repeats = 0
        XCTAssertEqual(readings(chunks), scanned(chunks))
        XCTAssertEqual(repeats, 1, "only where the text adds nothing does the thinking repeat")
        let text = Locked("")
        let thinking = Locked("")
        let reader = ChatStreamReader(onText: { piece in text.mutate { $0 += piece } },
                                      onReasoning: { piece in thinking.mutate { $0 += piece } })
        try reader.feed(Data((chunks.map { "data: " + String(decoding: $0, as: UTF8.self) + "\n\n" }.joined() + "data: [DONE]\n\n").utf8))
        _ = try reader.finish()
        XCTAssertEqual(text.value, "xxx")
        XCTAssertEqual(thinking.value, "abcde")
    }

    /// Where the bytes around the text are not the chunk's before, or the new text ends elsewhere, or is not a string,
    /// the chunk is scanned whole (and a chunk left to the tree is never the one repeated).
    func testWhatOnlyLooksLikeARepeatIsScanned() throws {
        let first = token(#""a""#)
        let cases: [[UInt8]] = [
            token(#""b", "x":"y""#),
            token(#""b\""#),
            token(#"null"#),
            token(#"12"#),
            token(#""\u12G4""#),
            Array(String(decoding: token(#""b""#), as: UTF8.self).replacingOccurrences(of: "qwen-plus", with: "qwen-max").utf8),
            Array(#"{"error":{"message":"no"}}"#.utf8),
        ]
        for bytes in cases {
            var reader = ChatChunkReader()
            _ = first.withUnsafeBytes { reader.read($0) }
            let reading = bytes.withUnsafeBytes { reader.read($0) }
            let text = String(decoding: bytes, as: UTF8.self)
            if case .repeated = reading { XCTFail("read as a repeat: \(text)") }
            XCTAssertEqual(readings([first, bytes]).last!, scanned([bytes]).last!, text)
        }
        XCTAssertEqual(readings([first, Array(#"{"choices":[{"delta":{"con\u0074ent":"t"}}]}"#.utf8), token(#""b""#)]).last!?.text, "b")
    }

    /// Thousands of streams of damaged chunks: the reader always adds what scanning each chunk alone would.
    func testDamagedStreamsReadAsScanning() throws {
        var random = SeededGenerator(seed: 21)
        let alphabet = Array(#"{}[]":,\ u0aeEn.-+19tfl"#.utf8) + [0x00, 0x0A, 0xC3, 0xFF]
        let texts = [#""x""#, #""""#, #""a\nb""#, #""\"""#, #""\\""#, #""\u0041""#, #""全角""#, "null"]
        repeats = 0
        for _ in 0..<500 {
            let chunks = (0..<12).map { _ -> [UInt8] in
                let text = texts.randomElement(using: &random)!
                var bytes = switch Int.random(in: 0..<6, using: &random) {
                case 0: token(text, reasoning: true)
                case 1: token(text, alongside: texts.randomElement(using: &random)!)
                default: token(text)
                }
                if Int.random(in: 0..<3, using: &random) == 0, !bytes.isEmpty {
                    let at = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0...2, using: &random) {
                    case 0: bytes.remove(at: at)
                    case 1: bytes.insert(alphabet.randomElement(using: &random)!, at: at)
                    default: bytes[at] = alphabet.randomElement(using: &random)!
                    }
                }
                return bytes
            }
            XCTAssertEqual(readings(chunks), scanned(chunks), chunks.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n"))
        }
        XCTAssertGreaterThan(repeats, 800, "many chunks are repeats, damaged or not")
    }
}
