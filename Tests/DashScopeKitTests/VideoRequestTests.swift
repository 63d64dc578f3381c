import XCTest
@testable import DashScopeKit

/// The request builders of `t2v`, `i2v` (first frame and kf2v) and `r2v`: the body of every model (API.md section 3),
/// sizes by tier and ratio, durations, audio, shot type, and every refusal before sending.
final class VideoRequestTests: XCTestCase {
    private let png = "data:image/png;base64,iVBORw0KGgo="

    private func model(_ name: String) throws -> ModelSpec { try XCTUnwrap(Catalog.model(named: name), name) }

    private func t2v(_ name: String, _ video: VideoRequest = VideoRequest(prompt: "a cat"), size: SizeRequest? = nil,
                     tier: VideoTier? = nil, oss: Bool = false) throws -> Endpoint {
        let spec = try model(name)
        return try TextToVideo.prepare(TextToVideoRequest(video: video, size: size, resolution: tier), model: spec,
                                       mode: try XCTUnwrap(spec.mode(async: nil)), ossResolve: oss).endpoint
    }

    private func i2v(_ name: String, _ request: ImageToVideoRequest, oss: Bool = false) throws -> PreparedJob {
        let spec = try model(name)
        return try ImageToVideo.prepare(request, model: spec, mode: try XCTUnwrap(spec.mode(async: nil)), ossResolve: oss)
    }

    private func r2v(_ request: ReferenceToVideoRequest, oss: Bool = true) throws -> Endpoint {
        let spec = try model("wan2.6-r2v")
        return try ReferenceToVideo.prepare(request, model: spec, mode: try XCTUnwrap(spec.mode(async: nil)), ossResolve: oss).endpoint
    }

    private func keys(_ json: JSON?) -> [String] { json?.members.map(\.0) ?? [] }

    private static let t2vModels: [(String, default: String, tiers: [VideoTier], durations: [Int], audio: Bool, shots: Bool)] = [
        ("wan2.6-t2v", "1920*1080", [.p720, .p1080], [5, 10, 15], true, true),
        ("wan2.5-t2v-preview", "1920*1080", [.p480, .p720, .p1080], [5, 10], true, false),
        ("wan2.2-t2v-plus", "1920*1080", [.p480, .p1080], [5], false, false),
        ("wanx2.1-t2v-turbo", "1280*720", [.p480, .p720], [5], false, false),
        ("wanx2.1-t2v-plus", "1280*720", [.p720], [5], false, false),
    ]

    private static let i2vModels: [(String, default: VideoTier, tiers: [VideoTier], durations: [Int], audio: Bool, shots: Bool)] = [
        ("wan2.6-i2v", .p1080, [.p720, .p1080], [5, 10, 15], true, true),
        ("wan2.6-i2v-preview", .p1080, [.p720, .p1080], [5, 10, 15], true, true),
        ("wan2.5-i2v-preview", .p1080, [.p480, .p720, .p1080], [5, 10], true, false),
        ("wan2.2-i2v-flash", .p720, [.p480, .p720, .p1080], [5], false, false),
        ("wan2.2-i2v-plus", .p1080, [.p480, .p1080], [5], false, false),
        ("wanx2.1-i2v-turbo", .p720, [.p480, .p720], [3, 4, 5], false, false),
        ("wanx2.1-i2v-plus", .p720, [.p720], [5], false, false),
        ("wan2.2-kf2v-flash", .p720, [.p480, .p720, .p1080], [5], false, false),
        ("wanx2.1-kf2v-plus", .p720, [.p720], [5], false, false),
    ]

    // MARK: t2v

