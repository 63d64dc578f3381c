#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The OpenAI-compatible chat route of API.md §7, `POST /compatible-mode/v1/chat/completions`: a canned answer,
/// whole or streamed as server-sent events ending `data: [DONE]`; vision models take image and video content items.
struct ChatJob: Sendable {
    /// The path the route is served at.
    static let path = "/compatible-mode/v1/chat/completions"
    /// The chat models of API.md §7.
    static let textModels: Set<String> = ["qwen-plus", "qwen3-max", "qwen-plus-latest", "qwen-turbo", "qwen-max"]
    /// The vision models of API.md §7, which also take `image_url` and `video_url` items.
    static let visionModels: Set<String> = ["qwen3-vl-plus", "qwen-vl-max", "qwen-vl-plus"]
    /// Every model the route answers.
    static let models = textModels.union(visionModels)

    let model: String
    let stream: Bool
    let includeUsage: Bool
    let thinking: Bool
    let question: String
    /// How many images and videos the last message carried.
    let images: Int
    let videos: Int

    /// Validates a chat request's body, or throws the 400/404 the service answers; `urls` judges image URLs.
    init(body: Data, urls: ImageURLCheck) throws(ServiceError) {
        guard let object = MockJSON.object(body) else {
            throw .invalidParameter("The request body must be a JSON object.")
        }
        guard let model = object["model"] as? String, !model.isEmpty else {
            throw .invalidParameter("Missing required field: model.")
        }
        guard Self.models.contains(model) else {
            throw .modelNotFound
        }
        guard let messages = object["messages"] as? [[String: Any]], !messages.isEmpty,
              messages.allSatisfy({ ["system", "user", "assistant"].contains($0["role"] as? String ?? "") }) else {
            throw .invalidParameter("Field messages must be a non-empty list of objects with a role (system, user, assistant).")
        }
        guard messages.last?["role"] as? String == "user" else {
            throw .invalidParameter("The last message must have the role user.")
        }
        var counts = (images: 0, videos: 0)
        for (index, message) in messages.enumerated() {
            try Self.checkContent(message["content"], field: "messages[\(index)].content", model: model, urls: urls,
                                  counts: &counts)
        }
        try Self.checkSettings(object)
        self.model = model
        stream = object["stream"] as? Bool ?? false
        includeUsage = (object["stream_options"] as? [String: Any])?["include_usage"] as? Bool ?? false
        thinking = object["enable_thinking"] as? Bool ?? false
        question = Self.text(of: messages.last?["content"])
        (images, videos) = counts
    }

    /// The answer's text: the same for the same question.
    var reply: String {
        let looked = images + videos == 0 ? "" : " (looking at \(images) image(s) and \(videos) video(s))"
        return "This is the mock's answer to: \(question.prefix(60))\(looked)"
    }

    /// The usage of an answer of `tokens` tokens.
    func usage(tokens: Int) -> [String: Int] {
        ["prompt_tokens": question.count, "completion_tokens": tokens, "total_tokens": question.count + tokens]
    }

    // MARK: Checks

    /// A message's content: a string, or a list of `text`, `image_url` and `video_url` items (the last two on vision
    /// models only), each with the field its type names.
    private static func checkContent(_ content: Any?, field: String, model: String, urls: ImageURLCheck,
                                     counts: inout (images: Int, videos: Int)) throws(ServiceError) {
        if content is String {
            return
        }
        guard let items = content as? [[String: Any]], !items.isEmpty else {
            throw .invalidParameter("Field \(field) must be a string or a non-empty list of content items.")
        }
        for (index, item) in items.enumerated() {
            let at = "\(field)[\(index)]"
            switch item["type"] as? String {
            case "text":
                guard item["text"] is String else {
                    throw .invalidParameter("Field \(at).text must be a string.")
                }
            case "image_url", "video_url":
                let type = item["type"] as? String ?? ""
                guard visionModels.contains(model) else {
                    throw .invalidParameter("Model \(model) does not take \(type) content: use a vision model such as qwen3-vl-plus.")
                }
                let url = (item[type] as? [String: Any])?["url"]
                if type == "image_url" {
                    try urls.check(url, field: "\(at).image_url.url", model: model)
                    counts.images += 1
                } else {
                    guard let text = url as? String, ["http://", "https://", "oss://"].contains(where: text.lowercased().hasPrefix) else {
                        throw .invalidParameter("Field \(at).video_url.url must be an http(s):// or oss:// URL.")
                    }
                    counts.videos += 1
                }
            default:
                throw .invalidParameter("Field \(at).type must be text, image_url or video_url.")
            }
        }
    }

    /// The sampling settings' types and ranges, as the service checks them.
    private static func checkSettings(_ object: [String: Any]) throws(ServiceError) {
        func number(_ name: String, _ valid: (Double) -> Bool, _ range: String) throws(ServiceError) {
            guard let value = object[name] else {
                return
            }
            guard let number = (value as? Double) ?? (value as? Int).map(Double.init), valid(number) else {
                throw .invalidParameter("Field \(name) must be a number \(range).")
            }
        }
        try number("temperature", { (0...2).contains($0) }, "from 0 to 2")
        try number("top_p", { $0 > 0 && $0 <= 1 }, "above 0 and at most 1")
        try number("max_tokens", { $0 >= 1 && $0.rounded() == $0 }, "that is a whole number of at least 1")
        try number("seed", { (0...2_147_483_647).contains($0) && $0.rounded() == $0 }, "from 0 to 2147483647")
        try number("thinking_budget", { $0 >= 1 && $0.rounded() == $0 }, "that is a whole number of at least 1")
        for flag in ["stream", "enable_thinking", "enable_search"] where object[flag] != nil && !(object[flag] is Bool) {
            throw .invalidParameter("Field \(flag) must be a boolean.")
        }
        if let format = object["response_format"] {
            guard let type = (format as? [String: Any])?["type"] as? String, ["text", "json_object"].contains(type) else {
                throw .invalidParameter("Field response_format.type must be text or json_object.")
            }
        }
        if let stop = object["stop"], !(stop is String), !((stop as? [Any])?.allSatisfy { $0 is String } ?? false) {
            throw .invalidParameter("Field stop must be a string or a list of strings.")
        }
    }

    /// The text of a message's content: a string, or the `text` items of a content list.
    private static func text(of content: Any?) -> String {
        if let text = content as? String {
            return text
        }
        let items = content as? [[String: Any]] ?? []
        return items.compactMap { $0["text"] as? String }.joined(separator: " ")
    }
}

extension ServiceError {
    /// The OpenAI-compatible error answer `{"error": {"code", "message", "type"}, "request_id"}`, codes in snake case.
    func compatibleResponse(requestID: String) -> HTTPResponse {
        MockJSON.response(status: status, compatibleBody(requestID: requestID),
                          headers: retryAfter.map { [(name: "Retry-After", value: String($0))] } ?? [])
    }

    /// The body of the compatible error answer, also sent as a stream's error frame.
    func compatibleBody(requestID: String) -> [String: Any] {
        let type = status >= 500 ? "server_error" : "invalid_request_error"
        return ["error": ["code": Self.snakeCase(code), "message": message, "type": type], "request_id": requestID]
    }

    /// `InvalidApiKey` → `invalid_api_key`, `Throttling.RateQuota` → `throttling.rate_quota`.
    static func snakeCase(_ code: String) -> String {
        var result = ""
        var previous: Character = "."
        for character in code {
            if character.isUppercase, previous != ".", !previous.isUppercase {
                result += "_"
            }
            result += character.lowercased()
            previous = character
        }
        return result
    }
}
