/// How a generation request is shaped on the wire.
public enum WireProtocol: String, Sendable {
    /// `input.messages` with one user message (wan2.6, qwen-image sync, qwen-image-edit).
    case messages
    /// `input.prompt` and friends (the legacy image shapes, video, image2image).
    case prompt
    /// `input.text` (speech).
    case text
    /// The OpenAI-compatible `/chat/completions` body (chat, vision).
    case openAI
}

/// One way to call a model: the body shape, the path, and whether it is an async task.
public struct CallMode: Sendable, Equatable {
    /// The body shape.
    public var wire: WireProtocol
    /// The path below the base.
    public var path: String
    /// Whether the call creates a task (`X-DashScope-Async: enable`).
    public var async: Bool
    /// Whether the path hangs from the OpenAI-compatible base instead of the native one.
    public var compatible: Bool

    /// Creates a mode.
    public init(_ wire: WireProtocol, _ path: String, async: Bool, compatible: Bool = false) {
        self.wire = wire
        self.path = path
        self.async = async
        self.compatible = compatible
    }

    /// The messages protocol, answered at once.
    public static let messagesSync = CallMode(.messages, "/services/aigc/multimodal-generation/generation", async: false)
    /// The messages protocol as a task.
    public static let messagesAsync = CallMode(.messages, "/services/aigc/image-generation/generation", async: true)
    /// The legacy prompt protocol as a task.
    public static let promptAsync = CallMode(.prompt, "/services/aigc/text2image/image-synthesis", async: true)
    /// Image to image and wanx2.1 editing, as a task.
    public static let imageToImageAsync = CallMode(.prompt, "/services/aigc/image2image/image-synthesis", async: true)
    /// Text, image and reference to video, as a task.
    public static let videoAsync = CallMode(.prompt, "/services/aigc/video-generation/video-synthesis", async: true)
    /// First and last frame to video, as a task (its own path).
    public static let keyframesAsync = CallMode(.prompt, "/services/aigc/image2video/video-synthesis", async: true)
    /// Speech synthesis, answered at once.
    public static let speechSync = CallMode(.text, "/services/aigc/multimodal-generation/generation", async: false)
    /// OpenAI-compatible chat completions (chat and vision).
    public static let chatCompletions = CallMode(.openAI, "/chat/completions", async: false, compatible: true)
}

/// File formats recognised from magic bytes.
public enum MediaFormat: String, Sendable, CaseIterable {
    case jpeg, png, bmp, webp, tiff, gif, mp4, mov, wav, mp3
}

/// Limits on the input files of one model (API.md sections 2, 3 and 6).
public struct InputLimits: Sendable, Equatable {
    /// How many files the model takes.
    public var count: ClosedRange<Int>
    /// Each side of an image, in pixels (nil: unchecked).
    public var sides: ClosedRange<Int>?
    /// The largest file, in bytes.
    public var maxBytes: Int
    /// The accepted formats.
    public var formats: [MediaFormat]
    /// The longest side of an image divided by its shortest, at most (nil: unchecked).
    public var maxAspectRatio: Int?
    /// How long a sound or a video may play, in seconds (nil: unchecked; checked only where the header says).
    public var durations: ClosedRange<Double>?

    /// Creates limits.
    public init(count: ClosedRange<Int>, sides: ClosedRange<Int>? = nil, maxBytes: Int, formats: [MediaFormat],
                maxAspectRatio: Int? = nil, durations: ClosedRange<Double>? = nil) {
        self.count = count
        self.sides = sides
        self.maxBytes = maxBytes
        self.formats = formats
        self.maxAspectRatio = maxAspectRatio
        self.durations = durations
    }
}

extension InputLimits {
    /// The same limits for another number of files (a mask or a last frame next to the model's images).
    public func counting(_ count: ClosedRange<Int>) -> InputLimits {
        var limits = self
        limits.count = count
        return limits
    }
}

/// A video tier such as `720P`, and the `W*H` sizes text-to-video may use in it (API.md section 3).
public enum VideoTier: String, Sendable, CaseIterable {
    case p480 = "480P", p720 = "720P", p1080 = "1080P"