    func testEveryTextToVideoModelSendsExactlyTheDocumentedFields() throws {
        for row in Self.t2vModels {
            let e = try t2v(row.0)
            XCTAssertEqual(e.method, "POST")
            XCTAssertEqual(e.path, "/services/aigc/video-generation/video-synthesis", row.0)
            XCTAssertTrue(e.async, "\(row.0): X-DashScope-Async on every video create")
            XCTAssertFalse(e.ossResolve, row.0)
            let body = try XCTUnwrap(e.body)
            XCTAssertEqual(keys(body), ["model", "input", "parameters"])
            XCTAssertEqual(body["model"]?.string, row.0)
            XCTAssertEqual(keys(body["input"]), ["prompt"], row.0)
            XCTAssertEqual(keys(body["parameters"]), ["size", "duration", "prompt_extend", "watermark"], row.0)
            XCTAssertEqual(body["parameters"]?["size"]?.string, row.default, row.0)
            XCTAssertEqual(body["parameters"]?["duration"]?.int, 5, row.0)
        }
    }

    func testTextToVideoSendsEveryOptionWhereTheWireSays() throws {
        let video = VideoRequest(prompt: "a drummer", negative: "blur", duration: 10, seed: 42, promptExtend: true, watermark: true,
                                 shotType: .multi, audio: "oss://dir/beat.mp3")
        let e = try t2v("wan2.6-t2v", video, size: .exact(ImageSize(1280, 720)), oss: true)
        XCTAssertTrue(e.ossResolve)
        let body = try XCTUnwrap(e.body)
        XCTAssertEqual(keys(body["input"]), ["prompt", "negative_prompt", "audio_url"])
        XCTAssertEqual(body["input"]?["negative_prompt"]?.string, "blur", "negative_prompt goes in input")
        XCTAssertEqual(body["input"]?["audio_url"]?.string, "oss://dir/beat.mp3")
        XCTAssertEqual(keys(body["parameters"]), ["size", "duration", "prompt_extend", "shot_type", "watermark", "seed"])
        XCTAssertEqual(body["parameters"]?["size"]?.string, "1280*720")
        XCTAssertEqual(body["parameters"]?["duration"]?.int, 10)
        XCTAssertEqual(body["parameters"]?["shot_type"]?.string, "multi")
        XCTAssertEqual(body["parameters"]?["watermark"]?.bool, true)
        XCTAssertEqual(body["parameters"]?["seed"]?.int, 42)
    }

    func testEveryModelTakesEverySizeOfItsTiersAndNoOther() throws {
        for row in Self.t2vModels {
            for tier in VideoTier.allCases {
                for size in tier.sizes {
                    if row.tiers.contains(tier) {
                        XCTAssertEqual(try t2v(row.0, size: .exact(size)).body?["parameters"]?["size"]?.string, size.description, row.0)
                    } else {
                        let error = assertFails(.usage) { _ = try t2v(row.0, size: .exact(size)) }
                        XCTAssertEqual(error?.message, "--size \(size) is a \(tier.rawValue) size; \(row.0) makes "
                                       + MediaInspector.list(row.tiers.map(\.rawValue)))
                    }
                }
            }
            let odd = assertFails(.usage) { _ = try t2v(row.0, size: .exact(ImageSize(1000, 1000))) }
            XCTAssertEqual(odd?.message, "--size 1000*1000 is not a size \(row.0) makes")
            XCTAssertTrue(odd?.hint?.contains(row.tiers[0].sizes[0].description) ?? false, odd?.hint ?? "")
        }
    }

