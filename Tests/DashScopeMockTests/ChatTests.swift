import Foundation
import XCTest
@testable import DashScopeMock

/// The OpenAI-compatible chat route, whole and streamed.
final class ChatTests: MockTestCase {
    private func chat(_ object: [String: Any], key: String = "sk-test") throws -> (head: String, body: Data) {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        let answer = try RawConnection.exchange(
            port: server.port,
            "POST \(ChatJob.path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(key)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        )
        return RawConnection.split(answer)
    }

    private let question: [String: Any] = ["model": "qwen-plus", "messages": [["role": "user", "content": "Hi there"]]]

    func testWholeAnswerIsAChatCompletion() throws {
        let (head, body) = try chat(question)
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 200") && head.contains("Content-Type: application/json"), head)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        XCTAssertEqual(object["object"] as? String, "chat.completion")
        let choice = try XCTUnwrap((object["choices"] as? [[String: Any]])?.first)
        XCTAssertEqual(choice["finish_reason"] as? String, "stop")
        let content = (choice["message"] as? [String: Any])?["content"] as? String
        XCTAssertEqual(content, "This is the mock's answer to: Hi there")
        XCTAssertNotNil((object["usage"] as? [String: Any])?["total_tokens"])
    }

    func testStreamIsServerSentEventsEndingWithDone() throws {
        var asked = question
        asked["stream"] = true
        asked["stream_options"] = ["include_usage": true]
        asked["enable_thinking"] = true
        let (head, body) = try chat(asked)
        XCTAssertTrue(head.contains("Content-Type: text/event-stream") && head.contains("Transfer-Encoding: chunked"), head)
        let text = String(decoding: try Dechunk.decode(body), as: UTF8.self)
        let events = text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        XCTAssertTrue(events.allSatisfy { $0.hasPrefix("data: ") }, text)
        XCTAssertEqual(events.last, "data: [DONE]")
        let chunks = try events.dropLast().map { event in
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(event.dropFirst(6).utf8)) as? [String: Any])
        }
        let deltas = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any] }
        let reasoning = deltas.compactMap { $0["reasoning_content"] as? String }.joined()
        let content = deltas.compactMap { $0["content"] as? String }.joined()
        XCTAssertEqual(reasoning, "Thinking about it.")
        XCTAssertEqual(content, "This is the mock's answer to: Hi there")
        XCTAssertLessThan(
            deltas.firstIndex { $0["reasoning_content"] != nil } ?? 99, deltas.lastIndex { $0["content"] != nil } ?? 0
        )
        XCTAssertEqual((chunks.last?["choices"] as? [Any])?.count, 0, "usage comes in a last chunk of its own")
        XCTAssertNotNil(chunks.last?["usage"])
        let finish = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String }
        XCTAssertEqual(finish, ["stop"])
    }

    func testErrorsTakeTheCompatibleShape() throws {
        let cases: [([String: Any], String, String, String)] = [
            (question, "nope", "HTTP/1.1 401", "invalid_api_key"),
            (["model": "qwen-nope", "messages": [["role": "user", "content": "x"]]], "sk-t", "HTTP/1.1 404", "model_not_found"),
            (["model": "qwen-plus", "messages": []], "sk-t", "HTTP/1.1 400", "invalid_parameter"),
        ]
        for (object, key, status, code) in cases {
            let (head, body) = try chat(object, key: key)
            XCTAssertTrue(head.hasPrefix(status), head)
            let answer = try XCTUnwrap(try JSONSerialization.jsonObject(with: body) as? [String: Any])
            let error = try XCTUnwrap(answer["error"] as? [String: Any], "\(answer)")
            XCTAssertEqual(error["code"] as? String, code)
            XCTAssertEqual(error["type"] as? String, "invalid_request_error")
            XCTAssertFalse((error["message"] as? String ?? "").isEmpty)
            XCTAssertNotNil(answer["request_id"])
        }
    }

    func testInjectedThrottleOnChatIsCompatibleToo() throws {
        server.inject(Fault(.throttle, route: .create, seconds: 2))
        let (head, body) = try chat(question)
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 429") && head.contains("Retry-After: 2"), head)
        XCTAssertTrue(String(decoding: body, as: UTF8.self).contains(#""code":"throttling.rate_quota""#))
    }

    func testVisionContentIsCheckedAndTextModelsRefuseIt() throws {
        let png = "data:image/png;base64," + Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]).base64EncodedString()
        func ask(_ model: String, _ items: [[String: Any]]) throws -> (head: String, body: Data) {
            try chat(["model": model, "messages": [["role": "user", "content": items + [["type": "text", "text": "what?"]]]]])
        }
        let image: [String: Any] = ["type": "image_url", "image_url": ["url": png]]
        let video: [String: Any] = ["type": "video_url", "video_url": ["url": "https://example.com/v.mp4"]]
        let good = try ask("qwen3-vl-plus", [image, video])
        XCTAssertTrue(good.head.hasPrefix("HTTP/1.1 200"), good.head)
        XCTAssertTrue(String(decoding: good.body, as: UTF8.self).contains("looking at 1 image(s) and 1 video(s)"))
        let refusals: [(String, [[String: Any]], String)] = [
            ("qwen-plus", [image], "does not take image_url"),
            ("qwen3-vl-plus", [["type": "image_url", "image_url": ["url": "data:image/png;base64,bm90IGFuIGltYWdl"]]], "not an image"),
            ("qwen3-vl-plus", [["type": "video_url", "video_url": ["url": "ftp://x/v.mp4"]]], "video_url.url"),
            ("qwen3-vl-plus", [["type": "audio"]], "type must be"),
        ]
        for (model, items, fragment) in refusals {
            let (head, body) = try ask(model, items)
            XCTAssertTrue(head.hasPrefix("HTTP/1.1 400"), head)
            XCTAssertTrue(String(decoding: body, as: UTF8.self).contains(fragment), String(decoding: body, as: UTF8.self))
        }
    }

    func testStreamFaultsCutOrFailAfterTheirEvents() throws {
        var asked = question
        asked["stream"] = true
        server.inject(try Fault(spec: "stream-error:2"))
        let failed = String(decoding: try Dechunk.decode(try chat(asked).body), as: UTF8.self)
        let events = failed.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        XCTAssertEqual(events.count, 3, failed)
        XCTAssertTrue(events[2].hasPrefix(#"data: {"error":{"#) && events[2].contains("data_inspection_failed"), failed)
        server.inject(try Fault(spec: "stream-cut:2"))
        XCTAssertThrowsError(try Dechunk.decode(try chat(asked).body), "the body ends without its last chunk")
        XCTAssertTrue(String(decoding: try Dechunk.decode(try chat(asked).body), as: UTF8.self).hasSuffix("data: [DONE]\n\n"),
                      "each fault happens once")
    }

    func testSnakeCase() {
        XCTAssertEqual(ServiceError.snakeCase("InvalidApiKey"), "invalid_api_key")
        XCTAssertEqual(ServiceError.snakeCase("Throttling.RateQuota"), "throttling.rate_quota")
        XCTAssertEqual(ServiceError.snakeCase("ModelNotFound"), "model_not_found")
    }
}
