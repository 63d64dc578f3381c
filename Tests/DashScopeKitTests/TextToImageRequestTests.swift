import Foundation
import XCTest
@testable import DashScopeKit

final class TextToImageRequestTests: XCTestCase {
    private let key = "sk-test-0123456789abcd"

    private func endpoint(_ request: ImageRequest, _ name: String, async: Bool? = nil) throws -> Endpoint {
        let model = Catalog.resolve(name, for: .textToImage)
        let size = try TextToImage.validate(request, model: model)
        return TextToImage.endpoint(request, model: model, mode: try XCTUnwrap(model.mode(async: async)), size: size)
    }

    func testMessagesBodyHasOneUserMessageWithOneTextItem() throws {
        let e = try endpoint(ImageRequest(prompt: "a cat", negative: "blurry"), "wan2.6-t2i")
        let body = try XCTUnwrap(e.body)
        XCTAssertEqual(body.members.map(\.0), ["model", "input", "parameters"])
        XCTAssertEqual(body["model"]?.string, "wan2.6-t2i")
        let input = try XCTUnwrap(body["input"])
        XCTAssertEqual(input.members.map(\.0), ["messages"], "negative_prompt is not in input on the messages protocol")
        let messages = input["messages"]?.items ?? []
        XCTAssertEqual(messages.count, 1)
        XCTAssertEqual(messages.first?["role"]?.string, "user")
        let content = messages.first?["content"]?.items ?? []
        XCTAssertEqual(content.count, 1)
        XCTAssertEqual(content.first?.members.map(\.0), ["text"])
        XCTAssertEqual(content.first?["text"]?.string, "a cat")
        XCTAssertEqual(body["parameters"]?["negative_prompt"]?.string, "blurry")
        XCTAssertNil(body["messages"], "never messages at the top level")
    }

