import Foundation
import XCTest
@testable import DashScopeMock

final class GenerationTests: MockTestCase {
    private struct Refusal {
        let route: GenerationRoute
        let body: [String: Any]
        let status: Int
        let code: String
        let fragment: String
    }

    private static func invalid(_ route: GenerationRoute, _ body: [String: Any], _ fragment: String) -> Refusal {
        Refusal(route: route, body: body, status: 400, code: "InvalidParameter", fragment: fragment)
    }

    private static var refusals: [Refusal] {
        let longWan22 = String(repeating: "a", count: 501)
        let longWan26 = String(repeating: "a", count: 2101)
        return [
            invalid(.promptAsync, ["messages": [], "model": "wan2.2-t2i-flash", "input": ["prompt": "x"]], "messages"),
            invalid(.promptAsync, ["input": ["prompt": "x"]], "model"),
            Refusal(
                route: .promptAsync, body: Body.prompt("wan9-t2i"), status: 404, code: "ModelNotFound",
                fragment: "Model not exist."
            ),
            invalid(.promptAsync, ["model": "wan2.2-t2i-flash"], "input"),
            invalid(.promptAsync, ["model": "wan2.2-t2i-flash", "input": [:]], "input.prompt"),
            invalid(.promptAsync, Body.prompt("wan2.2-t2i-flash", "  "), "input.prompt"),
            invalid(.promptAsync, ["model": "wan2.2-t2i-flash", "input": ["prompt": 3]], "input.prompt"),
            invalid(.promptAsync, Body.prompt("wan2.2-t2i-flash", longWan22), "too long"),
            invalid(.messagesSync, Body.messages("wan2.6-t2i", content: [["text": longWan26]]), "too long"),
            invalid(.messagesSync, Body.messages("wan2.6-t2i", content: [["text": "a"], ["text": "b"]]), "exactly one text"),
            invalid(.messagesSync, Body.messages("wan2.6-t2i", content: [["image": "https://x/y.png"]]), "exactly one text"),
            invalid(.messagesSync, Body.messages("wan2.6-t2i", content: [["text": "a"], ["image": "https://x/y"]]), "image"),
            invalid(.messagesSync, ["model": "wan2.6-t2i", "input": ["messages": []]], "input.messages"),
            invalid(.messagesSync, ["model": "wan2.6-t2i", "input": ["prompt": "a cat"]], "input.messages"),
            invalid(.messagesSync, ["model": "wan2.6-t2i", "input": ["messages": [["role": "system"]]]], "role"),
            invalid(.messagesSync, Body.prompt("wan2.2-t2i-flash"), "not served"),
            invalid(.promptAsync, Body.prompt("wan2.6-t2i"), "not served"),
            invalid(.promptAsync, Body.prompt("wan2.2-t2i-flash", parameters: ["n": 0]), "parameters.n"),
            invalid(.promptAsync, Body.prompt("wan2.2-t2i-flash", parameters: ["n": 5]), "parameters.n"),
            invalid(.promptAsync, Body.prompt("wan2.2-t2i-flash", parameters: ["n": "2"]), "parameters.n"),
            invalid(.promptAsync, Body.prompt("qwen-image", parameters: ["n": 2]), "must be 1"),
            invalid(.messagesSync, Body.messages("wan2.6-t2i", parameters: ["size": "760*760"]), "parameters.size"),
            invalid(.messagesSync, Body.messages("wan2.6-t2i", parameters: ["size": "2800*600"]), "aspect"),
            invalid(.promptAsync, Body.prompt("wan2.5-t2i-preview", parameters: ["size": "1448*1448"]), "parameters.size"),
            invalid(.promptAsync, Body.prompt("wan2.2-t2i-flash", parameters: ["size": "1500*1000"]), "512 and 1440"),
            invalid(.promptAsync, Body.prompt("wanx2.0-t2i-turbo", parameters: ["size": "511*1024"]), "parameters.size"),
            invalid(.promptAsync, Body.prompt("qwen-image", parameters: ["size": "1024*1024"]), "1328*1328"),
            invalid(.promptAsync, Body.prompt("wan2.2-t2i-flash", parameters: ["size": "1024x1024"]), "W*H"),
            invalid(.promptAsync, Body.prompt("wan2.2-t2i-flash", parameters: ["seed": -1]), "parameters.seed"),
            invalid(.promptAsync, Body.prompt("wan2.2-t2i-flash", parameters: ["seed": 2_147_483_648]), "parameters.seed"),
            invalid(.promptAsync, ["model": "wan2.2-t2i-flash", "input": ["prompt": "x"], "parameters": 3], "parameters"),
        ]
    }

