import Foundation
import XCTest
@testable import DashScopeKit

/// `APIClient.stream`: SSE headers, chunks handed over, error answers as `perform` reports them.
final class TransportStreamClientTests: XCTestCase {
    func testAStreamingCallDeliversTheBodyAndReportsErrorsLikePerform() async throws {
        let endpoint = Endpoint(method: "POST", path: "/services/aigc/text-generation/generation", body: .object([]), kind: .idempotent,
                                sse: true)
        let transport = FakeTransport([.json(503, "{}"), .json(200, "data: {}\n\n")])
        let chunks = Locked<[String]>([])
        try await client(transport, configuration: try configuration()).stream(endpoint) { data in
            chunks.mutate { $0.append(String(decoding: data, as: UTF8.self)) }
        }
        XCTAssertEqual(chunks.value, ["data: {}\n\n"])
        XCTAssertEqual(transport.requests.count, 2, "a 503 (nothing delivered) is retried")
        XCTAssertEqual(transport.requests[0].header("X-DashScope-SSE"), "enable")

        let lost = FakeTransport([.failure(.connectionLost("reset")), .json(200, "data: {}\n\n")])
        await assertFailsAsync(.unavailable) {
            try await client(lost, configuration: try configuration()).stream(endpoint) { _ in }
        }
        XCTAssertEqual(lost.requests.count, 1, "a stream that may have started is never re-sent")

        let refused = FakeTransport([.json(400, #"{"code":"InvalidParameter","message":"bad"}"#)])
        let error = await assertFailsAsync(.failed) {
            try await client(refused, configuration: try configuration()).stream(endpoint) { _ in XCTFail("no chunk of an error") }
        }
        XCTAssertEqual(error?.serviceCode, "InvalidParameter")
    }

    func testAnEventThatIsNotJSONIsSaidAsItIsNotAsABrokenConnection() async throws {
        let body = #"data: {"choices":[{"delta":{"content":"hi"}}]}"# + "\n\ndata: <html>gateway</html>\n\n"
        let transport = FakeTransport([.json(200, body)])
        let text = Locked("")
        let request = ChatRequest(model: "qwen-plus", messages: [ChatMessage(.user, "hi")])
        let error = await assertFailsAsync(.unavailable) {
            _ = try await Chat.send(request, client: client(transport, configuration: try configuration()),
                                    onText: { piece in text.mutate { $0 += piece } }, onReasoning: { _ in })
        }
        XCTAssertEqual(text.value, "hi", "the text before the bad event is printed")
        XCTAssertTrue(error?.message.contains("not JSON") == true, error?.message ?? "")
        XCTAssertFalse(error?.message.contains("connection") == true, error?.message ?? "")
        XCTAssertEqual(transport.requests.count, 1, "never re-sent")
    }
}
