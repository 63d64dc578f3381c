/// What the user asked `i2v` for: a first frame, and a last frame for the first+last-frame models.
public struct ImageToVideoRequest: Sendable {
    /// Prompt (optional with a first frame only), duration, audio and the other shared options.
    public var video: VideoRequest
    /// The first frame as sent: a data URL, an http(s) or oss:// URL.
    public var image: String
    /// `--last-frame` as sent.
    public var lastFrame: String?
    /// `--resolution`.
    public var resolution: VideoTier?
    /// `--template`: one of the service's effect templates.
    public var template: String?

    /// Creates a request.
    public init(video: VideoRequest, image: String, lastFrame: String? = nil, resolution: VideoTier? = nil, template: String? = nil) {
        self.video = video
        self.image = image
        self.lastFrame = lastFrame
        self.resolution = resolution
        self.template = template
    }
}

/// Checks image-to-video requests against the catalogue and shapes them (API.md section 3): first-frame models on the
/// video-synthesis path with `img_url`, first+last-frame models (kf2v) on their own path with `first_frame_url`/`last_frame_url`.
public enum ImageToVideo {
    /// The catalogue's first+last-frame models, default first.
    public static var keyframeModels: [String] {
        let names = Catalog.models(for: .keyframesToVideo).map(\.name)
        let first = Catalog.defaultModel(for: .keyframesToVideo)
        return [first] + names.filter { $0 != first }
    }

    /// Refuses `--last-frame` on a model that takes a first frame only (64), naming the models that take both.
    public static func checkLastFrame(model: ModelSpec) throws {
        try Validation.family(model, .imageToVideo)
        guard model.capability != .keyframesToVideo else { return }
        throw DashScopeError.usage("--last-frame needs a first+last-frame model (\(MediaInspector.list(keyframeModels))); "
                                   + "\(model.name) starts from a first frame only",
                                   hint: "drop -m to use \(keyframeModels[0]), pass -m \(keyframeModels.last!), or drop --last-frame")
    }

    /// Checks `request` against `model` and shapes it into the job the pipeline runs; `ossResolve` when any input is `oss://`.
    public static func prepare(_ request: ImageToVideoRequest, model: ModelSpec, mode: CallMode, ossResolve: Bool) throws -> PreparedJob {
        let keyframes = model.capability == .keyframesToVideo
        if request.lastFrame != nil { try checkLastFrame(model: model) }
        if keyframes && request.template != nil {
            throw DashScopeError.usage("--template works with the first-frame models, not \(model.name)",
                                       hint: "drop --template" + (request.lastFrame == nil ? ", or pass -m \(Catalog.defaultModel(for: .imageToVideo))" : ""))
        }
        if request.template?.isEmpty == true { throw DashScopeError.usage("--template needs a name", hint: "drop --template, or name one") }
        let duration = try VideoParameters.validate(request.video, model: model, family: .imageToVideo, promptOptional: !keyframes)
        let tier = try VideoParameters.tier(request.resolution, model: model)
        var frames: [(String, JSON)]
        if keyframes {
            frames = [("first_frame_url", .string(request.image))]
            if let last = request.lastFrame { frames.append(("last_frame_url", .string(last))) }
        } else {
            frames = [("img_url", .string(request.image))]
        }
        var input = VideoParameters.input(request.video, frames)
        if let template = request.template { input.append(("template", .string(template))) }
        let shape: [(String, JSON)] = tier.map { [("resolution", .string($0.rawValue))] } ?? []
        return VideoParameters.job(request.video, model: model, mode: mode, input: input,
                                   parameters: VideoParameters.parameters(request.video, shape: shape, duration: duration),
                                   ossResolve: ossResolve)
    }
}
