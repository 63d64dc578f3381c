import Foundation

/// An image-generation request that passed the service's checks: what to make and how many.
struct ImageJob: Sendable {
    let model: MockModel
    let route: GenerationRoute
    let prompt: String
    let count: Int
    let size: ImageSize
    let promptExtend: Bool

    /// Validates a create request's body the way the service does, or throws the service's 400/404 answer.
    init(body: Data, route: GenerationRoute) throws(ServiceError) {
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
        let prompt = route.usesMessages
            ? try Self.messagesPrompt(input, model: model)
            : try Self.promptField(input)
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
        self.count = try Self.imageCount(parameters["n"], model: model)
        self.size = try Self.size(parameters["size"], model: model)
        self.promptExtend = parameters["prompt_extend"] as? Bool ?? true
        try Self.checkSeed(parameters["seed"])
    }

    // MARK: - Prompt

    private static func promptField(_ input: [String: Any]) throws(ServiceError) -> String {
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

    private static func messagesPrompt(_ input: [String: Any], model: MockModel) throws(ServiceError) -> String {
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
        var images = 0
        for item in content {
            guard let entry = item as? [String: Any] else {
                throw .invalidParameter("Each item of input.messages[0].content must be an object.")
            }
            if let text = entry["text"] {
                guard let text = text as? String else {
                    throw .invalidParameter("Field input.messages[0].content[].text must be a string.")
                }
                texts.append(text)
            } else if entry["image"] is String {
                images += 1
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
        guard model.inputImages.contains(images) else {
            throw .invalidParameter(
                "Field input.messages[0].content may hold \(model.inputImages.lowerBound) to "
                    + "\(model.inputImages.upperBound) image items for model \(model.name), not \(images)."
            )
        }
        return texts[0]
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
        guard let value else {
            return model.defaultSize
        }
        guard let text = value as? String, let size = ImageSize(wire: text) else {
            throw .invalidParameter("Field parameters.size must be written W*H, e.g. \(model.defaultSize).")
        }
        guard model.sizes.allows(size) else {
            throw .invalidParameter(
                "Field parameters.size \(size) is out of range for model \(model.name): \(model.sizes.summary)."
            )
        }
        return size
    }

    private static func checkSeed(_ value: Any?) throws(ServiceError) {
        guard let value else {
            return
        }
        guard let seed = MockJSON.integer(value), (0...2_147_483_647).contains(seed) else {
            throw .invalidParameter("Field parameters.seed must be an integer between 0 and 2147483647.")
        }
    }
}