    func testATierAndARatioPickTheTiersSize() throws {
        let table: [(VideoTier, Int, Int, String)] = [
            (.p480, 16, 9, "832*480"), (.p480, 9, 16, "480*832"), (.p480, 1, 1, "624*624"),
            (.p720, 16, 9, "1280*720"), (.p720, 9, 16, "720*1280"), (.p720, 1, 1, "960*960"), (.p720, 4, 3, "1088*832"), (.p720, 3, 4, "832*1088"),
            (.p1080, 16, 9, "1920*1080"), (.p1080, 9, 16, "1080*1920"), (.p1080, 1, 1, "1440*1440"), (.p1080, 4, 3, "1632*1248"),
            (.p1080, 3, 4, "1248*1632"),
        ]
        for (tier, w, h, expected) in table {
            XCTAssertEqual(try t2v("wan2.5-t2v-preview", size: .ratio(w, h), tier: tier).body?["parameters"]?["size"]?.string, expected,
                           "\(tier.rawValue) \(w):\(h)")
        }
        XCTAssertEqual(try t2v("wanx2.1-t2v-turbo", size: .ratio(9, 16)).body?["parameters"]?["size"]?.string, "720*1280",
                       "a ratio alone is looked up in the model's default tier")
        XCTAssertEqual(try t2v("wan2.6-t2v", tier: .p720).body?["parameters"]?["size"]?.string, "1280*720", "a tier alone: its 16:9 size")
        let missing = assertFails(.usage) { _ = try t2v("wan2.5-t2v-preview", size: .ratio(4, 3), tier: .p480) }
        XCTAssertEqual(missing?.message, "--ratio 4:3 is not offered at 480P: wan2.5-t2v-preview makes 832*480 (16:9), 480*832 (9:16) or 624*624 (1:1)")
        XCTAssertEqual(missing?.hint, "pick one of those ratios, or --resolution 720P for 4:3")
        assertFails(.usage) { _ = try t2v("wan2.6-t2v", size: .ratio(21, 9)) }
        let tierOff = assertFails(.usage) { _ = try t2v("wan2.6-t2v", size: .ratio(16, 9), tier: .p480) }
        XCTAssertEqual(tierOff?.message, "--resolution 480P is not offered by wan2.6-t2v: it makes 720P or 1080P")
        let both = assertFails(.usage) { _ = try t2v("wan2.6-t2v", size: .exact(ImageSize(1280, 720)), tier: .p720) }
        XCTAssertEqual(both?.message, "--size and --resolution both set the size")
    }

    func testSizeIsWidthTimesHeightNeverATier() throws {
        for text in ["720P", "720p", " 1080P", "480P"] {
            let error = assertFails(.usage) { _ = try VideoSize.parse(text) }
            XCTAssertTrue(error?.message.hasPrefix("--size takes WIDTH*HEIGHT, not a resolution") ?? false, error?.message ?? "")
            XCTAssertTrue(error?.hint?.contains("--resolution \(text.trimmingCharacters(in: .whitespaces).uppercased())") ?? false, error?.hint ?? "")
        }
        XCTAssertEqual(try VideoSize.parse("1280x720"), .exact(ImageSize(1280, 720)))
        XCTAssertEqual(try VideoSize.parse("1280*720"), .exact(ImageSize(1280, 720)))
        XCTAssertEqual(try VideoSize.parse("16:9"), .ratio(16, 9))
        XCTAssertEqual(try VideoSize.parseRatio("9:16"), .ratio(9, 16))
        XCTAssertEqual(assertFails(.usage) { _ = try VideoSize.parseRatio("1280x720") }?.hint, "for an exact size pass --size WIDTH*HEIGHT instead")
    }

    // MARK: Shared options

    func testDurationsAreTheModelsOwn() throws {
        for row in Self.t2vModels {
            for seconds in [3, 4, 5, 10, 15] {
                let video = VideoRequest(prompt: "p", duration: seconds)
                if row.durations.contains(seconds) {
                    XCTAssertEqual(try t2v(row.0, video).body?["parameters"]?["duration"]?.int, seconds, row.0)
                } else {
                    let error = assertFails(.usage) { _ = try t2v(row.0, video) }
                    XCTAssertTrue(error?.message.hasPrefix("--duration \(seconds) is not offered by \(row.0)") ?? false, error?.message ?? "")
                }
            }
        }
        for row in Self.i2vModels {
            for seconds in [3, 4, 5, 10, 15] {
                let request = ImageToVideoRequest(video: VideoRequest(prompt: "p", duration: seconds), image: png)
                if row.durations.contains(seconds) {
                    XCTAssertEqual(try i2v(row.0, request).endpoint.body?["parameters"]?["duration"]?.int, seconds, row.0)
                } else {
                    assertFails(.usage) { _ = try i2v(row.0, request) }
                }
            }
        }
        let fifteen = assertFails(.usage) { _ = try i2v("wan2.5-i2v-preview", ImageToVideoRequest(video: VideoRequest(prompt: "p", duration: 15), image: png)) }
        XCTAssertEqual(fifteen?.message, "--duration 15 is not offered by wan2.5-i2v-preview: it makes clips of 5 or 10 seconds")
        XCTAssertEqual(fifteen?.hint, "pass --duration 5 or 10, or use -m wan2.6-i2v for 15 s")
        let one = assertFails(.usage) { _ = try t2v("wan2.2-t2v-plus", VideoRequest(prompt: "p", duration: 10)) }
        XCTAssertEqual(one?.message, "--duration 10 is not offered by wan2.2-t2v-plus: it makes only 5-second clips")
        assertFails(.usage) { _ = try t2v("wan2.6-t2v", VideoRequest(prompt: "p", duration: 0)) }
    }