    /// The sizes of the tier.
    public var sizes: [ImageSize] {
        switch self {
        case .p480: return [ImageSize(832, 480), ImageSize(480, 832), ImageSize(624, 624)]
        case .p720: return [ImageSize(1280, 720), ImageSize(720, 1280), ImageSize(960, 960), ImageSize(1088, 832), ImageSize(832, 1088)]
        case .p1080: return [ImageSize(1920, 1080), ImageSize(1080, 1920), ImageSize(1440, 1440), ImageSize(1632, 1248), ImageSize(1248, 1632)]
        }
    }
}

/// What a video model allows: tiers, durations, audio, multi-shot.
public struct VideoLimits: Sendable, Equatable {
    /// The tiers offered.
    public var tiers: [VideoTier]
    /// The tier used when none is given.
    public var defaultTier: VideoTier
    /// The durations offered, in seconds.
    public var durations: [Int]
    /// The duration used when none is given.
    public var defaultDuration: Int
    /// Whether `audio_url` is accepted.
    public var audio: Bool
    /// Whether `shot_type` is accepted.
    public var shotType: Bool

    /// Creates limits.
    public init(tiers: [VideoTier], defaultTier: VideoTier, durations: [Int], defaultDuration: Int,
                audio: Bool = false, shotType: Bool = false) {
        self.tiers = tiers
        self.defaultTier = defaultTier
        self.durations = durations
        self.defaultDuration = defaultDuration
        self.audio = audio
        self.shotType = shotType
    }
}

/// One row of the model catalogue: everything the tool must know to validate and shape a call.
public struct ModelSpec: Sendable {
    /// The model name sent on the wire.
    public var name: String
    /// The command family.
    public var capability: Capability
    /// One-line description for `dashscope models`.
    public var summary: String
    /// Ways to call it; the first is the default.
    public var modes: [CallMode]
    /// Maximum prompt (or text) length in characters, if known.
    public var promptLimit: Int?
    /// Accepted output sizes, if known.
    public var sizes: SizeRule?
    /// The size sent when the user gives none.
    public var defaultSize: ImageSize?
    /// A bare ratio maps to a size of at least this many pixels (the recommended sizes of wan2.5/2.6).
    public var ratioMinPixels: Int?
    /// Allowed output counts (`n`).
    public var count: ClosedRange<Int> = 1...1
    /// Limits of the image inputs, for models that take images.
    public var images: InputLimits?
    /// Limits of the video inputs, for models that take videos.
    public var videos: InputLimits?
    /// Tiers, durations and options of video models.
    public var video: VideoLimits?
    /// Known voices of speech models (others are warned about, not refused).
    public var voices: [String]?
    /// The only regions serving the model (nil: every region).
    public var regions: [Region]?
    /// Whether this row was guessed from the name of a model the catalogue does not know.
    public var inferred: Bool = false

    /// Creates a row; limits not given are unknown (unchecked).
    public init(name: String, capability: Capability, summary: String, modes: [CallMode], promptLimit: Int? = nil,
                sizes: SizeRule? = nil, defaultSize: ImageSize? = nil, ratioMinPixels: Int? = nil, count: ClosedRange<Int> = 1...1,
                images: InputLimits? = nil, videos: InputLimits? = nil, video: VideoLimits? = nil, voices: [String]? = nil,
                regions: [Region]? = nil, inferred: Bool = false) {
        self.name = name
        self.capability = capability
        self.summary = summary
        self.modes = modes
        self.promptLimit = promptLimit
        self.sizes = sizes
        self.defaultSize = defaultSize
        self.ratioMinPixels = ratioMinPixels
        self.count = count
        self.images = images
        self.videos = videos
        self.video = video
        self.voices = voices
        self.regions = regions
        self.inferred = inferred
    }

    /// The default mode, or the first one that is async/sync when asked.
    public func mode(async: Bool?) -> CallMode? {
        guard let async else { return modes.first }
        return modes.first(where: { $0.async == async })
    }
}
