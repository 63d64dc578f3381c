import XCTest
@testable import DashScopeKit

/// The request builders of `i2i` and `edit`: bodies per model (API.md section 2) and every refusal before sending.
final class ImageInputRequestTests: XCTestCase {
    private let png = "data:image/png;base64,iVBORw0KGgo="

    private func model(_ name: String) throws -> ModelSpec { try XCTUnwrap(Catalog.model(named: name), name) }

    private func i2i(_ request: ImageToImageRequest, _ name: String, async: Bool? = nil, oss: Bool = false) throws -> Endpoint {
        let spec = try model(name)
        return try ImageToImage.prepare(request, model: spec, mode: try XCTUnwrap(spec.mode(async: async)), ossResolve: oss).endpoint
    }

    private func edit(_ request: EditRequest, _ name: String, oss: Bool = false) throws -> Endpoint {
        let spec = try model(name)
        return try ImageEdit.prepare(request, model: spec, mode: try XCTUnwrap(spec.mode(async: nil)), ossResolve: oss).endpoint
    }

    // MARK: i2i

    func testWan25ImageToImageIsAnImage2ImageTaskWithImagesInInput() throws {
        let e = try i2i(ImageToImageRequest(image: ImageRequest(prompt: "autumn", negative: "people", count: 2, seed: 7),
                                            inputs: [png, "https://x/a.jpg"]), "wan2.5-i2i-preview", oss: true)
        XCTAssertEqual(e.path, "/services/aigc/image2image/image-synthesis")
        XCTAssertTrue(e.async)
        XCTAssertTrue(e.ossResolve)
        let body = try XCTUnwrap(e.body)
        XCTAssertEqual(body["input"]?["prompt"]?.string, "autumn")
        XCTAssertEqual(body["input"]?["images"]?.items.compactMap(\.string), [png, "https://x/a.jpg"])
        XCTAssertEqual(body["input"]?["negative_prompt"]?.string, "people")
        XCTAssertEqual(body["parameters"]?["n"]?.int, 2)
        XCTAssertEqual(body["parameters"]?["seed"]?.int, 7)
        XCTAssertNil(body["parameters"]?["size"], "no size unless asked: the service keeps the input's")
    }

    func testWan26ImageIsTheMessagesProtocolTextFirstWithInterleave() throws {
        let request = ImageToImageRequest(image: ImageRequest(prompt: "merge", negative: "blur", size: .exact(ImageSize(1024, 1024))),
                                          inputs: [png, png], interleave: true, maxImages: 3)
        let sync = try i2i(request, "wan2.6-image")
        XCTAssertEqual(sync.path, "/services/aigc/multimodal-generation/generation")
        XCTAssertFalse(sync.async)
        let content = try XCTUnwrap(sync.body?["input"]?["messages"]?.items.first?["content"]?.items)
        XCTAssertEqual(content.first?["text"]?.string, "merge", "wan2.6-image: the text comes first")
        XCTAssertEqual(content.dropFirst().compactMap { $0["image"]?.string }, [png, png])
        XCTAssertEqual(sync.body?["parameters"]?["negative_prompt"]?.string, "blur")
        XCTAssertEqual(sync.body?["parameters"]?["enable_interleave"]?.bool, true)
        XCTAssertEqual(sync.body?["parameters"]?["max_images"]?.int, 3)
        XCTAssertEqual(sync.body?["parameters"]?["size"]?.string, "1024*1024")
        let async = try i2i(request, "wan2.6-image", async: true)
        XCTAssertEqual(async.path, "/services/aigc/image-generation/generation")
        XCTAssertTrue(async.async)
    }

    func testImageToImageRefusals() throws {
        let four = ImageToImageRequest(image: ImageRequest(prompt: "p"), inputs: [png, png, png, png])
        let tooMany = assertFails(.usage) { _ = try i2i(four, "wan2.5-i2i-preview") }
        XCTAssertTrue(tooMany?.message.contains("takes 1 to 3 images (-i/--image); 4 were given") ?? false, tooMany?.message ?? "")
        assertFails(.usage) { _ = try i2i(ImageToImageRequest(image: ImageRequest(prompt: "p"), inputs: []), "wan2.6-image") }
        assertFails(.usage) { _ = try i2i(ImageToImageRequest(image: ImageRequest(prompt: "p"), inputs: [png], interleave: true), "wan2.5-i2i-preview") }
        assertFails(.usage) { _ = try i2i(ImageToImageRequest(image: ImageRequest(prompt: "p"), inputs: [png], maxImages: 2), "wan2.6-image") }
        assertFails(.usage) { _ = try i2i(ImageToImageRequest(image: ImageRequest(prompt: "p", count: 5), inputs: [png]), "wan2.6-image") }
        assertFails(.usage) { _ = try i2i(ImageToImageRequest(image: ImageRequest(prompt: "p", size: .exact(ImageSize(512, 512))), inputs: [png]), "wan2.5-i2i-preview") }
    }

    // MARK: edit

