import XCTest
@testable import DashScopeKit

final class TextToImageValidationTests: XCTestCase {
    private func model(_ name: String) -> ModelSpec { Catalog.model(named: name)! }

    private func validate(_ request: ImageRequest, _ name: String) throws -> ImageSize? {
        try TextToImage.validate(request, model: model(name))
    }

    func testImageCountIsOneToFourForWanModels() throws {
        for name in ["wan2.6-t2i", "wan2.2-t2i-flash", "wanx2.0-t2i-turbo"] {
            for n in 1...4 { XCTAssertNoThrow(try validate(ImageRequest(prompt: "a cat", count: n), name), "\(name) -n \(n)") }
            for n in [0, 5, -1] {
                let error = assertFails(.usage) { _ = try validate(ImageRequest(prompt: "a cat", count: n), name) }
                XCTAssertTrue(error?.message.contains("-n \(n)") ?? false, error?.message ?? "")
                XCTAssertTrue(error?.hint?.contains("1 and 4") ?? false, error?.hint ?? "")
            }
        }
    }

    func testQwenImageMakesOneImagePerCall() throws {
        XCTAssertNoThrow(try validate(ImageRequest(prompt: "a cat", count: 1), "qwen-image"))
        let error = assertFails(.usage) { _ = try validate(ImageRequest(prompt: "a cat", count: 2), "qwen-image") }
        XCTAssertTrue(error?.message.contains("1 image per call") ?? false, error?.message ?? "")
        XCTAssertTrue(error?.message.contains("-n 2") ?? false, error?.message ?? "")
    }

    func testPromptLimitCountsCharacters() throws {
        let table: [(String, Int)] = [("wan2.2-t2i-flash", 500), ("wanx2.0-t2i-turbo", 800), ("wan2.5-t2i-preview", 2000),
                                      ("wan2.6-t2i", 2100), ("qwen-image", 800)]
        for (name, limit) in table {
            XCTAssertNoThrow(try validate(ImageRequest(prompt: String(repeating: "a", count: limit)), name), name)
            let error = assertFails(.usage) { _ = try validate(ImageRequest(prompt: String(repeating: "a", count: limit + 1)), name) }
            XCTAssertTrue(error?.message.contains("\(limit + 1) characters") ?? false, error?.message ?? "")
            XCTAssertTrue(error?.message.contains("at most \(limit)") ?? false, error?.message ?? "")
        }
    }

    func testCJKCharactersCountAsOneEach() throws {
        XCTAssertNoThrow(try validate(ImageRequest(prompt: String(repeating: "猫", count: 500)), "wan2.2-t2i-flash"),
                         "500 CJK characters are 1500 UTF-8 bytes but only 500 characters")
        assertFails(.usage) { _ = try validate(ImageRequest(prompt: String(repeating: "猫", count: 501)), "wan2.2-t2i-flash") }
    }

    func testEmptyOrBlankPromptIsRefused() {
        for prompt in ["", "   ", "\n\t\n"] {
            let error = assertFails(.usage) { _ = try validate(ImageRequest(prompt: prompt), "wan2.6-t2i") }
            XCTAssertTrue(error?.message.contains("empty") ?? false, error?.message ?? "")
        }
    }

    func testSeedBounds() throws {
        for seed in [0, 1, 42, 2_147_483_647] {
            XCTAssertNoThrow(try validate(ImageRequest(prompt: "a", seed: seed), "wan2.6-t2i"), "\(seed)")
        }
        for seed in [-1, 2_147_483_648, Int.min] {
            let error = assertFails(.usage) { _ = try validate(ImageRequest(prompt: "a", seed: seed), "wan2.6-t2i") }
            XCTAssertTrue(error?.message.contains("--seed \(seed)") ?? false, error?.message ?? "")
        }
        XCTAssertNoThrow(try Validation.seed(nil))
    }

    func testSeedsOfASetStayInRange() throws {
        XCTAssertNoThrow(try validate(ImageRequest(prompt: "a", count: 4, seed: 2_147_483_644), "wan2.6-t2i"))
        let error = assertFails(.usage) { _ = try validate(ImageRequest(prompt: "a", count: 4, seed: 2_147_483_645), "wan2.6-t2i") }
        XCTAssertTrue(error?.hint?.contains("2147483644") ?? false, error?.description ?? "")
    }

    func testValidateReturnsTheSizeToSend() throws {
        XCTAssertEqual(try validate(ImageRequest(prompt: "a"), "wan2.6-t2i"), ImageSize(1280, 1280))
        XCTAssertEqual(try validate(ImageRequest(prompt: "a", size: .exact(ImageSize(1440, 720))), "wan2.2-t2i-flash"), ImageSize(1440, 720))
        XCTAssertEqual(try validate(ImageRequest(prompt: "a", size: .exact(ImageSize(1024, 1024))), "wan2.6-t2i"), ImageSize(1024, 1024),
                       "wan2.6 takes 768² to 1440² pixels")
        assertFails(.usage) { _ = try validate(ImageRequest(prompt: "a", size: .exact(ImageSize(512, 512))), "wan2.6-t2i") }
    }

    func testCheckOrderReportsThePromptFirst() {
        let error = assertFails(.usage) { _ = try validate(ImageRequest(prompt: "", count: 9, seed: -4), "wan2.6-t2i") }
        XCTAssertTrue(error?.message.contains("empty") ?? false, error?.message ?? "")
    }
}
