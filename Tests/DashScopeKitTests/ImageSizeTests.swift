import XCTest
@testable import DashScopeKit

final class ImageSizeTests: XCTestCase {
    private func model(_ name: String) -> ModelSpec { Catalog.model(named: name)! }

    private func check(_ size: ImageSize, _ name: String) throws -> ImageSize? {
        try TextToImage.resolveSize(.exact(size), model: model(name))
    }

    // MARK: Parsing

    func testAcceptedSpellings() throws {
        let cases: [(String, SizeRequest)] = [
            ("1024x1024", .exact(ImageSize(1024, 1024))),
            ("1024*1024", .exact(ImageSize(1024, 1024))),
            ("1024×1024", .exact(ImageSize(1024, 1024))),
            ("1280X720", .exact(ImageSize(1280, 720))),
            (" 720x1280 ", .exact(ImageSize(720, 1280))),
            ("1024 x 1024", .exact(ImageSize(1024, 1024))),
            ("16 : 9", .ratio(16, 9)),
            ("16:9", .ratio(16, 9)),
            ("1:1", .ratio(1, 1)),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(try SizeRequest.parse(text), expected, text)
        }
    }

    func testRefusedSpellings() {
        for text in ["abc", "0x5", "5x0", "12", "", "x", "1024x", "x1024", "-5x10", "10x10x10", "16:0", "1.5x2", "16/9"] {
            let error = assertFails(.usage) { _ = try SizeRequest.parse(text) }
            XCTAssertTrue(error?.message.contains("'\(text)'") ?? false, "the message quotes the input: \(error?.message ?? "")")
        }
    }

    func testWireFormIsWidthStarHeight() {
        XCTAssertEqual(ImageSize(1664, 928).description, "1664*928")
    }

    // MARK: Rules per model

    func testWan22SidesAreBetween512And1440() throws {
        let table: [(ImageSize, Bool)] = [
            (ImageSize(511, 1024), false), (ImageSize(512, 1024), true), (ImageSize(1440, 1024), true),
            (ImageSize(1441, 1024), false), (ImageSize(1024, 511), false), (ImageSize(1024, 1441), false),
            (ImageSize(512, 512), true), (ImageSize(1440, 1440), true),
        ]
        for name in ["wan2.2-t2i-flash", "wan2.2-t2i-plus", "wanx2.1-t2i-turbo", "wanx2.0-t2i-turbo"] {
            for (size, ok) in table {
                if ok {
                    XCTAssertEqual(try check(size, name), size, "\(name) \(size)")
                } else {
                    let error = assertFails(.usage) { _ = try check(size, name) }
                    XCTAssertTrue(error?.message.contains("512") ?? false, error?.message ?? "")
                }
            }
        }
    }

    func testWan26PixelRangeAndAspectRange() throws {
        let ok = [ImageSize(1280, 1280), ImageSize(1440, 1440), ImageSize(2560, 640), ImageSize(640, 2560), ImageSize(1728, 960),
                  ImageSize(1024, 1024), ImageSize(768, 768), ImageSize(1536, 384)]
        let refused = [ImageSize(767, 768), ImageSize(1441, 1441), ImageSize(512, 512), ImageSize(2880, 576), ImageSize(576, 2880)]
        for name in ["wan2.6-t2i", "wan2.5-t2i-preview"] {
            for size in ok { XCTAssertEqual(try check(size, name), size, "\(name) \(size)") }
            for size in refused { assertFails(.usage) { _ = try check(size, name) } }
        }
        let wide = assertFails(.usage) { _ = try check(ImageSize(2880, 576), "wan2.6-t2i") }
        XCTAssertTrue(wide?.message.contains("aspect") ?? false, "a 5:1 size is refused for its aspect: \(wide?.message ?? "")")
        let small = assertFails(.usage) { _ = try check(ImageSize(512, 512), "wan2.6-t2i") }
        XCTAssertTrue(small?.message.contains("pixels") ?? false, small?.message ?? "")
    }

    func testQwenImageTakesOnlyItsFixedSizes() throws {
        for size in [ImageSize(1664, 928), ImageSize(1472, 1104), ImageSize(1328, 1328), ImageSize(1104, 1472),
                     ImageSize(928, 1664), ImageSize(1472, 1140), ImageSize(1140, 1472)] {
            XCTAssertEqual(try check(size, "qwen-image"), size, "\(size)")
            XCTAssertEqual(try check(size, "qwen-image-plus"), size, "\(size)")
        }
        let error = assertFails(.usage) { _ = try check(ImageSize(1024, 1024), "qwen-image") }
        XCTAssertTrue(error?.message.contains("1328x1328") ?? false, "the message lists the offered sizes: \(error?.message ?? "")")
    }

    func testNoSizeMeansTheModelDefault() throws {
        XCTAssertEqual(try TextToImage.resolveSize(nil, model: model("wan2.6-t2i")), ImageSize(1280, 1280))
        XCTAssertEqual(try TextToImage.resolveSize(nil, model: model("wan2.2-t2i-flash")), ImageSize(1024, 1024))
        XCTAssertNil(try TextToImage.resolveSize(nil, model: Catalog.resolve("unknown-x", for: .textToImage)))
    }

