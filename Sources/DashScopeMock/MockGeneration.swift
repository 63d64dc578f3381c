import Foundation

/// An image-generation request that passed the service's checks: what to make and how many.
struct ImageJob: Sendable {
    let model: MockModel
    let route: GenerationRoute
    let prompt: String
    let count: Int
    let size: ImageSize
    let promptExtend: Bool
    /// Whether a wan2.6-image answer mixes text with its images (`parameters.enable_interleave`).
    let interleave: Bool
    /// The input image URLs, in request order.
    let inputs: [String]

    /// Validates a create request's body the way the service does, or throws the service's 400/404 answer;
    /// `urls` judges the input image URLs.
    init(body: Data, route: GenerationRoute, urls: ImageURLCheck) throws(ServiceError) {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            throw .invalidParameter("The request body must be a JSON object.")
        }
        guard object["messages"] == nil else {
            throw .invalidParameter("Field messages is not allowed at the top level; put it in input.messages.")
        }
        guard let name = object["model"] as? String, !name.isEmpty else {
            throw .invalidParameter("Missing required field: model.")
        }
        guard let model = MockModel.named(name) else {
            throw .modelNotFound
        }
        guard model.routes.contains(route) else {
            throw .invalidParameter("Model \(name) is not served at \(route.path).")
        }
        guard let input = object["input"] as? [String: Any] else {
            throw .invalidParameter("Missing required field: input (a JSON object).")
        }
        let parameters = try Self.parameters(object["parameters"])
        try Self.checkFlags(parameters)
        let interleave = parameters["enable_interleave"] as? Bool ?? false
        let (prompt, inputs): (String, [String])
        switch (route.usesMessages, model.inputForm) {
        case (true, _):
            let allowed = interleave ? 0...model.inputImages.upperBound : model.inputImages
            (prompt, inputs) = try Self.messagesInput(input, model: model, allowed: allowed, urls: urls)
        case (false, .list):
            (prompt, inputs) = (try Self.promptField(input), try Self.imageList(input, model: model, urls: urls))
        case (false, .edit):
            let edit = try EditInput(input: input, parameters: parameters, model: model.name, urls: urls)
            (prompt, inputs) = (edit.prompt, edit.images)
        case (false, .none):
            (prompt, inputs) = (try Self.promptField(input), [])
        }
        guard prompt.count <= model.promptLimit else {
            throw .invalidParameter(
                "The prompt is too long for model \(name): \(prompt.count) characters, "
                    + "the limit is \(model.promptLimit)."
            )
        }
        if route.usesMessages {
            try Self.checkNegativePrompt(parameters, field: "parameters")
        } else {
            try Self.checkNegativePrompt(input, field: "input")
        }
        self.model = model
        self.route = route
        self.prompt = prompt
        self.inputs = inputs
        self.interleave = interleave
        let count = try Self.imageCount(parameters["n"], model: model)
        self.count = interleave ? (MockJSON.integer(parameters["max_images"]) ?? count) : count
        self.size = try Self.size(parameters["size"], model: model)
        self.promptExtend = parameters["prompt_extend"] as? Bool ?? true
        try Self.checkSeed(parameters["seed"])
    }

    // MARK: - Prompt

    /// `input.prompt`, which must be a non-empty string.
    static func promptField(_ input: [String: Any]) throws(ServiceError) -> String {
        guard let value = input["prompt"] else {
            throw .invalidParameter("Missing required field: input.prompt.")
        }
        guard let prompt = value as? String else {
            throw .invalidParameter("Field input.prompt must be a string.")
        }
        guard !prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .invalidParameter("Field input.prompt must not be empty.")
        }
        return prompt
    }

    private static func messagesInput(
        _ input: [String: Any], model: MockModel, allowed: ClosedRange<Int>, urls: ImageURLCheck
    ) throws(ServiceError) -> (String, [String]) {
        guard let messages = input["messages"] as? [Any] else {
            throw .invalidParameter("Missing required field: input.messages.")
        }
        guard messages.count == 1, let message = messages[0] as? [String: Any] else {
            throw .invalidParameter("Field input.messages must contain exactly one message.")
        }
        guard message["role"] as? String == "user" else {
            throw .invalidParameter("Field input.messages[0].role must be user.")
        }
        guard let content = message["content"] as? [Any] else {
            throw .invalidParameter("Field input.messages[0].content must be a list of content items.")
        }
        var texts: [String] = []
        var images: [String] = []
        for (index, item) in content.enumerated() {
            guard let entry = item as? [String: Any] else {
                throw .invalidParameter("Each item of input.messages[0].content must be an object.")
            }
            if let text = entry["text"] {
                guard let text = text as? String else {
                    throw .invalidParameter("Field input.messages[0].content[].text must be a string.")
                }
                texts.append(text)
            } else if let image = entry["image"] {
                try urls.check(image, field: "input.messages[0].content[\(index)].image", model: model.name)
                images.append(image as? String ?? "")
            } else {
                throw .invalidParameter("Each item of input.messages[0].content must carry text or image.")
            }
        }
        guard texts.count == 1 else {
            throw .invalidParameter("Field input.messages[0].content must contain exactly one text item.")
        }
        guard !texts[0].trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .invalidParameter("Field input.messages[0].content[].text must not be empty.")
        }
        guard allowed.contains(images.count) else {
            throw .invalidParameter(
                "Field input.messages[0].content may hold \(allowed.lowerBound) to "
                    + "\(allowed.upperBound) image items for model \(model.name), not \(images.count)."
            )
        }
        return (texts[0], images)
    }

    private static func imageList(
        _ input: [String: Any], model: MockModel, urls: ImageURLCheck
    ) throws(ServiceError) -> [String] {
        guard let value = input["images"] else {
            throw .invalidParameter("Missing required field: input.images.")
        }
        guard let images = value as? [Any] else {
            throw .invalidParameter("Field input.images must be a list of image URLs.")
        }
        guard model.inputImages.contains(images.count) else {
            throw .invalidParameter(
                "Field input.images must hold \(model.inputImages.lowerBound) to \(model.inputImages.upperBound) "
                    + "images for model \(model.name), not \(images.count)."
            )
        }
        for (index, image) in images.enumerated() {
            try urls.check(image, field: "input.images[\(index)]", model: model.name)
        }
        return images.map { $0 as? String ?? "" }
    }

    // MARK: - Parameters

    private static func parameters(_ value: Any?) throws(ServiceError) -> [String: Any] {
        guard let value else {
            return [:]
        }
        guard let parameters = value as? [String: Any] else {
            throw .invalidParameter("Field parameters must be a JSON object.")
        }
        return parameters
    }

    /// Refuses `prompt_extend`, `watermark` and `enable_interleave` when present but not true or false, and
    /// `max_images` when present but not a positive integer.
    private static func checkFlags(_ parameters: [String: Any]) throws(ServiceError) {
        for name in ["prompt_extend", "watermark", "enable_interleave"] {
            if let value = parameters[name], !(value is Bool) {
                throw .invalidParameter("Field parameters.\(name) must be true or false.")
            }
        }
        if let value = parameters["max_images"], (MockJSON.integer(value) ?? 0) < 1 {
            throw .invalidParameter("Field parameters.max_images must be a positive integer.")
        }
    }

    private static func checkNegativePrompt(_ container: [String: Any], field: String) throws(ServiceError) {
        guard let value = container["negative_prompt"], !(value is String) else {
            return
        }
        throw .invalidParameter("Field \(field).negative_prompt must be a string.")
    }

    private static func imageCount(_ value: Any?, model: MockModel) throws(ServiceError) -> Int {
        guard let value else {
            return model.maxImages
        }
        guard let count = MockJSON.integer(value), (1...model.maxImages).contains(count) else {
            throw .invalidParameter(
                model.maxImages == 1
                    ? "Field parameters.n must be 1 for model \(model.name)."
                    : "Field parameters.n must be an integer between 1 and \(model.maxImages)."
            )
        }
        return count
    }

    private static func size(_ value: Any?, model: MockModel) throws(ServiceError) -> ImageSize {
        guard let value, let sizes = model.sizes else {
            return model.defaultSize
        }
        guard let text = value as? String, let size = ImageSize(wire: text) else {
            throw .invalidParameter("Field parameters.size must be written W*H, e.g. \(model.defaultSize).")
        }
        guard sizes.allows(size) else {
            throw .invalidParameter(
                "Field parameters.size \(size) is out of range for model \(model.name): \(sizes.summary)."
            )
        }
        return size
    }

    static func checkSeed(_ value: Any?) throws(ServiceError) {
        guard let value else {
            return
        }
        guard let seed = MockJSON.integer(value), (0...2_147_483_647).contains(seed) else {
            throw .invalidParameter("Field parameters.seed must be an integer between 0 and 2147483647.")
        }
    }
}
