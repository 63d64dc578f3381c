/// What the user asked `t2i` for, before it is checked against the catalogue.
public struct ImageRequest: Sendable {
    /// The prompt.
    public var prompt: String
    /// `--negative`.
    public var negative: String?
    /// `--size`.
    public var size: SizeRequest?
    /// `-n`.
    public var count: Int
    /// `--seed`.
    public var seed: Int?
    /// `prompt_extend` (off with `--no-prompt-extend`).
    public var promptExtend: Bool
    /// `--watermark`.
    public var watermark: Bool

    /// Creates a request.
    public init(prompt: String, negative: String? = nil, size: SizeRequest? = nil, count: Int = 1,
                seed: Int? = nil, promptExtend: Bool = true, watermark: Bool = false) {
        self.prompt = prompt
        self.negative = negative
        self.size = size
        self.count = count
        self.seed = seed
        self.promptExtend = promptExtend
        self.watermark = watermark
    }
}

/// Checks text-to-image requests against the catalogue and shapes them for the wire (API.md section 1).
public enum TextToImage {
    /// The largest seed the service accepts.
    public static let maxSeed = 2_147_483_647

    /// Checks prompt, count, seed and size for `model`; returns the size to send (nil: let the service choose).
    public static func validate(_ request: ImageRequest, model: ModelSpec) throws -> ImageSize? {
        try Validation.prompt(request.prompt, limit: model.promptLimit, model: model.name)
        if !model.count.contains(request.count) {
            if model.count.count == 1 {
                throw DashScopeError.usage("\(model.name) makes \(model.count.lowerBound) image per call; -n \(request.count) is not possible",
                                           hint: "drop -n, or run the command several times")
            }
            throw DashScopeError.usage("-n \(request.count) is out of range: \(model.name) makes \(model.count.lowerBound) to \(model.count.upperBound) images per call",
                                       hint: "pass -n between \(model.count.lowerBound) and \(model.count.upperBound)")
        }
        try Validation.seed(request.seed)
        if let seed = request.seed, seed + request.count - 1 > maxSeed {
            throw DashScopeError.usage("--seed \(seed) with -n \(request.count) runs past \(maxSeed): the images use seed, seed+1, ...",
                                       hint: "use a seed up to \(maxSeed - request.count + 1)")
        }
        return try resolveSize(request.size, model: model)
    }

    /// The size to send: exact sizes are checked, ratios mapped to the model's recommended size.
    public static func resolveSize(_ size: SizeRequest?, model: ModelSpec) throws -> ImageSize? {
        switch size {
        case nil:
            return model.defaultSize
        case let .exact(s):
            if let rule = model.sizes, let problem = rule.problem(with: s, model: model.name) {
                let near = rule.nearest(to: s).map { "\($0.width)x\($0.height)" }
                throw DashScopeError.usage("--size \(problem)",
                                           hint: (near.isEmpty ? "" : "nearest valid sizes for \(model.name): \(near.joined(separator: ", ")); ")
                                               + "or give a ratio such as 16:9 to get the recommended size")
            }
            return s
        case let .ratio(w, h):
            guard let rule = model.sizes else {
                throw DashScopeError.usage("--size \(w):\(h) needs a known model to map the ratio to a size",
                                           hint: "give the size as WIDTHxHEIGHT for \(model.name)")
            }
            let area = max(model.defaultSize?.pixels ?? 1024 * 1024, model.ratioMinPixels ?? 0)
            let s = recommendedRule(rule, model: model).size(forRatio: w, h, area: area)
            if let problem = rule.problem(with: s, model: model.name) {
                throw DashScopeError.usage("--size \(w):\(h) cannot be met: \(problem)", hint: "pick a ratio between 1:4 and 4:1")
            }
            return s
        }
    }

    /// The rule a bare ratio is fitted to: the model's own, with its pixel floor raised to the recommended minimum.
    private static func recommendedRule(_ rule: SizeRule, model: ModelSpec) -> SizeRule {
        guard case let .pixels(minPixels, maxPixels, minAspect, maxAspect) = rule, let floor = model.ratioMinPixels else { return rule }
        return .pixels(minPixels: max(minPixels, floor), maxPixels: maxPixels, minAspect: minAspect, maxAspect: maxAspect)
    }

    /// Checks `request` against `model` and shapes it into the job the pipeline runs.
    public static func prepare(_ request: ImageRequest, model: ModelSpec, mode: CallMode) throws -> PreparedJob {
        let size = try validate(request, model: model)
        return PreparedJob(model: model, prompt: request.prompt, mode: mode,
                           endpoint: endpoint(request, model: model, mode: mode, size: size))
    }

    /// The endpoint for a validated request.
    public static func endpoint(_ request: ImageRequest, model: ModelSpec, mode: CallMode, size: ImageSize?) -> Endpoint {
        var parameters: [(String, JSON)] = []
        var input: [(String, JSON)]
        switch mode.wire {
        case .messages:
            input = [ImageParameters.messages([.object(["text": .string(request.prompt)])])]
            if let negative = request.negative { parameters.append(("negative_prompt", .string(negative))) }
        case .prompt, .text, .openAI:
            input = [("prompt", .string(request.prompt))]
            if let negative = request.negative { input.append(("negative_prompt", .string(negative))) }
        }
        if let size { parameters.append(("size", .string(size.description))) }
        parameters += ImageParameters.common(request)
        let body = JSON.object(["model": .string(model.name), "input": .object(input), "parameters": .object(parameters)])
        return Endpoint(method: "POST", path: mode.path, body: body, async: mode.async, kind: .create)
    }
}

/// Checks shared by every generating command.
public enum Validation {
    /// Refuses a catalogued model of another command (`t2i -m wan2.6-t2v` would start a billed video task), naming the
    /// command it belongs to and the models of this one (64).
    public static func family(_ model: ModelSpec, _ family: Capability) throws {
        guard model.capability.command != family.command else { return }
        throw DashScopeError.usage("\(model.name) is a model of `\(model.capability.command)`, not of `\(family.command)`",
                                   hint: "run `dashscope \(model.capability.command)` with it, or pick one of "
                                       + MediaInspector.list(Catalog.models(for: family).map(\.name)))
    }

    /// Refuses an empty prompt and one over `limit` characters.
    public static func prompt(_ prompt: String, limit: Int?, model: String) throws {
        if prompt.trimmingBlanksAndLineBreaks().isEmpty {
            throw DashScopeError.usage("the prompt is empty, and \(model) needs one", hint: "give it as the first argument, or pipe it on stdin")
        }
        if let limit, prompt.count > limit {
            throw DashScopeError.usage("the prompt is \(prompt.count) characters; \(model) takes at most \(limit)",
                                       hint: "shorten the prompt")
        }
    }

    /// Refuses a seed outside [0, 2147483647].
    public static func seed(_ seed: Int?) throws {
        guard let seed, !(0...TextToImage.maxSeed).contains(seed) else { return }
        throw DashScopeError.usage("--seed \(seed) is out of range", hint: "use a number from 0 to \(TextToImage.maxSeed)")
    }
}