    func testAudioAndShotTypeOnlyWhereTheModelTakesThem() throws {
        for row in Self.t2vModels {
            let audio = VideoRequest(prompt: "p", audio: "https://x/a.mp3")
            if row.audio {
                XCTAssertEqual(try t2v(row.0, audio).body?["input"]?["audio_url"]?.string, "https://x/a.mp3")
            } else {
                let error = assertFails(.usage) { _ = try t2v(row.0, audio) }
                XCTAssertEqual(error?.message, "\(row.0) takes no --audio")
                XCTAssertEqual(error?.hint, "drop --audio, or use -m wan2.6-t2v or wan2.5-t2v-preview")
            }
            let shots = VideoRequest(prompt: "p", shotType: .single)
            if row.shots {
                XCTAssertEqual(try t2v(row.0, shots).body?["parameters"]?["shot_type"]?.string, "single")
            } else {
                XCTAssertEqual(assertFails(.usage) { _ = try t2v(row.0, shots) }?.message, "\(row.0) has no --shot-type")
            }
        }
        for row in Self.i2vModels where !row.0.contains("kf2v") {
            let request = ImageToVideoRequest(video: VideoRequest(prompt: "p", shotType: .multi, audio: "https://x/a.wav"), image: png)
            if row.audio && row.shots {
                XCTAssertNoThrow(try i2v(row.0, request))
            } else {
                assertFails(.usage) { _ = try i2v(row.0, request) }
            }
        }
        let multi = assertFails(.usage) { _ = try t2v("wan2.6-t2v", VideoRequest(prompt: "p", promptExtend: false, shotType: .multi)) }
        XCTAssertEqual(multi?.message, "--shot-type multi needs prompt extension: the service writes the shots from the prompt")
        XCTAssertEqual(multi?.hint, "drop --no-prompt-extend, or pass --shot-type single")
        XCTAssertEqual(try t2v("wan2.6-t2v", VideoRequest(prompt: "p", promptExtend: false, shotType: .single))
            .body?["parameters"]?["prompt_extend"]?.bool, false)
    }

    func testPromptAndSeedLimits() throws {
        assertFails(.usage) { _ = try t2v("wan2.6-t2v", VideoRequest(prompt: "  ")) }
        assertFails(.usage) { _ = try t2v("wan2.6-t2v", VideoRequest(prompt: String(repeating: "a", count: 801))) }
        assertFails(.usage) { _ = try t2v("wan2.6-t2v", VideoRequest(prompt: "p", seed: -1)) }
        assertFails(.usage) { _ = try t2v("wan2.6-t2v", VideoRequest(prompt: "p", seed: 2_147_483_648)) }
        XCTAssertEqual(try t2v("wan2.6-t2v", VideoRequest(prompt: "p", seed: 2_147_483_647)).body?["parameters"]?["seed"]?.int, 2_147_483_647)
    }

    // MARK: i2v

