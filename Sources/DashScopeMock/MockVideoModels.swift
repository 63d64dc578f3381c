/// The two video-generation endpoints the mock serves (API.md section 3), both async only.
enum VideoRoute: Sendable, CaseIterable {
    /// `POST /services/aigc/video-generation/video-synthesis`: text, first frame or reference videos to video.
    case synthesis
    /// `POST /services/aigc/image2video/video-synthesis`: first and last frame to video (the kf2v models).
    case keyframes

    /// The path below the origin.
    var path: String {
        switch self {
        case .synthesis: "/api/v1/services/aigc/video-generation/video-synthesis"
        case .keyframes: "/api/v1/services/aigc/image2video/video-synthesis"
        }
    }
}

/// What a video model reads from `input`, which decides its route and its checks.
enum VideoFamily: Sendable {
    /// Text to video: `parameters.size` as `W*H`.
    case text
    /// First frame to video: `input.img_url`, `parameters.resolution`.
    case image
    /// First and last frame: `input.first_frame_url`, `input.last_frame_url?`, `parameters.resolution`.
    case keyframes
    /// Reference videos: `input.reference_video_urls` (or `reference_urls`), `parameters.size`.
    case reference

    /// The one route that serves the family.
    var route: VideoRoute {
        self == .keyframes ? .keyframes : .synthesis
    }
}

/// A resolution tier and the `W*H` sizes of its text-to-video and reference-to-video outputs.
enum VideoTier: String, Sendable, CaseIterable {
    case p480 = "480P"
    case p720 = "720P"
    case p1080 = "1080P"

    /// The sizes of the tier, the 16:9 landscape one first (API.md section 3).
    var sizes: [ImageSize] {
        switch self {
        case .p480: [ImageSize(832, 480), ImageSize(480, 832), ImageSize(624, 624)]
        case .p720: [ImageSize(1280, 720), ImageSize(720, 1280), ImageSize(960, 960), ImageSize(1088, 832), ImageSize(832, 1088)]
        case .p1080: [ImageSize(1920, 1080), ImageSize(1080, 1920), ImageSize(1440, 1440), ImageSize(1632, 1248), ImageSize(1248, 1632)]
        }
    }
}

/// One video model as the mock knows it, from the tables of API.md section 3.
struct MockVideoModel: Sendable {
    /// The name as the request wrote it.
    var name: String
    let family: VideoFamily
    /// The resolution tiers it makes.
    let tiers: [VideoTier]
    let defaultTier: VideoTier
    /// The durations in seconds it makes, the default first.
    let durations: [Int]
    /// Whether it takes `input.audio_url` (wan2.6 and wan2.5).
    var audio = false
    /// Whether it takes `parameters.shot_type` (the wan2.6 models).
    var shotType = false
    /// Whether its answers leave out `actual_prompt` (the wan2.6 models never send it).
    var hidesActualPrompt = false

    /// Every size of every tier the model makes.
    var sizes: [ImageSize] {
        tiers.flatMap(\.sizes)
    }

    /// The size when `parameters.size` is absent: the default tier's landscape size (r2v: 1920*1080).
    var defaultSize: ImageSize {
        defaultTier.sizes[0]
    }

    /// Looks a model up by its exact name; `wan2.6-i2v-preview` answers as wan2.6-i2v (API.md: unsure alias).
    static func named(_ name: String) -> MockVideoModel? {
        let lookup = name == "wan2.6-i2v-preview" ? "wan2.6-i2v" : name
        guard var model = catalogue.first(where: { $0.name == lookup }) else {
            return nil
        }
        model.name = name
        return model
    }

    private static func wan26(_ name: String, _ family: VideoFamily, durations: [Int] = [5, 10, 15]) -> MockVideoModel {
        MockVideoModel(name: name, family: family, tiers: [.p720, .p1080], defaultTier: .p1080, durations: durations,
                       audio: family != .reference, shotType: true, hidesActualPrompt: true)
    }

    /// Every video model the mock serves, one row each.
    static let catalogue: [MockVideoModel] = [
        wan26("wan2.6-t2v", .text),
        MockVideoModel(name: "wan2.5-t2v-preview", family: .text, tiers: [.p480, .p720, .p1080], defaultTier: .p1080,
                       durations: [5, 10], audio: true),
        MockVideoModel(name: "wan2.2-t2v-plus", family: .text, tiers: [.p480, .p1080], defaultTier: .p1080, durations: [5]),
        MockVideoModel(name: "wanx2.1-t2v-turbo", family: .text, tiers: [.p480, .p720], defaultTier: .p720, durations: [5]),
        MockVideoModel(name: "wanx2.1-t2v-plus", family: .text, tiers: [.p720], defaultTier: .p720, durations: [5]),
        wan26("wan2.6-i2v", .image),
        MockVideoModel(name: "wan2.5-i2v-preview", family: .image, tiers: [.p480, .p720, .p1080], defaultTier: .p1080,
                       durations: [5, 10], audio: true),
        MockVideoModel(name: "wan2.2-i2v-flash", family: .image, tiers: [.p480, .p720, .p1080], defaultTier: .p720,
                       durations: [5]),
        MockVideoModel(name: "wan2.2-i2v-plus", family: .image, tiers: [.p480, .p1080], defaultTier: .p1080, durations: [5]),
        MockVideoModel(name: "wanx2.1-i2v-turbo", family: .image, tiers: [.p480, .p720], defaultTier: .p720,
                       durations: [5, 3, 4]),
        MockVideoModel(name: "wanx2.1-i2v-plus", family: .image, tiers: [.p720], defaultTier: .p720, durations: [5]),
        MockVideoModel(name: "wan2.2-kf2v-flash", family: .keyframes, tiers: [.p480, .p720, .p1080], defaultTier: .p720,
                       durations: [5]),
        MockVideoModel(name: "wanx2.1-kf2v-plus", family: .keyframes, tiers: [.p720], defaultTier: .p720, durations: [5]),
        wan26("wan2.6-r2v", .reference, durations: [5, 10]),
    ]
}
