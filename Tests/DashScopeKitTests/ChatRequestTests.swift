import Foundation
import XCTest
@testable import DashScopeKit

/// The chat body (exactly the fields of API.md section 7, in order) and the streamed answer reader.
final class ChatRequestTests: XCTestCase {
    func testTheBodyHasTheDocumentedFieldsInOrderAndOnlyThoseAsked() {
        var request = ChatRequest(model: "qwen-plus", messages: [ChatMessage(.system, "brief"), ChatMessage(.user, "hi")])
        XCTAssertEqual(Chat.endpoint(request).body?.compact,
                       #"{"model":"qwen-plus","messages":[{"role":"system","content":"brief"},{"role":"user","content":"hi"}],"#
                           + #""stream":true,"stream_options":{"include_usage":true}}"#)
        request.stream = false
        request.temperature = 0.5
        request.topP = 0.9
        request.maxTokens = 10
        request.stop = ["x"]
        request.seed = 7
        request.jsonObject = true
        request.thinking = true
        request.thinkingBudget = 50
        request.search = true
        request.messages = [ChatMessage(.user, parts: [.image("data:image/png;base64,AA"), .video("https://v"), .text("q")])]
        let endpoint = Chat.endpoint(request)
        XCTAssertEqual(endpoint.body?.compact,
                       #"{"model":"qwen-plus","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AA"}},"#
                           + #"{"type":"video_url","video_url":{"url":"https://v"}},{"type":"text","text":"q"}]}],"stream":false,"#
                           + #""temperature":0.5,"top_p":0.9,"max_tokens":10,"stop":["x"],"seed":7,"response_format":{"type":"json_object"},"#
                           + #""enable_thinking":true,"thinking_budget":50,"enable_search":true}"#)
        XCTAssertEqual(endpoint.base, .compatible)
        XCTAssertEqual(endpoint.path, "/chat/completions")
        XCTAssertFalse(endpoint.async)
    }

    func testSettingsOutOfRangeAreUsageErrors() {
        let settings: [(inout ChatRequest) -> Void] = [
            { $0.temperature = 2.1 }, { $0.topP = 0 }, { $0.topP = 1.5 }, { $0.maxTokens = 0 }, { $0.seed = -1 },
            { $0.seed = 2_147_483_648 }, { $0.thinkingBudget = 0 }, { $0.stop = [""] },
        ]
        for (index, set) in settings.enumerated() {
            var request = ChatRequest(model: "m", messages: [ChatMessage(.user, "x")])
            set(&request)
            XCTAssertThrowsError(try Chat.validate(request), "\(index)") { error in
                XCTAssertEqual((error as? DashScopeError)?.exitCode, .usage)
            }
        }
    }

    private let stream = """
        data: {"id":"chatcmpl-1","model":"qwen-plus","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

        data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"reasoning_content":"Hm, "},"finish_reason":null}]}

        data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"reasoning_content":"yes."},"finish_reason":null}]}

        data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"Héllo "},"finish_reason":null}]}

        data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"wörld"},"finish_reason":"stop"}]}

        data: {"id":"chatcmpl-1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}

        data: [DONE]


        """

    private func read(_ pieces: [ArraySlice<UInt8>]) throws -> (ChatAnswer, String, String) {
        let text = Locked("")
        let thinking = Locked("")
        let reader = ChatStreamReader(onText: { piece in text.mutate { $0 += piece } },
                                      onReasoning: { piece in thinking.mutate { $0 += piece } })
        for piece in pieces { try reader.feed(Data(piece)) }
        return (try reader.finish(), text.value, thinking.value)
    }

    func testTheReaderGivesTheSameAnswerWhateverTheChunking() throws {
        let bytes = Array(stream.utf8)
        for cut in stride(from: 0, through: bytes.count, by: 1) {
            let (answer, text, thinking) = try read([bytes[..<cut], bytes[cut...]])
            XCTAssertEqual(text, "Héllo wörld", "cut at \(cut)")
            XCTAssertEqual(thinking, "Hm, yes.")
            XCTAssertEqual(answer.text, text)
            XCTAssertEqual(answer.reasoning, thinking)
            XCTAssertEqual(answer.finishReason, "stop")
            XCTAssertEqual(answer.requestID, "chatcmpl-1")
            XCTAssertEqual(answer.model, "qwen-plus")
            XCTAssertEqual(answer.usage?["total_tokens"]?.int, 7)
        }
        let (answer, _, _) = try read([bytes[...]])
        XCTAssertEqual(answer.usageLine, "usage: 3 in + 4 out = 7 tokens")
    }

    func testAnAnswerWithoutItsEndMarkIsIncomplete() {
        let bytes = Array(stream.replacingOccurrences(of: "data: [DONE]", with: "").utf8)
        XCTAssertThrowsError(try read([bytes[...]])) { error in
            XCTAssertEqual((error as? DashScopeError)?.exitCode, .unavailable)
        }
    }

    func testTextBeforeAnErrorFrameIsDeliveredThenTheErrorThrown() {
        let text = Locked("")
        let reader = ChatStreamReader(onText: { piece in text.mutate { $0 += piece } }, onReasoning: { _ in })
        let chunk = #"data: {"choices":[{"index":0,"delta":{"content":"partial"}}]}"# + "\n\n"
            + #"data: {"error":{"code":"data_inspection_failed","message":"no"},"request_id":"r-9"}"# + "\n\n"
        XCTAssertThrowsError(try reader.feed(Data(chunk.utf8))) { error in
            XCTAssertEqual((error as? DashScopeError)?.serviceCode, "data_inspection_failed")
            XCTAssertEqual((error as? DashScopeError)?.requestID, "r-9")
        }
        XCTAssertEqual(text.value, "partial", "the text before the error frame is handed over before the error is thrown")
        XCTAssertThrowsError(try reader.finish(), "the error stays: the answer cannot be finished") { error in
            XCTAssertEqual((error as? DashScopeError)?.serviceCode, "data_inspection_failed")
        }
    }

    func testAWholeCompletionIsReadFromItsMessage() throws {
        let json = try JSON.parse(Data(#"{"id":"c-2","model":"qwen-max","usage":{"total_tokens":5},"choices":[{"index":0,"message":{"role":"assistant","content":"Hi","reasoning_content":"hm"},"finish_reason":"length"}]}"#.utf8))
        let answer = ChatAnswer(completion: json)
        XCTAssertEqual(answer.json.compact,
                       #"{"model":"qwen-max","text":"Hi","reasoning":"hm","usage":{"total_tokens":5},"request_id":"c-2","finish_reason":"length"}"#)
    }
}