    func testEveryFirstFrameModelSendsImgURLAndItsResolution() throws {
        for row in Self.i2vModels where !row.0.contains("kf2v") {
            let job = try i2v(row.0, ImageToVideoRequest(video: VideoRequest(prompt: "blink"), image: png))
            XCTAssertEqual(job.capability, .imageToVideo)
            XCTAssertEqual(job.endpoint.path, "/services/aigc/video-generation/video-synthesis", row.0)
            XCTAssertTrue(job.endpoint.async)
            let body = try XCTUnwrap(job.endpoint.body)
            XCTAssertEqual(body["model"]?.string, row.0, "an alias is sent under its own name")
            XCTAssertEqual(keys(body["input"]), ["prompt", "img_url"], row.0)
            XCTAssertEqual(body["input"]?["img_url"]?.string, png)
            XCTAssertEqual(keys(body["parameters"]), ["resolution", "duration", "prompt_extend", "watermark"], row.0)
            XCTAssertEqual(body["parameters"]?["resolution"]?.string, row.default.rawValue, row.0)
            XCTAssertEqual(body["parameters"]?["duration"]?.int, 5, row.0)
            for tier in VideoTier.allCases {
                let request = ImageToVideoRequest(video: VideoRequest(prompt: "p"), image: png, resolution: tier)
                if row.tiers.contains(tier) {
                    XCTAssertEqual(try i2v(row.0, request).endpoint.body?["parameters"]?["resolution"]?.string, tier.rawValue)
                } else {
                    assertFails(.usage) { _ = try i2v(row.0, request) }
                }
            }
        }
        let turbo = assertFails(.usage) { _ = try i2v("wanx2.1-i2v-turbo", ImageToVideoRequest(video: VideoRequest(prompt: "p"), image: png, resolution: .p1080)) }
        XCTAssertEqual(turbo?.message, "--resolution 1080P is not offered by wanx2.1-i2v-turbo: it makes 480P or 720P")
        XCTAssertTrue(turbo?.hint?.hasPrefix("pass --resolution 480P or 720P, or use -m wan2.6-i2v") ?? false, turbo?.hint ?? "")
    }

    func testTheWan26PreviewAliasHasWan26Limits() throws {
        let alias = try model("wan2.6-i2v-preview")
        let real = try model("wan2.6-i2v")
        XCTAssertEqual(alias.video, real.video)
        XCTAssertEqual(alias.images, real.images)
        XCTAssertEqual(alias.capability, .imageToVideo)
    }

    func testFirstFrameOptionsPromptOptionalTemplateAndAudio() throws {
        let bare = try i2v("wan2.6-i2v", ImageToVideoRequest(video: VideoRequest(prompt: ""), image: "https://x/cat.jpg", template: "flying"))
        XCTAssertEqual(keys(bare.endpoint.body?["input"]), ["img_url", "template"], "no prompt field when none was given")
        XCTAssertEqual(bare.endpoint.body?["input"]?["template"]?.string, "flying")
        let full = try i2v("wan2.5-i2v-preview", ImageToVideoRequest(video: VideoRequest(prompt: "p", negative: "n", audio: "oss://d/a.mp3"),
                                                                     image: "oss://d/cat.png"), oss: true)
        XCTAssertEqual(keys(full.endpoint.body?["input"]), ["prompt", "negative_prompt", "img_url", "audio_url"])
        XCTAssertTrue(full.endpoint.ossResolve)
    }

    // MARK: kf2v

