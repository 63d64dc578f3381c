#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The OpenAI-compatible chat route of API.md §7, `POST /compatible-mode/v1/chat/completions`: a canned answer,
/// whole or streamed as server-sent events ending `data: [DONE]`.
struct ChatJob: Sendable {
    /// The path the route is served at.
    static let path = "/compatible-mode/v1/chat/completions"
    /// The chat and vision models of API.md §7.
    static let models: Set<String> = [
        "qwen-plus", "qwen3-max", "qwen-plus-latest", "qwen-turbo", "qwen-max", "qwen3-vl-plus", "qwen-vl-max",
    ]

    let model: String
    let stream: Bool
    let includeUsage: Bool
    let thinking: Bool
    let question: String

    /// Validates a chat request's body, or throws the 400/404 the service answers.
    init(body: Data) throws(ServiceError) {
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
              messages.allSatisfy({ $0["role"] is String }) else {
            throw .invalidParameter("Field messages must be a non-empty list of objects with a role.")
        }
        self.model = model
        stream = object["stream"] as? Bool ?? false
        includeUsage = (object["stream_options"] as? [String: Any])?["include_usage"] as? Bool ?? false
        thinking = object["enable_thinking"] as? Bool ?? false
        question = Self.text(of: messages.last?["content"])
    }

    /// The answer's text: the same for the same question.
    var reply: String {
        "This is the mock's answer to: \(question.prefix(60))"
    }

    /// The answer: one `chat.completion` object, or an event stream of `chat.completion.chunk` objects.
    func response() -> HTTPResponse {
        let id = "chatcmpl-" + MockJSON.newID()
        let created = Int(Date().timeIntervalSince1970)
        let usage = ["prompt_tokens": question.count, "completion_tokens": reply.count,
                     "total_tokens": question.count + reply.count]
        guard stream else {
            var message: [String: Any] = ["role": "assistant", "content": reply]
            message["reasoning_content"] = thinking ? "Thinking about it." : nil
            return MockJSON.response([
                "id": id, "object": "chat.completion", "created": created, "model": model, "usage": usage,
                "choices": [["index": 0, "message": message, "finish_reason": "stop"]],
            ])
        }
        func chunk(_ choices: [[String: Any]], usage: [String: Int]? = nil) -> String {
            var object: [String: Any] = [
                "id": id, "object": "chat.completion.chunk", "created": created, "model": model, "choices": choices,
            ]
            object["usage"] = usage
            return String(decoding: MockJSON.encode(object), as: UTF8.self)
        }
        let deltas = chunkDeltas()
        var frames = deltas.enumerated().map { index, delta in
            chunk([["index": 0, "delta": delta, "finish_reason": index == deltas.count - 1 ? "stop" : MockJSON.null]])
        }
        if includeUsage {
            frames.append(chunk([], usage: usage))
        }
        frames.append("[DONE]")
        return HTTPResponse(status: 200, headers: EventWriter.headers, stream: BodyStream { [frames] writer in
            let events = EventWriter(chunks: writer, style: .spaced)
            for frame in frames where !events.send(frame) {
                return
            }
        })
    }

    /// The deltas of a streamed answer: the role, any thinking, then the answer a few words at a time.
    private func chunkDeltas() -> [[String: Any]] {
        var deltas: [[String: Any]] = [["role": "assistant", "content": ""]]
        if thinking {
            deltas += ["Thinking ", "about it."].map { ["reasoning_content": $0] }
        }
        var words = reply.split(separator: " ", omittingEmptySubsequences: false).map { $0 + " " }
        words[words.count - 1].removeLast()
        deltas += stride(from: 0, to: words.count, by: 3).map { start in
            ["content": words[start..<min(start + 3, words.count)].joined()]
        }
        return deltas
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
        let type = status >= 500 ? "server_error" : "invalid_request_error"
        let headers = retryAfter.map { [(name: "Retry-After", value: String($0))] } ?? []
        return MockJSON.response(
            status: status,
            ["error": ["code": Self.snakeCase(code), "message": message, "type": type], "request_id": requestID],
            headers: headers
        )
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
