import Foundation
import XCTest
@testable import DashScopeMock

/// Image-to-image and editing bodies (API.md §2): what each model accepts, refuses, and how it answers.
final class ImageInputTests: MockTestCase {
    private static let url = "https://example.com/cat.png"
    private static let png = "data:image/png;base64," + PNG.picture(id: "in", index: 0).base64EncodedString()
    private static let jpegBytes = Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 0x4A, 0x46, 0x49, 0x46, 0, 1])

    private static func i2i(_ images: [Any], parameters: [String: Any] = ["n": 1], prompt: Any = "make it blue") -> [String: Any] {
        ["model": "wan2.5-i2i-preview", "input": ["prompt": prompt, "images": images], "parameters": parameters]
    }

    private static func edit(_ function: String, mask: String? = nil, parameters: [String: Any] = ["n": 1]) -> [String: Any] {
        var input: [String: Any] = ["function": function, "prompt": "make it blue", "base_image_url": url]
        input["mask_image_url"] = mask
        return ["model": "wanx2.1-imageedit", "input": input, "parameters": parameters]
    }

    private static func qwenEdit(_ model: String = "qwen-image-edit-plus", images: Int = 1, n: Int = 1) -> [String: Any] {
        let content: [[String: Any]] = Array(repeating: ["image": url], count: images) + [["text": "make it blue"]]
        return Body.messages(model, content: content, parameters: ["n": n])
    }

    private static func wan26(images: Int, parameters: [String: Any] = ["n": 1]) -> [String: Any] {
        let content: [[String: Any]] = [["text": "a cat in this style"]] + Array(repeating: ["image": url], count: images)
        return Body.messages("wan2.6-image", content: content, parameters: parameters)
    }

    func testAcceptedBodies() async throws {
        let accepted: [(GenerationRoute, [String: Any])] = [
            (.imageAsync, Self.i2i([Self.url])),
            (.imageAsync, Self.i2i([Self.url, Self.png, "http://example.com/2.jpg"], parameters: [
                "n": 4, "size": "1280*1280", "prompt_extend": false, "watermark": true, "seed": 7, "unknown": 1,
            ])),
            (.imageAsync, ["model": "wan2.5-i2i-preview", "input": ["prompt": "x", "images": [Self.url], "negative_prompt": "blur"]]),
            (.imageAsync, Self.edit("stylization_all", parameters: ["n": 2, "strength": 0.5, "seed": 1, "watermark": false])),
            (.imageAsync, Self.edit("description_edit_with_mask", mask: Self.png)),
            (.imageAsync, Self.edit("expand", parameters: ["top_scale": 1.5, "bottom_scale": 1, "left_scale": 2, "right_scale": 1.2])),
            (.imageAsync, Self.edit("super_resolution", parameters: ["upscale_factor": 4])),
            (.imageAsync, Self.edit("doodle", parameters: ["is_sketch": true])),
            (.imageAsync, Self.edit("remove_watermark", mask: "not checked: this function reads no mask")),
            (.messagesSync, Self.qwenEdit(images: 3, n: 6)),
            (.messagesSync, Self.qwenEdit("qwen-image-edit")),
            (.messagesSync, Self.wan26(images: 4, parameters: ["n": 4, "size": "1280*1280", "prompt_extend": true])),
            (.messagesAsync, Self.wan26(images: 1)),
            (.messagesSync, Self.wan26(images: 0, parameters: ["enable_interleave": true, "max_images": 3])),
        ]
        for (index, (route, body)) in accepted.enumerated() {
            let reply = try await post(route, body)
            XCTAssertEqual(reply.status, 200, "accepted[\(index)]: \(reply.message)")
        }
        for function in EditFunction.allCases {
            let reply = try await post(.imageAsync, Self.edit(function.rawValue, mask: Self.url))
            XCTAssertEqual(reply.status, 200, "\(function): \(reply.message)")
        }
    }

    func testRefusedBodies() async throws {
        let refusals: [(GenerationRoute, [String: Any], String)] = [
            (.imageAsync, Self.i2i([]), "input.images"),
            (.imageAsync, Self.i2i(Array(repeating: Self.url, count: 4)), "1 to 3"),
            (.imageAsync, ["model": "wan2.5-i2i-preview", "input": ["prompt": "x"]], "input.images"),
            (.imageAsync, ["model": "wan2.5-i2i-preview", "input": ["prompt": "x", "images": Self.url]], "list"),
            (.imageAsync, ["model": "wan2.5-i2i-preview", "input": ["images": [Self.url]]], "input.prompt"),
            (.imageAsync, Self.i2i([3]), "input.images[0]"),
            (.imageAsync, Self.i2i([Self.url, "ftp://example.com/a.png"]), "input.images[1]"),
            (.imageAsync, Self.i2i([Self.url], parameters: ["n": 5]), "parameters.n"),
            (.imageAsync, Self.i2i([Self.url], parameters: ["size": "512*512"]), "parameters.size"),
            (.imageAsync, Self.i2i([Self.url], parameters: ["watermark": "yes"]), "parameters.watermark"),
            (.imageAsync, Self.i2i([Self.url], parameters: ["prompt_extend": "true"]), "parameters.prompt_extend"),
            (.imageAsync, Self.i2i([Self.url], parameters: ["seed": -1]), "parameters.seed"),
            (.imageAsync, Self.i2i([Self.url], prompt: String(repeating: "a", count: 2001)), "too long"),
            (.imageAsync, Body.prompt("wan2.2-t2i-flash"), "not served"),
            (.promptAsync, Self.i2i([Self.url]), "not served"),
            (.imageAsync, Self.edit("sharpen"), "stylization_all, stylization_local"),
            (.imageAsync, ["model": "wanx2.1-imageedit", "input": ["prompt": "x", "base_image_url": Self.url]], "input.function"),
            (.imageAsync, ["model": "wanx2.1-imageedit", "input": ["function": "expand", "prompt": "x"]], "input.base_image_url"),
            (.imageAsync, ["model": "wanx2.1-imageedit", "input": ["function": "expand", "base_image_url": Self.url]], "input.prompt"),
            (.imageAsync, Self.edit("description_edit_with_mask"), "input.mask_image_url"),
            (.imageAsync, Self.edit("description_edit_with_mask", mask: "file:///etc/passwd"), "input.mask_image_url"),
            (.imageAsync, Self.edit("stylization_all", parameters: ["strength": 1.5]), "parameters.strength"),
            (.imageAsync, Self.edit("stylization_all", parameters: ["strength": "0.5"]), "parameters.strength"),
            (.imageAsync, Self.edit("expand", parameters: ["top_scale": 0.9]), "parameters.top_scale"),
            (.imageAsync, Self.edit("expand", parameters: ["right_scale": 2.5]), "parameters.right_scale"),
            (.imageAsync, Self.edit("super_resolution", parameters: ["upscale_factor": 5]), "parameters.upscale_factor"),
            (.imageAsync, Self.edit("super_resolution", parameters: ["upscale_factor": 1.5]), "parameters.upscale_factor"),
            (.imageAsync, Self.edit("doodle", parameters: ["is_sketch": "true"]), "parameters.is_sketch"),
            (.imageAsync, Self.edit("doodle", parameters: ["n": 5]), "parameters.n"),
            (.messagesSync, Self.qwenEdit(images: 0), "1 to 3"),
            (.messagesSync, Self.qwenEdit(images: 4), "1 to 3"),
            (.messagesSync, Self.qwenEdit(n: 7), "parameters.n"),
            (.messagesSync, Self.qwenEdit("qwen-image-edit", n: 2), "must be 1"),
            (.messagesAsync, Self.qwenEdit(), "not served"),
            (.messagesSync, Self.wan26(images: 0), "1 to 4"),
            (.messagesSync, Self.wan26(images: 5), "not 5"),
            (.messagesSync, Self.wan26(images: 1, parameters: ["enable_interleave": "yes"]), "enable_interleave"),
            (.messagesSync, Self.wan26(images: 1, parameters: ["max_images": 0]), "max_images"),
            (.messagesSync, Body.messages("wan2.6-image", content: [["text": "x"], ["image": 7]]), "content[1].image"),
        ]
        for (index, (route, body, fragment)) in refusals.enumerated() {
            let reply = try await post(route, body)
            XCTAssertEqual(reply.status, 400, "refusal[\(index)]: \(reply.message)")
            XCTAssertEqual(reply.code, "InvalidParameter", "refusal[\(index)]")
            XCTAssertTrue(reply.message.contains(fragment), "refusal[\(index)]: \(reply.message) lacks \(fragment)")
        }
    }

    func testImageToImageNeedsTheAsyncHeader() async throws {
        let reply = try await post(.imageAsync, Self.i2i([Self.url]), async: false)
        assertError(reply, 403, "AccessDenied", "does not support synchronous calls")
    }

    func testImageToImageTasksAnswerWithResultURLs() async throws {
        for body in [Self.i2i([Self.url], parameters: ["n": 2]), Self.edit("colorization", parameters: ["n": 2])] {
            let created = try await post(.imageAsync, body)
            XCTAssertEqual(created.status, 200, created.message)
            let id = try XCTUnwrap(created.output["task_id"] as? String)
            let done = try await query(id)
            XCTAssertEqual(done.taskStatus, "SUCCEEDED")
            let results = try XCTUnwrap(done.output["results"] as? [[String: Any]])
            XCTAssertEqual(results.count, 2)
            let url = try XCTUnwrap(results.first?["url"] as? String)
            XCTAssertTrue(url.hasPrefix(server.origin + "/files/\(id)/"), url)
            XCTAssertEqual(done.usage["image_count"] as? Int, 2)
        }
    }

    func testEditingModelsAnswerWithImageContentItems() async throws {
        let reply = try await post(.messagesSync, Self.qwenEdit(images: 2, n: 3))
        XCTAssertEqual(reply.status, 200, reply.message)
        let choices = try XCTUnwrap(reply.output["choices"] as? [[String: Any]])
        let content = try XCTUnwrap((choices.first?["message"] as? [String: Any])?["content"] as? [[String: Any]])
        XCTAssertEqual(content.count, 3)
        XCTAssertEqual(content.compactMap { $0["type"] as? String }, ["image", "image", "image"])
        XCTAssertTrue(content.allSatisfy { ($0["image"] as? String)?.hasPrefix(server.origin + "/files/") == true })
    }

    func testAnInterleavedAnswerMixesTextWithMaxImagesImages() async throws {
        let reply = try await post(.messagesSync, Self.wan26(images: 1, parameters: ["enable_interleave": true, "max_images": 2]))
        XCTAssertEqual(reply.status, 200, reply.message)
        let choices = try XCTUnwrap(reply.output["choices"] as? [[String: Any]])
        let content = try XCTUnwrap((choices.first?["message"] as? [String: Any])?["content"] as? [[String: Any]])
        XCTAssertEqual(content.compactMap { $0["type"] as? String }, ["text", "image", "text", "image"])
    }

    func testDataURLsMustHoldRealImagesOfTheNamedType() async throws {
        let jpeg = Self.jpegBytes.base64EncodedString()
        let accepted = [
            Self.png, "data:image/jpeg;base64," + jpeg, "data:image/jpg;base64," + jpeg,
            "data:image/webp;base64," + Data("RIFF\0\0\0\0WEBPVP8 ".utf8).base64EncodedString(),
            "data:image/gif;base64," + Data("GIF89a....".utf8).base64EncodedString(),
            "data:image/bmp;base64," + Data("BM123456".utf8).base64EncodedString(),
            "data:image/tiff;base64," + Data([0x49, 0x49, 0x2A, 0, 8, 0]).base64EncodedString(),
        ]
        for value in accepted {
            let reply = try await post(.imageAsync, Self.i2i([value]))
            XCTAssertEqual(reply.status, 200, "\(value.prefix(30)): \(reply.message)")
        }
        let refused = [
            ("data:image/png;base64," + Data("hello, I am text".utf8).base64EncodedString(), "not an image"),
            ("data:image/png;base64,iVBORw0KGgo*", "not valid base64"),
            ("data:image/png;base64,iVBORw0KGgoAAAANSUhEU", "not valid base64"),
            ("data:image/png;base64,", "not valid base64"),
            ("data:image/png;base64," + jpeg, "holds JPEG"),
            ("data:text/plain;base64," + jpeg, "data:image/<type>;base64"),
            ("data:image/png," + jpeg, "data:image/<type>;base64"),
            ("data:image/png;base64", "no comma"),
        ]
        for (value, fragment) in refused {
            let reply = try await post(.imageAsync, Self.i2i([value]))
            assertError(reply, 400, "InvalidParameter", fragment)
            XCTAssertTrue(reply.message.contains("input.images[0]"), reply.message)
        }
    }

    func testALongRefusedDataURLIsNotEchoedWhole() async throws {
        let long = "gopher://" + String(repeating: "a", count: 5000)
        let reply = try await post(.imageAsync, Self.i2i([long]))
        assertError(reply, 400, "InvalidParameter", "(5009 bytes)")
        XCTAssertLessThan(reply.message.count, 300)
    }

    func testOSSURLsNeedTheResolveHeaderAndAnUploadedFile() async throws {
        let reply = try await post(.imageAsync, Self.i2i(["oss://dashscope-instant/x/2025-01-01/y/cat.png"]))
        assertError(reply, 400, "InvalidParameter", "cannot be resolved")
        XCTAssertTrue(reply.message.contains("X-DashScope-OssResourceResolve"), reply.message)
        let body = try JSONSerialization.data(withJSONObject: Self.i2i(["oss://dashscope-instant/x/2025-01-01/y/cat.png"]))
        let resolved = try await send("POST", GenerationRoute.imageAsync.path, headers: [
            "X-DashScope-Async": "enable", "X-DashScope-OssResourceResolve": "enable",
        ], body: body)
        assertError(resolved, 400, "InvalidParameter", "cannot be accessed")
    }
}
