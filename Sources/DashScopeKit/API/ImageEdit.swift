/// The editing functions of wanx2.1-imageedit (API.md section 2).
public enum EditFunction: String, Sendable, CaseIterable {
    case stylizationAll = "stylization_all"
    case stylizationLocal = "stylization_local"
    case descriptionEdit = "description_edit"
    case descriptionEditWithMask = "description_edit_with_mask"
    case removeWatermark = "remove_watermark"
    case expand
    case superResolution = "super_resolution"
    case colorization
    case doodle
    case controlCartoonFeature = "control_cartoon_feature"

    /// The function parameters that belong to this function. API.md ties the scales to `expand`, `upscale_factor` to
    /// `super_resolution` and `is_sketch` to `doodle`; `strength` follows the official reference (global stylization and
    /// instruction editing).
    public var parameters: [EditParameter] {
        switch self {
        case .stylizationAll, .descriptionEdit: return [.strength]
        case .expand: return [.topScale, .bottomScale, .leftScale, .rightScale]
        case .superResolution: return [.upscaleFactor]
        case .doodle: return [.isSketch]
        default: return []
        }
    }

    /// Whether the function needs `--mask`.
    public var needsMask: Bool { self == .descriptionEditWithMask }
}

/// A function parameter of wanx2.1-imageedit: its wire name, its option, and its range.
public enum EditParameter: String, Sendable, CaseIterable {
    case strength
    case topScale = "top_scale", bottomScale = "bottom_scale", leftScale = "left_scale", rightScale = "right_scale"
    case upscaleFactor = "upscale_factor"
    case isSketch = "is_sketch"

    /// The long name of the command-line option that sets it (`top-scale`, `sketch`).
    public var long: String {
        self == .isSketch ? "sketch" : rawValue.replacingAll("_", with: "-")
    }

    /// The command-line option that sets it, as messages name it.
    public var option: String { "--" + long }

    /// The accepted range of a numeric parameter (nil for the flag).
    public var range: ClosedRange<Double>? {
        switch self {
        case .strength: return 0...1
        case .topScale, .bottomScale, .leftScale, .rightScale: return 1...2
        case .upscaleFactor: return 1...4
        case .isSketch: return nil
        }
    }
}

/// What the user asked `edit` for, with the input images already turned into wire URLs.
public struct EditRequest: Sendable {
    /// The instruction, negative prompt, count, seed, prompt extension and watermark (size does not apply).
    public var image: ImageRequest
    /// The images to edit, as sent (the base image first).
    public var inputs: [String]
    /// `--mask`, as sent.
    public var mask: String?
    /// `--function` (wanx2.1-imageedit only).
    public var function: EditFunction?
    /// The function parameters the user set, as numbers (`--sketch` is 1).
    public var parameters: [EditParameter: Double]

    /// Creates a request.
    public init(image: ImageRequest, inputs: [String], mask: String? = nil, function: EditFunction? = nil,
                parameters: [EditParameter: Double] = [:]) {
        self.image = image
        self.inputs = inputs
        self.mask = mask
        self.function = function
        self.parameters = parameters
    }
}

/// Checks editing requests against the catalogue and shapes them: the messages protocol of qwen-image-edit, the
/// function protocol of wanx2.1-imageedit (API.md section 2).
public enum ImageEdit {
    /// Checks `request` against `model` and shapes it into the job the pipeline runs; `ossResolve` when any input is `oss://`.
    public static func prepare(_ request: EditRequest, model: ModelSpec, mode: CallMode, ossResolve: Bool) throws -> PreparedJob {
        if request.image.size != nil { throw DashScopeError.usage("--size does not apply to edit: the output follows the input image") }
        _ = try TextToImage.validate(request.image, model: model)
        if let limits = model.images { try MediaInputs.checkCount(request.inputs.count, role: .image, limits: limits, model: model.name) }
        try checkFunction(request, model: model, mode: mode)
        return PreparedJob(model: model, prompt: request.image.prompt, mode: mode,
                           endpoint: endpoint(request, model: model, mode: mode, ossResolve: ossResolve))
    }

