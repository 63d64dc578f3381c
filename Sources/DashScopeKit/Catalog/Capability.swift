/// The command family a model serves: one per generating command of API.md (i2v's first+last frame models are `kf2v`).
public enum Capability: String, Sendable, CaseIterable {
    case textToImage = "t2i"
    case imageToImage = "i2i"
    case imageEdit = "edit"
    case textToVideo = "t2v"
    case imageToVideo = "i2v"
    case keyframesToVideo = "kf2v"
    case referenceToVideo = "r2v"
    case speech = "tts"
    case chat = "chat"
    case vision = "vl"

    /// What the family produces.
    public var output: MediaKind {
        switch self {
        case .textToImage, .imageToImage, .imageEdit: return .image
        case .textToVideo, .imageToVideo, .keyframesToVideo, .referenceToVideo: return .video
        case .speech: return .audio
        case .chat, .vision: return .text
        }
    }

    /// The command that runs the family (`kf2v` models run under `i2v --last-frame`).
    public var command: String { self == .keyframesToVideo ? Capability.imageToVideo.rawValue : rawValue }
}

/// The kind of file a job produces, which decides its default extension and how often its tasks are polled.
public enum MediaKind: String, Sendable, CaseIterable {
    case image, video, audio, text

    /// The extension of an output whose URL names none.
    public var defaultExtension: String {
        switch self {
        case .image: return "png"
        case .video: return "mp4"
        case .audio: return "wav"
        case .text: return "txt"
        }
    }
}