    func testFirstAndLastFrameModelsUseTheirOwnPathAndFields() throws {
        for name in ["wan2.2-kf2v-flash", "wanx2.1-kf2v-plus"] {
            let job = try i2v(name, ImageToVideoRequest(video: VideoRequest(prompt: "open", negative: "n"), image: png, lastFrame: "https://x/end.png"))
            XCTAssertEqual(job.capability, .keyframesToVideo)
            XCTAssertEqual(job.endpoint.path, "/services/aigc/image2video/video-synthesis", name)
            XCTAssertTrue(job.endpoint.async)
            let body = try XCTUnwrap(job.endpoint.body)
            XCTAssertEqual(keys(body["input"]), ["prompt", "negative_prompt", "first_frame_url", "last_frame_url"], name)
            XCTAssertEqual(body["input"]?["first_frame_url"]?.string, png)
            XCTAssertEqual(body["input"]?["last_frame_url"]?.string, "https://x/end.png")
            XCTAssertEqual(keys(body["parameters"]), ["resolution", "duration", "prompt_extend", "watermark"], name)
            XCTAssertEqual(body["parameters"]?["duration"]?.int, 5)
        }
        let firstOnly = try i2v("wan2.2-kf2v-flash", ImageToVideoRequest(video: VideoRequest(prompt: "p"), image: png))
        XCTAssertEqual(keys(firstOnly.endpoint.body?["input"]), ["prompt", "first_frame_url"], "the last frame is optional on the wire")
        assertFails(.usage) { _ = try i2v("wan2.2-kf2v-flash", ImageToVideoRequest(video: VideoRequest(prompt: ""), image: png, lastFrame: png)) }
        let template = assertFails(.usage) { _ = try i2v("wanx2.1-kf2v-plus", ImageToVideoRequest(video: VideoRequest(prompt: "p"), image: png, lastFrame: png, template: "x")) }
        XCTAssertEqual(template?.message, "--template works with the first-frame models, not wanx2.1-kf2v-plus")
        assertFails(.usage) { _ = try i2v("wanx2.1-kf2v-plus", ImageToVideoRequest(video: VideoRequest(prompt: "p"), image: png, resolution: .p1080)) }
    }

    func testLastFrameIsRefusedOnEveryFirstFrameModelNamingTheKeyframeModels() throws {
        XCTAssertEqual(ImageToVideo.keyframeModels, ["wan2.2-kf2v-flash", "wanx2.1-kf2v-plus"])
        for row in Self.i2vModels where !row.0.contains("kf2v") {
            let error = assertFails(.usage) { _ = try i2v(row.0, ImageToVideoRequest(video: VideoRequest(prompt: "p"), image: png, lastFrame: png)) }
            XCTAssertEqual(error?.message, "--last-frame needs a first+last-frame model (wan2.2-kf2v-flash or wanx2.1-kf2v-plus); "
                           + "\(row.0) starts from a first frame only")
        }
        XCTAssertNoThrow(try ImageToVideo.checkLastFrame(model: Catalog.resolve("wan9-kf2v-new", for: .keyframesToVideo)),
                         "an unknown model named under --last-frame is taken as a first+last-frame model")
    }

    // MARK: r2v

    func testReferenceToVideoSendsReferenceVideoURLsWithoutPromptExtend() throws {
        let e = try r2v(ReferenceToVideoRequest(video: VideoRequest(prompt: "character1 waves", negative: "n", duration: 10, seed: 1, shotType: .multi),
                                                references: ["oss://d/a.mp4", "https://x/b.mov"]))
        XCTAssertEqual(e.path, "/services/aigc/video-generation/video-synthesis")
        XCTAssertTrue(e.async)
        XCTAssertTrue(e.ossResolve)
        let body = try XCTUnwrap(e.body)
        XCTAssertEqual(body["model"]?.string, "wan2.6-r2v")
        XCTAssertEqual(keys(body["input"]), ["prompt", "negative_prompt", "reference_video_urls"])
        XCTAssertEqual(body["input"]?["reference_video_urls"]?.items.compactMap(\.string), ["oss://d/a.mp4", "https://x/b.mov"])
        XCTAssertEqual(keys(body["parameters"]), ["size", "duration", "shot_type", "watermark", "seed"], "API.md lists no prompt_extend for r2v")
        XCTAssertEqual(body["parameters"]?["size"]?.string, "1920*1080")
        let small = try r2v(ReferenceToVideoRequest(video: VideoRequest(prompt: "character1"), references: ["https://x/a.mp4"],
                                                    size: .ratio(9, 16), resolution: .p720))
        XCTAssertEqual(small.body?["parameters"]?["size"]?.string, "720*1280")
    }