    /// `--function` is required by (and only taken by) the function protocol; each parameter only with its function,
    /// in its range; `--mask` exactly with `description_edit_with_mask`.
    static func checkFunction(_ request: EditRequest, model: ModelSpec, mode: CallMode) throws {
        let choices = EditFunction.allCases.map(\.rawValue).joined(separator: ", ")
        guard mode.wire == .prompt else {
            if request.function != nil || request.mask != nil || !request.parameters.isEmpty {
                let given = request.function != nil ? "--function" : request.mask != nil ? "--mask" : request.parameters.keys.first!.option
                throw DashScopeError.usage("\(given) works with wanx2.1-imageedit only; \(model.name) edits from the prompt alone",
                                           hint: "pass -m wanx2.1-imageedit, or drop \(given)")
            }
            return
        }
        if request.image.negative != nil {
            throw DashScopeError.usage("--negative does not apply to \(model.name)", hint: "say what to keep out in the prompt instead")
        }
        guard let function = request.function else {
            throw DashScopeError.usage("\(model.name) needs --function", hint: "one of: \(choices)")
        }
        for (parameter, value) in request.parameters.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let owners = EditFunction.allCases.filter { $0.parameters.contains(parameter) }.map(\.rawValue)
            guard function.parameters.contains(parameter) else {
                throw DashScopeError.usage("\(parameter.option) does not apply to --function \(function.rawValue)",
                                           hint: "it goes with --function \(owners.joined(separator: " or "))")
            }
            if let range = parameter.range, !range.contains(value) {
                throw DashScopeError.usage("\(parameter.option) \(JSON.number(value).compact) is out of range",
                                           hint: "use a value from \(JSON.number(range.lowerBound).compact) to \(JSON.number(range.upperBound).compact)")
            }
            if parameter == .upscaleFactor, value.rounded() != value {
                throw DashScopeError.usage("--upscale-factor takes a whole number from 1 to 4")
            }
        }
        if function.needsMask && request.mask == nil {
            throw DashScopeError.usage("--function \(function.rawValue) needs --mask (white marks what to edit, same size as the image)")
        }
        if !function.needsMask && request.mask != nil {
            throw DashScopeError.usage("--mask goes with --function description_edit_with_mask only",
                                       hint: "drop --mask, or pass --function description_edit_with_mask")
        }
    }

    /// The endpoint for a validated request.
    static func endpoint(_ request: EditRequest, model: ModelSpec, mode: CallMode, ossResolve: Bool) -> Endpoint {
        let base = request.image
        var input: [(String, JSON)]
        var parameters: [(String, JSON)] = []
        if mode.wire == .messages {
            let content = request.inputs.map { JSON.object(["image": .string($0)]) } + [JSON.object(["text": .string(base.prompt)])]
            input = [ImageParameters.messages(content)]
            if let negative = base.negative { parameters.append(("negative_prompt", .string(negative))) }
        } else {
            input = [("function", .string(request.function?.rawValue ?? "")), ("prompt", .string(base.prompt)),
                     ("base_image_url", .string(request.inputs.first ?? ""))]
            if let mask = request.mask { input.append(("mask_image_url", .string(mask))) }
        }
        // The function protocol documents n, seed and watermark only: prompt_extend is not sent there.
        parameters += ImageParameters.common(base).filter { mode.wire == .messages || $0.0 != "prompt_extend" }
        for parameter in EditParameter.allCases {
            guard let value = request.parameters[parameter] else { continue }
            switch parameter {
            case .isSketch: parameters.append((parameter.rawValue, .bool(value != 0)))
            case .upscaleFactor: parameters.append((parameter.rawValue, .integer(Int(value))))
            default: parameters.append((parameter.rawValue, .number(value)))
            }
        }
        let body = JSON.object(["model": .string(model.name), "input": .object(input), "parameters": .object(parameters)])
        return Endpoint(method: "POST", path: mode.path, body: body, async: mode.async, ossResolve: ossResolve, kind: .create)
    }
}
