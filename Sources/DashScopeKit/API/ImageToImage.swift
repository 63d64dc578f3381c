/// What the user asked `i2i` for: the t2i options that apply, the reference images (as wire URLs), and wan2.6-image's
/// interleaved mode.
public struct ImageToImageRequest: Sendable {
    /// Prompt, negative prompt, size, count, seed, prompt extension and watermark, as for t2i.
    public var image: ImageRequest
    /// The input images as sent: data URLs, http(s) or oss:// URLs, in order.
    public var inputs: [String]
    /// `--interleave`: text and images mixed in the answer (wan2.6-image).
    public var interleave: Bool
    /// `--max-images` with `--interleave`.
    public var maxImages: Int?

    /// Creates a request.
    public init(image: ImageRequest, inputs: [String], interleave: Bool = false, maxImages: Int? = nil) {
        self.image = image
        self.inputs = inputs
        self.interleave = interleave
        self.maxImages = maxImages
    }
}

/// Checks image-to-image requests against the catalogue and shapes them (API.md section 2).
public enum ImageToImage {
    /// Checks `request` against `model` and shapes it into the job the pipeline runs; `ossResolve` when any input is `oss://`.
    public static func prepare(_ request: ImageToImageRequest, model: ModelSpec, mode: CallMode, ossResolve: Bool) throws -> PreparedJob {
        let size = try TextToImage.validate(request.image, model: model)
        if let limits = model.images { try MediaInputs.checkCount(request.inputs.count, role: .image, limits: limits, model: model.name) }
        if request.interleave && mode.wire != .messages {
            throw DashScopeError.usage("--interleave works with wan2.6-image only", hint: "drop --interleave, or pass -m wan2.6-image")
        }
        if let maxImages = request.maxImages {
            guard request.interleave else {
                throw DashScopeError.usage("--max-images goes with --interleave", hint: "add --interleave, or drop --max-images")
            }
            guard maxImages >= 1 else { throw DashScopeError.usage("--max-images must be 1 or more") }
        }
        return PreparedJob(model: model, prompt: request.image.prompt, mode: mode,
                           endpoint: endpoint(request, model: model, mode: mode, size: size, ossResolve: ossResolve))
    }

    /// The endpoint for a validated request.
    static func endpoint(_ request: ImageToImageRequest, model: ModelSpec, mode: CallMode, size: ImageSize?, ossResolve: Bool) -> Endpoint {
        let base = request.image
        var input: [(String, JSON)]
        var parameters: [(String, JSON)] = []
        switch mode.wire {
        case .messages:
            let content = [JSON.object(["text": .string(base.prompt)])] + request.inputs.map { JSON.object(["image": .string($0)]) }
            input = [ImageParameters.messages(content)]
            if let negative = base.negative { parameters.append(("negative_prompt", .string(negative))) }
        case .prompt, .text, .openAI:
            input = [("prompt", .string(base.prompt)), ("images", .array(request.inputs.map(JSON.string)))]
            if let negative = base.negative { input.append(("negative_prompt", .string(negative))) }
        }
        if let size { parameters.append(("size", .string(size.description))) }
        parameters += ImageParameters.common(base)
        if request.interleave { parameters.append(("enable_interleave", .bool(true))) }
        if let maxImages = request.maxImages { parameters.append(("max_images", .integer(maxImages))) }
        let body = JSON.object(["model": .string(model.name), "input": .object(input), "parameters": .object(parameters)])
        return Endpoint(method: "POST", path: mode.path, body: body, async: mode.async, ossResolve: ossResolve, kind: .create)
    }
}

/// The parameters every image family sends the same way: `n` (always: the service's default is 4, billed per image),
/// `prompt_extend`, `watermark` and `seed`.
enum ImageParameters {
    /// `input.messages` of the messages protocol: exactly one user message holding `content`.
    static func messages(_ content: [JSON]) -> (String, JSON) {
        ("messages", .array([.object(["role": .string("user"), "content": .array(content)])]))
    }

    /// The shared parameters of `request`, in wire order.
    static func common(_ request: ImageRequest) -> [(String, JSON)] {
        var parameters: [(String, JSON)] = [("n", .integer(request.count)), ("prompt_extend", .bool(request.promptExtend)),
                                            ("watermark", .bool(request.watermark))]
        if let seed = request.seed { parameters.append(("seed", .integer(seed))) }
        return parameters
    }
}
