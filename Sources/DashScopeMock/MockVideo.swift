#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A video-generation request that passed the service's checks (API.md section 3): what to make and how long.
struct VideoJob: Sendable {
    /// The model, named as the request wrote it (`wan2.6-i2v-preview` stays that in task lists).
    let model: MockVideoModel
    /// `input.prompt`, which first-frame and first+last-frame requests may leave out.
    let prompt: String?
    let promptExtend: Bool
    let duration: Int
    /// The input URLs (first frame, last frame, reference videos, audio), in request order.
    let inputs: [String]

    /// Validates a create request's body the way the service does for `route`, or throws its 400/404 answer;
    /// `urls` judges the input URLs.
    init(body: Data, route: VideoRoute, urls: ImageURLCheck) throws(ServiceError) {
        guard let object = MockJSON.object(body) else {
            throw .invalidParameter("The request body must be a JSON object.")
        }
        guard object["messages"] == nil else {
            throw .invalidParameter("Field messages is not allowed at the top level; video models read input.")
        }
        guard let name = object["model"] as? String, !name.isEmpty else {
            throw .invalidParameter("Missing required field: model.")
        }
        let model = try Self.model(name, route: route)
        guard let input = object["input"] as? [String: Any] else {
            throw .invalidParameter("Missing required field: input (a JSON object).")
        }
        guard let parameters = (object["parameters"] ?? [String: Any]()) as? [String: Any] else {
            throw .invalidParameter("Field parameters must be a JSON object.")
        }
        for flag in ["prompt_extend", "watermark"] where parameters[flag] != nil && !(parameters[flag] is Bool) {
            throw .invalidParameter("Field parameters.\(flag) must be true or false.")
        }
        let promptExtend = parameters["prompt_extend"] as? Bool ?? true
        let needsPrompt = model.family == .text || model.family == .reference
        let prompt = needsPrompt || input["prompt"] != nil ? try ImageJob.promptField(input) : nil
        if let negative = input["negative_prompt"], !(negative is String) {
            throw .invalidParameter("Field input.negative_prompt must be a string.")
        }
        var inputs = try Self.mediaInputs(input, model: model, urls: urls)
        try Self.checkPicture(parameters, model: model)
        if let audio = input["audio_url"] {
            guard model.audio else {
                throw .invalidParameter(
                    "Field input.audio_url is not supported by model \(name): only the wan2.6 and wan2.5 "
                        + "text-to-video and image-to-video models take audio."
                )
            }
            inputs.append(try Self.remoteURL(audio, field: "input.audio_url", kind: "an audio file", model: name, urls: urls))
        }
        if let template = input["template"], !(template is String) {
            throw .invalidParameter("Field input.template must be a string.")
        }
        try Self.checkShotType(parameters["shot_type"], model: model, promptExtend: promptExtend)
        try ImageJob.checkSeed(parameters["seed"])
        self.model = model
        self.prompt = prompt
        self.promptExtend = promptExtend
        self.duration = try Self.duration(parameters["duration"], model: model)
        self.inputs = inputs
    }

    /// The video model `name`, refused when it is unknown or served at the other video path.
    private static func model(_ name: String, route: VideoRoute) throws(ServiceError) -> MockVideoModel {
        guard let model = MockVideoModel.named(name) else {
            if MockModel.named(name) != nil {
                throw .invalidParameter("Model \(name) makes images; it is not served at \(route.path).")
            }
            throw .modelNotFound
        }
        guard model.family.route == route else {
            let what = model.family == .keyframes
                ? "first-and-last-frame models are served at \(VideoRoute.keyframes.path)"
                : "only the first-and-last-frame models are served there; use \(VideoRoute.synthesis.path)"
            throw .invalidParameter("Model \(name) is not served at \(route.path): \(what).")
        }
        return model
    }

    // MARK: - Inputs

    /// The family's input URLs: the first frame, both frames, or the reference videos.
    private static func mediaInputs(
        _ input: [String: Any], model: MockVideoModel, urls: ImageURLCheck
    ) throws(ServiceError) -> [String] {
        switch model.family {
        case .text:
            return []
        case .image:
            try urls.check(input["img_url"], field: "input.img_url", model: model.name)
            return [input["img_url"] as? String ?? ""]
        case .keyframes:
            try urls.check(input["first_frame_url"], field: "input.first_frame_url", model: model.name)
            guard let last = input["last_frame_url"] else {
                return [input["first_frame_url"] as? String ?? ""]
            }
            try urls.check(last, field: "input.last_frame_url", model: model.name)
            return [input["first_frame_url"] as? String ?? "", last as? String ?? ""]
        case .reference:
            return try references(input, model: model, urls: urls)
        }
    }

    /// `input.reference_video_urls` (1–3 videos) or, as newer pages name it, `input.reference_urls` (1–5 files).
    private static func references(
        _ input: [String: Any], model: MockVideoModel, urls: ImageURLCheck
    ) throws(ServiceError) -> [String] {
        let (field, allowed) = input["reference_video_urls"] != nil
            ? ("input.reference_video_urls", 1...3) : ("input.reference_urls", 1...5)
        guard let value = input["reference_video_urls"] ?? input["reference_urls"] else {
            throw .invalidParameter("Missing required field: input.reference_video_urls (1 to 3 video URLs).")
        }
        guard let list = value as? [Any], allowed.contains(list.count) else {
            throw .invalidParameter(
                "Field \(field) must be a list of \(allowed.lowerBound) to \(allowed.upperBound) URLs for model "
                    + "\(model.name)."
            )
        }
        var found: [String] = []
        for (index, item) in list.enumerated() {
            found.append(try remoteURL(item, field: "\(field)[\(index)]", kind: "a video", model: model.name, urls: urls))
        }
        return found
    }

