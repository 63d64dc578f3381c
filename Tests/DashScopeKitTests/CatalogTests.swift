import XCTest
@testable import DashScopeKit

final class CatalogTests: XCTestCase {
    private let textToImage = "/services/aigc/text2image/image-synthesis"
    private let multimodal = "/services/aigc/multimodal-generation/generation"
    private let imageGeneration = "/services/aigc/image-generation/generation"

    private func known(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> ModelSpec {
        try XCTUnwrap(Catalog.model(named: name), "\(name) missing from the catalogue", file: file, line: line)
    }

    func testEveryTextToImageModelOfAPISection1IsPresent() throws {
        let names = ["wan2.6-t2i", "wan2.5-t2i-preview", "wan2.2-t2i-flash", "wan2.2-t2i-plus", "wanx2.1-t2i-turbo",
                     "wanx2.1-t2i-plus", "wanx2.0-t2i-turbo", "qwen-image", "qwen-image-plus"]
        for name in names {
            let model = try known(name)
            XCTAssertEqual(model.capability, .textToImage, name)
            XCTAssertFalse(model.inferred, name)
            XCTAssertEqual(Catalog.resolve(name, for: .textToImage).name, name)
        }
        XCTAssertEqual(Set(Catalog.models.map(\.name)).count, Catalog.models.count, "no model is listed twice")
    }

    func testDefaultModelIsWan26() {
        XCTAssertEqual(Catalog.defaultModel(for: .textToImage), "wan2.6-t2i")
    }

    func testWan26IsMessagesSyncByDefaultAndMessagesAsyncOnTheImageGenerationPath() throws {
        let model = try known("wan2.6-t2i")
        let byDefault = try XCTUnwrap(model.mode(async: nil))
        XCTAssertEqual(byDefault.wire, .messages)
        XCTAssertFalse(byDefault.async)
        XCTAssertEqual(byDefault.path, multimodal)
        let async = try XCTUnwrap(model.mode(async: true))
        XCTAssertEqual(async.wire, .messages)
        XCTAssertTrue(async.async)
        XCTAssertEqual(async.path, imageGeneration)
        XCTAssertEqual(model.mode(async: false), byDefault)
    }

    func testLegacyModelsArePromptProtocolAsyncOnTheText2ImagePath() throws {
        for name in ["wan2.5-t2i-preview", "wan2.2-t2i-flash", "wan2.2-t2i-plus", "wanx2.1-t2i-turbo", "wanx2.1-t2i-plus", "wanx2.0-t2i-turbo"] {
            let model = try known(name)
            XCTAssertEqual(model.modes, [CallMode(.prompt, textToImage, async: true)], name)
            XCTAssertNil(model.mode(async: false), "\(name) has no sync mode")
        }
    }

    func testQwenImageIsPromptAsyncByDefaultAndMessagesSyncOnRequest() throws {
        for name in ["qwen-image", "qwen-image-plus"] {
            let model = try known(name)
            XCTAssertEqual(model.mode(async: nil), CallMode(.prompt, textToImage, async: true), name)
            XCTAssertEqual(model.mode(async: false), CallMode(.messages, multimodal, async: false), name)
            XCTAssertEqual(model.count, 1...1, name)
            XCTAssertEqual(model.defaultSize, ImageSize(1664, 928), name)
        }
    }

    func testLimitsAndDefaultsPerModel() throws {
        let expected: [(String, Int, ImageSize)] = [
            ("wan2.6-t2i", 2100, ImageSize(1280, 1280)), ("wan2.5-t2i-preview", 2000, ImageSize(1280, 1280)),
            ("wan2.2-t2i-flash", 500, ImageSize(1024, 1024)), ("wan2.2-t2i-plus", 500, ImageSize(1024, 1024)),
            ("wanx2.1-t2i-turbo", 500, ImageSize(1024, 1024)), ("wanx2.1-t2i-plus", 500, ImageSize(1024, 1024)),
            ("wanx2.0-t2i-turbo", 800, ImageSize(1024, 1024)), ("qwen-image", 800, ImageSize(1664, 928)),
        ]
        for (name, limit, size) in expected {
            let model = try known(name)
            XCTAssertEqual(model.promptLimit, limit, name)
            XCTAssertEqual(model.defaultSize, size, name)
            if !name.hasPrefix("qwen") { XCTAssertEqual(model.count, 1...4, name) }
            let rule = try XCTUnwrap(model.sizes, name)
            XCTAssertNil(rule.problem(with: size), "\(name)'s default size must satisfy its own rule")
        }
    }

    func testAnUnknownModelIsInferredAndStillSendable() throws {
        let model = Catalog.resolve("wanx9-t2i-future", for: .textToImage)
        XCTAssertTrue(model.inferred)
        XCTAssertEqual(model.name, "wanx9-t2i-future")
        XCTAssertNil(model.promptLimit)
        XCTAssertNil(model.sizes)
        XCTAssertEqual(model.mode(async: nil)?.wire, .prompt)
        let request = ImageRequest(prompt: String(repeating: "long ", count: 1000), size: .exact(ImageSize(3000, 100)), count: 2)
        let size = try TextToImage.validate(request, model: model)
        XCTAssertEqual(size, ImageSize(3000, 100), "limits are unknown, so nothing but the basics is checked")
        let endpoint = TextToImage.endpoint(request, model: model, mode: try XCTUnwrap(model.mode(async: nil)), size: size)
        XCTAssertEqual(endpoint.body?["model"]?.string, "wanx9-t2i-future")

        let newer = Catalog.resolve("wan2.6-t2i-next", for: .textToImage)
        XCTAssertTrue(newer.inferred)
        XCTAssertEqual(newer.mode(async: nil)?.wire, .messages, "a wan2.6 name infers the messages protocol")
    }

    func testInferredModelStillRefusesWhatIsAlwaysWrong() {
        let model = Catalog.resolve("some-new-model", for: .textToImage)
        assertFails(.usage) { _ = try TextToImage.validate(ImageRequest(prompt: "  "), model: model) }
        assertFails(.usage) { _ = try TextToImage.validate(ImageRequest(prompt: "a", count: 5), model: model) }
        assertFails(.usage) { _ = try TextToImage.validate(ImageRequest(prompt: "a", size: .ratio(16, 9)), model: model) }
    }
}