    func testPromptBodyPutsNegativePromptInInput() throws {
        let e = try endpoint(ImageRequest(prompt: "a cat", negative: "blurry"), "wan2.2-t2i-flash")
        let body = try XCTUnwrap(e.body)
        XCTAssertEqual(body["input"]?.compact, #"{"prompt":"a cat","negative_prompt":"blurry"}"#)
        XCTAssertNil(body["parameters"]?["negative_prompt"])
    }

    func testNoNegativeMeansNoNegativeField() throws {
        for name in ["wan2.6-t2i", "wan2.2-t2i-flash"] {
            let body = try XCTUnwrap(try endpoint(ImageRequest(prompt: "a cat"), name).body)
            XCTAssertFalse(body.compact.contains("negative_prompt"), name)
        }
    }

    func testParametersAlwaysCarryNAndTheSizeAsWidthStarHeight() throws {
        let one = try XCTUnwrap(try endpoint(ImageRequest(prompt: "a"), "wan2.2-t2i-flash").body)
        XCTAssertEqual(one["parameters"]?.compact, #"{"size":"1024*1024","n":1,"prompt_extend":true,"watermark":false}"#)

        let four = try XCTUnwrap(try endpoint(ImageRequest(prompt: "a", size: .exact(ImageSize(1440, 720)), count: 4, seed: 42,
                                                           promptExtend: false, watermark: true), "wan2.2-t2i-flash").body)
        XCTAssertEqual(four["parameters"]?.compact, #"{"size":"1440*720","n":4,"prompt_extend":false,"watermark":true,"seed":42}"#)
    }

    func testSeedZeroIsSent() throws {
        let body = try XCTUnwrap(try endpoint(ImageRequest(prompt: "a", seed: 0), "wan2.6-t2i").body)
        XCTAssertEqual(body["parameters"]?["seed"]?.int, 0)
    }

    func testRatioIsSentAsTheMappedSize() throws {
        let body = try XCTUnwrap(try endpoint(ImageRequest(prompt: "a", size: .ratio(1, 1)), "qwen-image").body)
        XCTAssertEqual(body["parameters"]?["size"]?.string, "1328*1328")
    }

    func testPathAndAsyncFlagPerMode() throws {
        let cases: [(String, Bool?, String, Bool)] = [
            ("wan2.6-t2i", nil, "/services/aigc/multimodal-generation/generation", false),
            ("wan2.6-t2i", true, "/services/aigc/image-generation/generation", true),
            ("wan2.2-t2i-flash", nil, "/services/aigc/text2image/image-synthesis", true),
            ("qwen-image", nil, "/services/aigc/text2image/image-synthesis", true),
            ("qwen-image", false, "/services/aigc/multimodal-generation/generation", false),
        ]
        for (name, async, path, isAsync) in cases {
            let e = try endpoint(ImageRequest(prompt: "a"), name, async: async)
            XCTAssertEqual(e.method, "POST")
            XCTAssertEqual(e.path, path, name)
            XCTAssertEqual(e.async, isAsync, name)
            XCTAssertEqual(e.kind, .create, "a generation is never re-sent blindly")
        }
        let qwenSync = try XCTUnwrap(try endpoint(ImageRequest(prompt: "a"), "qwen-image", async: false).body)
        XCTAssertNotNil(qwenSync["input"]?["messages"], "qwen-image sync uses the messages protocol")
    }

    // MARK: Headers

    func testHeadersOfAnAsyncCreate() throws {
        let api = client(FakeTransport([.json(200, "{}")]), configuration: try configuration(key: key))
        let request = api.request(for: try endpoint(ImageRequest(prompt: "a"), "wan2.2-t2i-flash"))
        XCTAssertEqual(request.url.absoluteString, "https://dashscope.aliyuncs.com/api/v1/services/aigc/text2image/image-synthesis")
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.header("Authorization"), "Bearer \(key)")
        XCTAssertEqual(request.header("User-Agent"), "dashscope-cli/\(Version.current) (swift; linux)")
        XCTAssertEqual(request.header("Content-Type"), "application/json")
        XCTAssertEqual(request.header("X-DashScope-Async"), "enable")
        XCTAssertEqual(try JSON.parse(try XCTUnwrap(request.body))["model"]?.string, "wan2.2-t2i-flash")
    }

    func testNoAsyncHeaderOnSyncCallsOrReads() throws {
        let api = client(FakeTransport([.json(200, "{}")]), configuration: try configuration(key: key))
        let sync = api.request(for: try endpoint(ImageRequest(prompt: "a"), "wan2.6-t2i"))
        XCTAssertNil(sync.header("X-DashScope-Async"))
        let read = api.request(for: Endpoint(method: "GET", path: "/tasks/abc", kind: .idempotent))
        XCTAssertNil(read.header("X-DashScope-Async"))
        XCTAssertNil(read.header("Content-Type"), "no body, no content type")
        XCTAssertEqual(read.header("Authorization"), "Bearer \(key)")
        XCTAssertEqual(read.headers.filter { $0.0 == "X-DashScope-Async" }.count, 0)
    }

    func testQueryAndBaseURLAndRegion() throws {
        let local = client(FakeTransport([.json(200, "{}")]), configuration: try configuration(key: key, baseURL: "http://127.0.0.1:8089/"))
        let list = local.request(for: Endpoint(method: "GET", path: "/tasks", query: [("page_no", "1"), ("status", "RUNNING")], kind: .idempotent))
        XCTAssertEqual(list.url.absoluteString, "http://127.0.0.1:8089/api/v1/tasks?page_no=1&status=RUNNING")

        let intl = client(FakeTransport([.json(200, "{}")]), configuration: try configuration(key: key, region: "intl"))
        let chat = intl.request(for: Endpoint(method: "POST", path: "/chat/completions", body: .object([]), kind: .create, base: .compatible))
        XCTAssertEqual(chat.url.absoluteString, "https://dashscope-intl.aliyuncs.com/compatible-mode/v1/chat/completions")
    }

    func testWithoutAKeyNoAuthorizationHeaderIsBuilt() throws {
        let api = client(FakeTransport([.json(200, "{}")]), configuration: try configuration(key: nil))
        XCTAssertNil(api.request(for: Endpoint(method: "GET", path: "/tasks/x", kind: .idempotent)).header("Authorization"))
    }

    // MARK: --dry-run

    func testDescribeRedactsTheKey() throws {
        let api = client(FakeTransport([.json(200, "{}")]), configuration: try configuration(key: key))
        let text = api.describe(try endpoint(ImageRequest(prompt: "a cat", negative: "dogs"), "wan2.2-t2i-flash"))
        XCTAssertFalse(text.contains(key), text)
        XCTAssertFalse(text.contains("0123456789"), text)
        XCTAssertTrue(text.contains("Authorization: Bearer sk-…abcd"), text)
        XCTAssertTrue(text.hasPrefix("POST https://dashscope.aliyuncs.com/api/v1/services/aigc/text2image/image-synthesis\n"), text)
        XCTAssertTrue(text.contains("X-DashScope-Async: enable"), text)
        XCTAssertTrue(text.contains("\"negative_prompt\": \"dogs\""), "the body is printed pretty: \(text)")
    }
}