    /// A URL the service fetches itself: `http(s)://`, or an `oss://` upload for this model; never a `data:` URL.
    private static func remoteURL(
        _ value: Any, field: String, kind: String, model: String, urls: ImageURLCheck
    ) throws(ServiceError) -> String {
        if let text = value as? String, text.lowercased().hasPrefix("data:") {
            throw .invalidParameter(
                "Field \(field) must be an http(s):// or oss:// URL of \(kind), not a data: URL; upload the file first."
            )
        }
        try urls.check(value, field: field, model: model)
        return value as? String ?? ""
    }

    // MARK: - Parameters

    /// `parameters.size` (text and reference models, `W*H` of the model's tiers) or `parameters.resolution`
    /// (frame models, one of the model's tiers).
    private static func checkPicture(_ parameters: [String: Any], model: MockVideoModel) throws(ServiceError) {
        switch model.family {
        case .text, .reference:
            guard let value = parameters["size"] else {
                return
            }
            let examples = model.sizes.prefix(2).map(\.description).joined(separator: " or ")
            guard let text = value as? String else {
                throw .invalidParameter("Field parameters.size must be a string written W*H, e.g. \(examples).")
            }
            if VideoTier(rawValue: text.uppercased()) != nil {
                throw .invalidParameter(
                    "Field parameters.size must be written W*H (width*height in pixels, e.g. \(examples)), "
                        + "not a resolution like \(text): model \(model.name) takes "
                        + model.sizes.map(\.description).joined(separator: ", ") + "."
                )
            }
            guard let size = ImageSize(wire: text) else {
                throw .invalidParameter("Field parameters.size must be written W*H, e.g. \(examples), not \(text).")
            }
            guard model.sizes.contains(size) else {
                throw .invalidParameter(
                    "Field parameters.size \(size) is not a size model \(model.name) makes: it must be one of "
                        + model.sizes.map(\.description).joined(separator: ", ") + "."
                )
            }
        case .image, .keyframes:
            guard let value = parameters["resolution"] else {
                return
            }
            let tiers = model.tiers.map(\.rawValue).joined(separator: ", ")
            guard let text = value as? String, let tier = VideoTier(rawValue: text.uppercased()),
                  model.tiers.contains(tier) else {
                throw .invalidParameter(
                    "Field parameters.resolution \(value) is not a resolution model \(model.name) makes: "
                        + "it must be one of \(tiers)."
                )
            }
        }
    }

    private static func duration(_ value: Any?, model: MockVideoModel) throws(ServiceError) -> Int {
        guard let value else {
            return model.durations[0]
        }
        guard let seconds = MockJSON.integer(value), model.durations.contains(seconds) else {
            throw .invalidParameter(
                "Field parameters.duration \(value) is not allowed for model \(model.name): it must be one of "
                    + model.durations.sorted().map(String.init).joined(separator: ", ") + " (seconds)."
            )
        }
        return seconds
    }

    private static func checkShotType(_ value: Any?, model: MockVideoModel, promptExtend: Bool) throws(ServiceError) {
        guard let value else {
            return
        }
        guard model.shotType else {
            throw .invalidParameter("Field parameters.shot_type is not supported by model \(model.name): only wan2.6 models take it.")
        }
        guard let shot = value as? String, ["single", "multi"].contains(shot) else {
            throw .invalidParameter("Field parameters.shot_type must be single or multi.")
        }
        guard shot == "single" || promptExtend else {
            throw .invalidParameter(
                "Field parameters.shot_type multi needs parameters.prompt_extend true: multi-shot videos are planned "
                    + "by prompt extension."
            )
        }
    }
}

extension VideoJob: TaskJob {
    var modelName: String {
        model.name
    }

    var product: String {
        "video"
    }

    var marksFinished: Bool {
        false
    }

    /// The download URL of the video of the task `id`.
    static func videoURL(origin: String, id: String) -> String {
        "\(origin)/files/\(id)/0.mp4"
    }

    /// `output.video_url`, `orig_prompt` and (except wan2.6) `actual_prompt`, and `usage`: API.md names only "usage
    /// with durations", so the mock keeps it minimal, `{"duration": seconds, "video_count": 1}`.
    func finishedOutput(origin: String, id: String, bends: TaskBends) -> (output: [String: Any], usage: [String: Any]) {
        var output: [String: Any] = ["video_url": bends.resultURL ?? Self.videoURL(origin: origin, id: id)]
        if let prompt {
            output["orig_prompt"] = prompt
            if promptExtend, !model.hidesActualPrompt {
                output["actual_prompt"] = "\(prompt), cinematic lighting, smooth camera motion"
            }
        }
        var usage: [String: Any] = ["duration": duration, "video_count": 1]
        if bends.bigNumbers {
            usage["video_count"] = MockJSON.raw("9007199254740993")
            usage["duration"] = MockJSON.raw("1e999")
        }
        return (output, usage)
    }
}

extension MockService {
    /// Creates a video task: the Async header is required, the body is checked per model, and the task takes the
    /// next of `--video-seconds` (or `--task-seconds`).
    func createVideo(_ exchange: Exchange, route: VideoRoute) throws(ServiceError) -> HTTPResponse {
        let request = exchange.request
        guard request.enables("x-dashscope-async") else {
            throw .asyncRequired
        }
        let job = try VideoJob(body: request.bodyData(), route: route, urls: imageURLCheck(for: request))
        return startTask(job, requestID: exchange.requestID, video: true)
    }
}
