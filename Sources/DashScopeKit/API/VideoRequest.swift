/// `--shot-type`: one continuous shot, or several shots the service writes from the prompt (API.md section 3).
public enum ShotType: String, Sendable, CaseIterable {
    case single, multi
}

/// What every video command (`t2v`, `i2v`, `r2v`) asks for besides its inputs and its size.
public struct VideoRequest: Sendable {
    /// The prompt (may be empty for `i2v` with a first frame only).
    public var prompt: String
    /// `--negative`.
    public var negative: String?
    /// `--duration`, in seconds (nil: the model's default).
    public var duration: Int?
    /// `--seed`.
    public var seed: Int?
    /// `prompt_extend` (off with `--no-prompt-extend`).
    public var promptExtend: Bool
    /// `--watermark`.
    public var watermark: Bool
    /// `--shot-type`.
    public var shotType: ShotType?
    /// `--audio` as sent: an http(s) or oss:// URL.
    public var audio: String?

    /// Creates a request.
    public init(prompt: String, negative: String? = nil, duration: Int? = nil, seed: Int? = nil, promptExtend: Bool = true,
                watermark: Bool = false, shotType: ShotType? = nil, audio: String? = nil) {
        self.prompt = prompt
        self.negative = negative
        self.duration = duration
        self.seed = seed
        self.promptExtend = promptExtend
        self.watermark = watermark
        self.shotType = shotType
        self.audio = audio
    }

    /// Whether the prompt holds any text.
    var hasPrompt: Bool { !prompt.trimmingBlanksAndLineBreaks().isEmpty }
}

/// The checks and wire fields the video families share: duration, tier, audio, shot type, and the body around them.
public enum VideoParameters {
    /// Every check of the shared options against `model`, a model of `family`'s command (64); returns the duration to
    /// send (nil: leave it to the service, for a model the catalogue does not know). `promptOptional`: `i2v` may go
    /// without a prompt.
    public static func validate(_ request: VideoRequest, model: ModelSpec, family: Capability, promptOptional: Bool = false) throws -> Int? {
        try Validation.family(model, family)
        if !(promptOptional && !request.hasPrompt) {
            try Validation.prompt(request.prompt, limit: model.promptLimit, model: model.name)
        }
        try Validation.seed(request.seed)
        if request.audio != nil { try checkAudio(model: model) }
        if let shot = request.shotType {
            if let limits = model.video, !limits.shotType {
                throw DashScopeError.usage("\(model.name) has no --shot-type",
                                           hint: "drop --shot-type" + alternatives(to: model, { $0.shotType }))
            }
            if shot == .multi && !request.promptExtend {
                throw DashScopeError.usage("--shot-type multi needs prompt extension: the service writes the shots from the prompt",
                                           hint: "drop --no-prompt-extend, or pass --shot-type single")
            }
        }
        return try duration(request.duration, model: model)
    }

    /// The duration to send: the one asked if the model offers it (64 otherwise), else the model's default.
    public static func duration(_ seconds: Int?, model: ModelSpec) throws -> Int? {
        guard let seconds else { return model.video?.defaultDuration }
        guard seconds >= 1 else {
            throw DashScopeError.usage("--duration \(seconds) is not a length", hint: "give the clip's length in whole seconds, e.g. --duration 5")
        }
        guard let limits = model.video, !limits.durations.contains(seconds) else { return seconds }
        let offered = limits.durations.sorted()
        let makes = offered.count == 1 ? "only \(offered[0])-second clips" : "clips of \(MediaInspector.list(offered.map(String.init))) seconds"
        throw DashScopeError.usage("--duration \(seconds) is not offered by \(model.name): it makes \(makes)",
                                   hint: (offered.count == 1 ? "drop --duration" : "pass --duration \(MediaInspector.list(offered.map(String.init)))")
                                       + alternatives(to: model, { $0.durations.contains(seconds) }, for: "\(seconds) s"))
    }

    /// The tier to send: the one asked if the model offers it (64 otherwise), else the model's default.
    public static func tier(_ tier: VideoTier?, model: ModelSpec) throws -> VideoTier? {
        guard let limits = model.video else { return tier }
        guard let tier else { return limits.defaultTier }
        guard limits.tiers.contains(tier) else {
            let offered = limits.tiers.map(\.rawValue)
            throw DashScopeError.usage("--resolution \(tier.rawValue) is not offered by \(model.name): it makes \(MediaInspector.list(offered))",
                                       hint: (offered.count == 1 ? "drop --resolution" : "pass --resolution \(MediaInspector.list(offered))")
                                           + alternatives(to: model, { $0.tiers.contains(tier) }, for: tier.rawValue))
        }
        return tier
    }

    /// Refuses `--audio` on a model that takes no audio track (64).
    public static func checkAudio(model: ModelSpec) throws {
        guard let limits = model.video, !limits.audio else { return }
        throw DashScopeError.usage("\(model.name) takes no --audio", hint: "drop --audio" + alternatives(to: model, { $0.audio }))
    }

    // MARK: Wire

    /// `input`: the prompt (left out when empty and optional), the negative prompt, then `fields` (the inputs), then `audio_url`.
    static func input(_ request: VideoRequest, _ fields: [(String, JSON)]) -> [(String, JSON)] {
        var input: [(String, JSON)] = request.hasPrompt ? [("prompt", .string(request.prompt))] : []
        if let negative = request.negative { input.append(("negative_prompt", .string(negative))) }
        input += fields
        if let audio = request.audio { input.append(("audio_url", .string(audio))) }
        return input
    }

    /// `parameters`: `shape` (size or resolution), duration, prompt_extend (when the family sends it), shot_type,
    /// watermark, seed, in API.md's order.
    static func parameters(_ request: VideoRequest, shape: [(String, JSON)], duration: Int?, promptExtend: Bool = true) -> [(String, JSON)] {
        var parameters = shape
        if let duration { parameters.append(("duration", .integer(duration))) }
        if promptExtend { parameters.append(("prompt_extend", .bool(request.promptExtend))) }
        if let shot = request.shotType { parameters.append(("shot_type", .string(shot.rawValue))) }
        parameters.append(("watermark", .bool(request.watermark)))
        if let seed = request.seed { parameters.append(("seed", .integer(seed))) }
        return parameters
    }

    /// The async create call of a video job.
    static func job(_ request: VideoRequest, model: ModelSpec, mode: CallMode, input: [(String, JSON)],
                    parameters: [(String, JSON)], ossResolve: Bool) -> PreparedJob {
        let body = JSON.object(["model": .string(model.name), "input": .object(input), "parameters": .object(parameters)])
        return PreparedJob(model: model, prompt: request.prompt, mode: mode,
                           endpoint: Endpoint(method: "POST", path: mode.path, body: body, async: mode.async, ossResolve: ossResolve, kind: .create))
    }

    // MARK: Messages

    /// `, or -m A or B for <what>`: the other catalogue models of the family that pass `test` (empty when none does).
    static func alternatives(to model: ModelSpec, _ test: (VideoLimits) -> Bool, for what: String? = nil) -> String {
        let names = Catalog.models(for: model.capability).filter { $0.name != model.name && ($0.video.map(test) ?? false) }.map(\.name)
        guard !names.isEmpty else { return "" }
        return ", or use -m " + MediaInspector.list(names) + (what.map { " for \($0)" } ?? "")
    }

}