    // MARK: Ratios

    func testEveryRatioMapsToASizeTheModelAccepts() throws {
        let ratios = [(1, 1), (16, 9), (9, 16), (4, 3), (3, 4), (21, 9)]
        for spec in Catalog.models(for: .textToImage) {
            let rule = try XCTUnwrap(spec.sizes, spec.name)
            for (w, h) in ratios {
                let size = try XCTUnwrap(try TextToImage.resolveSize(.ratio(w, h), model: spec), "\(spec.name) \(w):\(h)")
                XCTAssertNil(rule.problem(with: size), "\(spec.name) \(w):\(h) → \(size)")
                if case .fixed = rule { continue }
                let wanted = Double(w) / Double(h)
                XCTAssertEqual(size.aspect, wanted, accuracy: wanted * 0.05, "\(spec.name) \(w):\(h) → \(size)")
                XCTAssertEqual(size.width % 16, 0, "\(size)")
                XCTAssertEqual(size.height % 16, 0, "\(size)")
                if let floor = spec.ratioMinPixels {
                    XCTAssertGreaterThanOrEqual(size.pixels, floor, "\(spec.name) \(w):\(h) → \(size): ratios map to the recommended sizes")
                }
            }
        }
    }

    func testRatiosPickTheNearestFixedQwenSize() throws {
        let qwen = model("qwen-image")
        let cases: [((Int, Int), ImageSize)] = [
            ((1, 1), ImageSize(1328, 1328)), ((16, 9), ImageSize(1664, 928)), ((9, 16), ImageSize(928, 1664)),
            ((4, 3), ImageSize(1472, 1104)), ((3, 4), ImageSize(1104, 1472)), ((21, 9), ImageSize(1664, 928)),
        ]
        for ((w, h), expected) in cases {
            XCTAssertEqual(try TextToImage.resolveSize(.ratio(w, h), model: qwen), expected, "\(w):\(h)")
        }
    }

    func testSquareRatioGivesTheDefaultArea() throws {
        XCTAssertEqual(try TextToImage.resolveSize(.ratio(1, 1), model: model("wan2.6-t2i")), ImageSize(1280, 1280))
        XCTAssertEqual(try TextToImage.resolveSize(.ratio(1, 1), model: model("wan2.2-t2i-flash")), ImageSize(1024, 1024))
    }

    func testARatioOutsideTheAspectRangeIsRefused() {
        let error = assertFails(.usage) { _ = try TextToImage.resolveSize(.ratio(5, 1), model: self.model("wan2.6-t2i")) }
        XCTAssertTrue(error?.message.contains("5:1") ?? false, error?.message ?? "")
    }

    // MARK: No input crashes

    func testAbsurdSizesAreUsageErrorsNotOverflows() {
        for text in ["4000000000x4000000000", "100001x1024", "1024x100001", "99999999999999999999999x2",
                     "9223372036854775807x9223372036854775807", "10001:1", "1:99999999999999999999"] {
            let error = assertFails(.usage) { _ = try SizeRequest.parse(text) }
            XCTAssertTrue(error?.message.contains("out of range") ?? false, "\(text): \(error?.message ?? "")")
        }
        XCTAssertEqual(try SizeRequest.parse("100000x100000"), .exact(ImageSize(100_000, 100_000)), "the limit itself is read")
        XCTAssertEqual(try SizeRequest.parse("10000:1"), .ratio(10_000, 1))
    }

    func testSignsAndOtherDigitsAreNotNumbers() {
        for text in ["+1024x1024", "1024x+1024", "１０２４x1024", "٣x4", "1e3x1024", "0x0", " x ", "\u{0}x1"] {
            assertFails(.usage) { _ = try SizeRequest.parse(text) }
        }
    }

    func testTheLargestAcceptedSizeIsCheckedWithoutOverflow() throws {
        for spec in Catalog.models where spec.sizes != nil {
            XCTAssertThrowsError(try TextToImage.resolveSize(.exact(ImageSize(100_000, 100_000)), model: spec), spec.name)
        }
        XCTAssertEqual(ImageSize(Int.max, 2).pixels, Int.max, "an overflowing product saturates")
        XCTAssertEqual(ImageSize(Int.min, 2).pixels, Int.max)
    }

    func testExtremeRatiosMapWithoutCrashing() throws {
        for spec in Catalog.models {
            for (w, h) in [(10_000, 1), (1, 10_000), (9_999, 10_000)] {
                _ = try? TextToImage.resolveSize(.ratio(w, h), model: spec)
            }
        }
    }

    func testAnOutOfRangeSizeIsQuotedSafely() {
        let error = assertFails(.usage) { _ = try SizeRequest.parse("\u{1B}[31m") }
        XCTAssertFalse(error?.message.unicodeScalars.contains("\u{1B}") ?? true, "control characters are escaped in the message")
    }
}