    func testReferenceToVideoRefusals() throws {
        let none = assertFails(.usage) { _ = try r2v(ReferenceToVideoRequest(video: VideoRequest(prompt: "p"), references: [])) }
        XCTAssertEqual(none?.message, "wan2.6-r2v takes 1 to 3 videos (--video); none was given")
        assertFails(.usage) { _ = try r2v(ReferenceToVideoRequest(video: VideoRequest(prompt: "p"), references: Array(repeating: "https://x/a.mp4", count: 4))) }
        assertFails(.usage) { _ = try r2v(ReferenceToVideoRequest(video: VideoRequest(prompt: "p"), references: ["https://x/a.mp4"], size: .exact(ImageSize(832, 480)))) }
        assertFails(.usage) { _ = try r2v(ReferenceToVideoRequest(video: VideoRequest(prompt: "p", duration: 15), references: ["https://x/a.mp4"])) }
        assertFails(.usage) { _ = try r2v(ReferenceToVideoRequest(video: VideoRequest(prompt: "p", audio: "https://x/a.mp3"), references: ["https://x/a.mp4"])) }
    }

    func testThePromptWarningWhenItNamesNoReference() {
        XCTAssertNil(ReferenceToVideo.promptWarning("character1 hands Character2 a gift", references: 2))
        let none = ReferenceToVideo.promptWarning("a person dances", references: 2)
        XCTAssertTrue(none?.contains("character1 or character2") ?? false, none ?? "")
        XCTAssertEqual(ReferenceToVideo.promptWarning("character3 sings", references: 2), "the prompt names character3 but only 2 --video were given")
        XCTAssertEqual(ReferenceToVideo.characters(in: "character12 and character1, characters"), [12, 1])
    }

    // MARK: Families

    func testAModelOfAnotherCommandIsRefused() throws {
        let t2vWithI2V = assertFails(.usage) { _ = try t2v("wan2.6-i2v") }
        XCTAssertEqual(t2vWithI2V?.message, "wan2.6-i2v is a model of `i2v`, not of `t2v`")
        XCTAssertTrue(t2vWithI2V?.hint?.hasPrefix("run `dashscope i2v` with it, or pick one of wan2.6-t2v, ") ?? false, t2vWithI2V?.hint ?? "")
        assertFails(.usage) { _ = try t2v("wan2.6-t2i") }
        assertFails(.usage) { _ = try t2v("wan2.6-r2v") }
        assertFails(.usage) { _ = try i2v("wan2.6-t2v", ImageToVideoRequest(video: VideoRequest(prompt: "p"), image: png)) }
        let last = assertFails(.usage) { _ = try i2v("wan2.6-t2v", ImageToVideoRequest(video: VideoRequest(prompt: "p"), image: png, lastFrame: png)) }
        XCTAssertEqual(last?.message, "wan2.6-t2v is a model of `t2v`, not of `i2v`")
        let spec = try model("wan2.6-i2v")
        assertFails(.usage) { _ = try ReferenceToVideo.prepare(ReferenceToVideoRequest(video: VideoRequest(prompt: "p"), references: ["https://x/a.mp4"]),
                                                               model: spec, mode: .videoAsync, ossResolve: false) }
    }

    // MARK: Models the catalogue does not know

    func testAnUnknownVideoModelIsSentWithOnlyWhatWasAsked() throws {
        let spec = Catalog.resolve("wan9-t2v", for: .textToVideo)
        let e = try TextToVideo.prepare(TextToVideoRequest(video: VideoRequest(prompt: "p", duration: 7), size: .exact(ImageSize(1000, 1000))),
                                        model: spec, mode: .videoAsync, ossResolve: false).endpoint
        XCTAssertEqual(keys(e.body?["parameters"]), ["size", "duration", "prompt_extend", "watermark"])
        XCTAssertEqual(e.body?["parameters"]?["size"]?.string, "1000*1000")
        let bare = try TextToVideo.prepare(TextToVideoRequest(video: VideoRequest(prompt: "p")), model: spec, mode: .videoAsync, ossResolve: false).endpoint
        XCTAssertEqual(keys(bare.body?["parameters"]), ["prompt_extend", "watermark"], "no size or duration the service did not ask for")
        assertFails(.usage) { _ = try TextToVideo.prepare(TextToVideoRequest(video: VideoRequest(prompt: "p"), size: .ratio(16, 9)),
                                                          model: spec, mode: .videoAsync, ossResolve: false) }
    }
}
