/// The video, speech and text rows of the catalogue (API.md sections 3, 5 and 7).
extension Catalog {
    private static let frames = InputLimits(count: 1...1, sides: 360...2000, maxBytes: 10 * 1024 * 1024, formats: [.jpeg, .png, .bmp, .webp])
    private static let referenceVideos = InputLimits(count: 1...3, maxBytes: 100 * 1024 * 1024, formats: [.mp4, .mov],
                                                     durations: 2...30)
    /// `--audio` of the video models that take a sound track: one wav or mp3 file of at most 15 MB, 3–30 s (the length
    /// is checked where the header says it: WAV, not MP3).
    public static let videoAudio = InputLimits(count: 0...1, maxBytes: 15 * 1024 * 1024, formats: [.wav, .mp3], durations: 3...30)

    private static func video(_ name: String, _ capability: Capability, _ summary: String, _ tiers: [VideoTier],
                              default tier: VideoTier, durations: [Int] = [5], defaultDuration: Int = 5, audio: Bool = false,
                              shotType: Bool = false) -> ModelSpec {
        let limits = VideoLimits(tiers: tiers, defaultTier: tier, durations: durations, defaultDuration: defaultDuration,
                                 audio: audio, shotType: shotType)
        switch capability {
        case .keyframesToVideo:
            return ModelSpec(name: name, capability: capability, summary: summary, modes: [.keyframesAsync], promptLimit: 800,
                             images: InputLimits(count: 1...2, sides: frames.sides, maxBytes: frames.maxBytes, formats: frames.formats),
                             video: limits)
        case .imageToVideo:
            return ModelSpec(name: name, capability: capability, summary: summary, modes: [.videoAsync], promptLimit: 800,
                             images: frames, video: limits)
        default:
            let sizes = SizeRule.fixed(tiers.flatMap(\.sizes))
            return ModelSpec(name: name, capability: capability, summary: summary, modes: [.videoAsync], promptLimit: 800,
                             sizes: sizes, defaultSize: tier.sizes[0], video: limits)
        }
    }

    static let videoModels: [ModelSpec] = [
        video("wan2.6-t2v", .textToVideo, "Wan 2.6 text to video (default)", [.p720, .p1080], default: .p1080,
              durations: [5, 10, 15], audio: true, shotType: true),
        video("wan2.5-t2v-preview", .textToVideo, "Wan 2.5 preview text to video", [.p480, .p720, .p1080], default: .p1080,
              durations: [5, 10], audio: true),
        video("wan2.2-t2v-plus", .textToVideo, "Wan 2.2 plus text to video", [.p480, .p1080], default: .p1080),
        video("wanx2.1-t2v-turbo", .textToVideo, "Wanx 2.1 turbo text to video", [.p480, .p720], default: .p720),
        video("wanx2.1-t2v-plus", .textToVideo, "Wanx 2.1 plus text to video", [.p720], default: .p720),
        video("wan2.6-i2v", .imageToVideo, "Wan 2.6 image to video (default)", [.p720, .p1080], default: .p1080,
              durations: [5, 10, 15], audio: true, shotType: true),
        video("wan2.5-i2v-preview", .imageToVideo, "Wan 2.5 preview image to video", [.p480, .p720, .p1080], default: .p1080,
              durations: [5, 10], audio: true),
        video("wan2.2-i2v-flash", .imageToVideo, "Wan 2.2 flash image to video", [.p480, .p720, .p1080], default: .p720),
        video("wan2.2-i2v-plus", .imageToVideo, "Wan 2.2 plus image to video", [.p480, .p1080], default: .p1080),
        video("wanx2.1-i2v-turbo", .imageToVideo, "Wanx 2.1 turbo image to video", [.p480, .p720], default: .p720, durations: [3, 4, 5]),
        video("wanx2.1-i2v-plus", .imageToVideo, "Wanx 2.1 plus image to video", [.p720], default: .p720),
        video("wan2.2-kf2v-flash", .keyframesToVideo, "Wan 2.2 flash first+last frame to video (i2v --last-frame)",
              [.p480, .p720, .p1080], default: .p720),
        video("wanx2.1-kf2v-plus", .keyframesToVideo, "Wanx 2.1 plus first+last frame to video", [.p720], default: .p720),
        ModelSpec(name: "wan2.6-r2v", capability: .referenceToVideo, summary: "Wan 2.6 reference videos to video (character1...)",
                  modes: [.videoAsync], promptLimit: 800, sizes: .fixed(VideoTier.p720.sizes + VideoTier.p1080.sizes),
                  defaultSize: ImageSize(1920, 1080), videos: referenceVideos,
                  video: VideoLimits(tiers: [.p720, .p1080], defaultTier: .p1080, durations: [5, 10], defaultDuration: 5, shotType: true)),
    ]

    static let speechModels: [ModelSpec] = [
        ModelSpec(name: "qwen3-tts-flash", capability: .speech, summary: "Qwen3 TTS flash (default)", modes: [.speechSync],
                  promptLimit: 600, voices: ["Cherry", "Ethan", "Nofish", "Jennifer", "Ryan", "Katerina", "Elias", "Jada", "Dylan",
                                             "Sunny", "Li", "Marcus", "Roy", "Peter", "Rocky", "Kiki", "Eric"]),
        ModelSpec(name: "qwen-tts", capability: .speech, summary: "Qwen TTS", modes: [.speechSync],
                  voices: ["Cherry", "Serena", "Ethan", "Chelsie"]),
        ModelSpec(name: "qwen-tts-latest", capability: .speech, summary: "Qwen TTS, latest", modes: [.speechSync],
                  voices: ["Cherry", "Serena", "Ethan", "Chelsie", "Dylan", "Jada", "Sunny"]),
    ]

    /// Vision inputs (API.md section 7): at least 10 px a side, at most 200:1; inline images up to 10 MB.
    private static let visionImages = InputLimits(count: 0...Int.max, sides: 10...Int.max, maxBytes: 10 * 1024 * 1024,
                                                  formats: MediaRole.image.formats, maxAspectRatio: 200)

    static let textModels: [ModelSpec] = [
        ModelSpec(name: "qwen-plus", capability: .chat, summary: "Qwen plus (default chat)", modes: [.chatCompletions]),
        ModelSpec(name: "qwen3-max", capability: .chat, summary: "Qwen3 max", modes: [.chatCompletions]),
        ModelSpec(name: "qwen-plus-latest", capability: .chat, summary: "Qwen plus, latest", modes: [.chatCompletions]),
        ModelSpec(name: "qwen-turbo", capability: .chat, summary: "Qwen turbo: fast and cheap", modes: [.chatCompletions]),
        ModelSpec(name: "qwen-max", capability: .chat, summary: "Qwen max", modes: [.chatCompletions]),
        ModelSpec(name: "qwen3-vl-plus", capability: .vision, summary: "Qwen3 VL plus (default vision)", modes: [.chatCompletions],
                  images: visionImages),
        ModelSpec(name: "qwen-vl-max", capability: .vision, summary: "Qwen VL max", modes: [.chatCompletions], images: visionImages),
        ModelSpec(name: "qwen-vl-plus", capability: .vision, summary: "Qwen VL plus", modes: [.chatCompletions], images: visionImages),
    ]
}