    func testRefusedBodies() async throws {
        for (index, refusal) in Self.refusals.enumerated() {
            let reply = try await post(refusal.route, refusal.body)
            XCTAssertEqual(reply.status, refusal.status, "case \(index): \(reply.message)")
            XCTAssertEqual(reply.code, refusal.code, "case \(index)")
            XCTAssertTrue(reply.message.contains(refusal.fragment), "case \(index): \(reply.message)")
        }
    }

    func testBodyThatIsNotJSONIsRefused() async throws {
        let headers = ["X-DashScope-Async": "enable"]
        let reply = try await send("POST", GenerationRoute.promptAsync.path, headers: headers, body: Data("{nope".utf8))
        assertError(reply, 400, "InvalidParameter", "JSON")
    }

    func testAcceptedEdgesAndUnknownFields() async throws {
        let limitPrompt = String(repeating: "a", count: 500)
        let accepted: [(GenerationRoute, [String: Any])] = [
            (.promptAsync, Body.prompt("wan2.2-t2i-flash", limitPrompt, parameters: ["n": 4, "size": "1440*512"])),
            (.promptAsync, Body.prompt("wan2.2-t2i-flash", parameters: ["seed": 2_147_483_647, "n": 1, "made_up": true])),
            (.promptAsync, Body.prompt("qwen-image-plus", parameters: ["size": "1140*1472"])),
            (.promptAsync, Body.prompt("wan2.5-t2i-preview", parameters: ["n": 1, "size": "2560*640"])),
            (.promptAsync, Body.prompt("wan2.5-t2i-preview", parameters: ["n": 1, "size": "1024*1024"])),
            (.messagesSync, Body.messages("wan2.6-t2i", parameters: ["n": 1, "size": "1024*1024"])),
            (.messagesSync, Body.messages("wan2.6-t2i", parameters: ["n": 1, "size": "768*768"])),
            (.messagesAsync, Body.messages("wan2.6-image", content: [["text": "a"], ["image": "https://x/1"], ["image": "https://x/2"]])),
            (.messagesSync, Body.messages("qwen-image", parameters: ["negative_prompt": "blur", "size": "1328*1328"])),
        ]
        for (index, (route, body)) in accepted.enumerated() {
            var body = body
            body["extra_field"] = ["ignored": 1]
            let reply = try await post(route, body)
            XCTAssertEqual(reply.status, 200, "case \(index): \(reply.message)")
        }
    }

    func testSyncAnswerListsEveryImage() async throws {
        let reply = try await post(.messagesSync, Body.messages("wan2.6-t2i", parameters: ["n": 2, "size": "1440*1140"]))
        XCTAssertEqual(reply.status, 200, reply.message)
        let requestID = try XCTUnwrap(reply.json["request_id"] as? String)
        let choices = try XCTUnwrap(reply.output["choices"] as? [[String: Any]])
        XCTAssertEqual(choices.first?["finish_reason"] as? String, "stop")
        let message = try XCTUnwrap(choices.first?["message"] as? [String: Any])
        XCTAssertEqual(message["role"] as? String, "assistant")
        let content = try XCTUnwrap(message["content"] as? [[String: Any]])
        XCTAssertEqual(content.map { $0["type"] as? String }, ["image", "image"])
        XCTAssertEqual(content.map { $0["image"] as? String }, [
            "\(server.origin)/files/\(requestID)/0.png", "\(server.origin)/files/\(requestID)/1.png",
        ])
        XCTAssertEqual(reply.usage["image_count"] as? Int, 2)
        XCTAssertEqual(reply.usage["width"] as? Int, 1440)
        XCTAssertEqual(reply.usage["height"] as? Int, 1140)
    }

    func testServiceDefaultsApplyWhenParametersAreAbsent() async throws {
        let wan = try await post(.messagesSync, Body.messages("wan2.6-t2i", parameters: [:]))
        XCTAssertEqual(wan.usage["image_count"] as? Int, 4)
        XCTAssertEqual(wan.usage["width"] as? Int, 1280)
        var qwen = Body.messages("qwen-image")
        qwen["parameters"] = nil
        let qwenReply = try await post(.messagesSync, qwen)
        XCTAssertEqual(qwenReply.usage["image_count"] as? Int, 1)
        XCTAssertEqual(qwenReply.usage["width"] as? Int, 1664)
        XCTAssertEqual(qwenReply.usage["height"] as? Int, 928)
    }

    func testAsyncCreateAnswersPending() async throws {
        let reply = try await post(.promptAsync, Body.prompt("wanx2.1-t2i-turbo"))
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.taskStatus, "PENDING")
        XCTAssertEqual((reply.output["task_id"] as? String)?.count, 36)
        XCTAssertEqual((reply.json["request_id"] as? String)?.count, 36)
        XCTAssertEqual(reply.headers["content-type"], "application/json")
    }
}