    func testQwenImageEditIsTheMessagesProtocolImagesFirst() throws {
        let e = try edit(EditRequest(image: ImageRequest(prompt: "make it red", negative: "blur", count: 6), inputs: [png, "oss://d/a.png"]),
                         "qwen-image-edit-plus", oss: true)
        XCTAssertEqual(e.path, "/services/aigc/multimodal-generation/generation")
        XCTAssertFalse(e.async)
        XCTAssertTrue(e.ossResolve)
        let content = try XCTUnwrap(e.body?["input"]?["messages"]?.items.first?["content"]?.items)
        XCTAssertEqual(content.compactMap { $0["image"]?.string }, [png, "oss://d/a.png"])
        XCTAssertEqual(content.last?["text"]?.string, "make it red", "qwen-image-edit: the text comes last")
        XCTAssertEqual(e.body?["parameters"]?["n"]?.int, 6)
        XCTAssertEqual(e.body?["parameters"]?["negative_prompt"]?.string, "blur")
        assertFails(.usage) { _ = try edit(EditRequest(image: ImageRequest(prompt: "p", count: 2), inputs: [png]), "qwen-image-edit") }
        assertFails(.usage) { _ = try edit(EditRequest(image: ImageRequest(prompt: "p", count: 7), inputs: [png]), "qwen-image-edit-plus") }
        assertFails(.usage) { _ = try edit(EditRequest(image: ImageRequest(prompt: "p"), inputs: [png], function: .expand), "qwen-image-edit-plus") }
    }

    func testWanxImageEditSendsTheFunctionAndOnlyItsParameters() throws {
        let e = try edit(EditRequest(image: ImageRequest(prompt: "wider", seed: 3), inputs: [png], function: .expand,
                                     parameters: [.topScale: 1.5, .leftScale: 2]), "wanx2.1-imageedit")
        XCTAssertEqual(e.path, "/services/aigc/image2image/image-synthesis")
        XCTAssertTrue(e.async)
        let body = try XCTUnwrap(e.body)
        XCTAssertEqual(body["input"]?["function"]?.string, "expand")
        XCTAssertEqual(body["input"]?["base_image_url"]?.string, png)
        XCTAssertNil(body["input"]?["mask_image_url"])
        XCTAssertEqual(body["parameters"]?["top_scale"]?.number, 1.5)
        XCTAssertEqual(body["parameters"]?["left_scale"]?.number, 2)
        XCTAssertNil(body["parameters"]?["prompt_extend"], "the function protocol documents n, seed and watermark only")
        XCTAssertEqual(body["parameters"]?["n"]?.int, 1)

        let masked = try edit(EditRequest(image: ImageRequest(prompt: "a hat"), inputs: [png], mask: "https://x/m.png",
                                          function: .descriptionEditWithMask), "wanx2.1-imageedit")
        XCTAssertEqual(masked.body?["input"]?["mask_image_url"]?.string, "https://x/m.png")
        let sketch = try edit(EditRequest(image: ImageRequest(prompt: "p"), inputs: [png], function: .doodle, parameters: [.isSketch: 1]),
                              "wanx2.1-imageedit")
        XCTAssertEqual(sketch.body?["parameters"]?["is_sketch"]?.bool, true)
        let upscale = try edit(EditRequest(image: ImageRequest(prompt: "p"), inputs: [png], function: .superResolution,
                                           parameters: [.upscaleFactor: 4]), "wanx2.1-imageedit")
        XCTAssertEqual(upscale.body?["parameters"]?["upscale_factor"]?.compact, "4")
    }

    func testWanxImageEditRefusals() throws {
        func refused(_ request: EditRequest, _ words: String, file: StaticString = #filePath, line: UInt = #line) {
            let error = assertFails(.usage, file: file, line: line) { _ = try edit(request, "wanx2.1-imageedit") }
            XCTAssertTrue(error?.message.contains(words) ?? false, "\(error?.message ?? "") should say \(words)", file: file, line: line)
        }
        let p = ImageRequest(prompt: "p")
        refused(EditRequest(image: p, inputs: [png]), "needs --function")
        refused(EditRequest(image: p, inputs: [png], function: .expand, parameters: [.strength: 0.5]), "--strength does not apply to --function expand")
        refused(EditRequest(image: p, inputs: [png], function: .descriptionEditWithMask), "needs --mask")
        refused(EditRequest(image: p, inputs: [png], mask: png, function: .descriptionEdit), "--mask goes with")
        refused(EditRequest(image: p, inputs: [png], function: .stylizationAll, parameters: [.strength: 1.5]), "out of range")
        refused(EditRequest(image: p, inputs: [png], function: .superResolution, parameters: [.upscaleFactor: 2.5]), "whole number")
        refused(EditRequest(image: p, inputs: [png, png], function: .expand), "takes 1 image")
        refused(EditRequest(image: ImageRequest(prompt: "p", negative: "x"), inputs: [png], function: .expand), "--negative")
        XCTAssertEqual(EditParameter.isSketch.option, "--sketch")
        XCTAssertEqual(EditParameter.upscaleFactor.option, "--upscale-factor")
        XCTAssertEqual(EditFunction.allCases.count, 10)
    }
}
