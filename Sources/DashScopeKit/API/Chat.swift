#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One piece of a message's content: text, or an image or video the model looks at (API.md section 7).
public enum ChatPart: Sendable, Equatable {
    /// `{"type":"text","text":...}`.
    case text(String)
    /// `{"type":"image_url","image_url":{"url":...}}`: an http(s)://, oss:// or data: URL.
    case image(String)
    /// `{"type":"video_url","video_url":{"url":...}}`.
    case video(String)

    var json: JSON {
        switch self {
        case let .text(text): return .object(["type": .string("text"), "text": .string(text)])
        case let .image(url): return .object(["type": .string("image_url"), "image_url": .object(["url": .string(url)])])
        case let .video(url): return .object(["type": .string("video_url"), "video_url": .object(["url": .string(url)])])
        }
    }
}

/// One message of a conversation.
public struct ChatMessage: Sendable, Equatable {
    /// Who speaks.
    public enum Role: String, Sendable, CaseIterable { case system, user, assistant }

    /// Who speaks.
    public var role: Role
    /// What is said: plain text, or parts (vision).
    public var parts: [ChatPart]

    /// A plain text message.
    public init(_ role: Role, _ text: String) {
        self.role = role
        parts = [.text(text)]
    }

    /// A message of several parts (images first, then the question, as the service's examples do).
    public init(_ role: Role, parts: [ChatPart]) {
        self.role = role
        self.parts = parts
    }

    /// The text of the message: its text parts joined.
    public var text: String {
        parts.compactMap { if case let .text(text) = $0 { return text } else { return nil } }.joined(separator: "\n")
    }

    var json: JSON {
        let content: JSON = parts.count == 1 && { if case .text = parts[0] { return true } else { return false } }()
            ? .string(text) : .array(parts.map(\.json))
        return .object(["role": .string(role.rawValue), "content": content])
    }
}

/// A chat completion as the user asked for it: the fields of API.md section 7, nothing else.
public struct ChatRequest: Sendable {
    /// The model.
    public var model: String
    /// The conversation, the new user message last.
    public var messages: [ChatMessage]
    /// Whether the answer streams (SSE) with `stream_options.include_usage`.
    public var stream = true
    /// `temperature`, 0 to 2.
    public var temperature: Double?
    /// `top_p`, above 0 up to 1.
    public var topP: Double?
    /// `max_tokens`, 1 or more.
    public var maxTokens: Int?
    /// `stop` sequences.
    public var stop: [String] = []
    /// `seed`, 0 to 2^31-1.
    public var seed: Int?
    /// `response_format {"type":"json_object"}`.
    public var jsonObject = false
    /// `enable_thinking`; nil leaves the model's default.
    public var thinking: Bool?
    /// `thinking_budget`, 1 or more tokens of reasoning.
    public var thinkingBudget: Int?
    /// `enable_search`.
    public var search = false
    /// Whether any URL is `oss://` (sends `X-DashScope-OssResourceResolve: enable`).
    public var ossResolve = false

    /// Creates a request with the model's defaults for everything else.
    public init(model: String, messages: [ChatMessage]) {
        self.model = model
        self.messages = messages
    }
}

/// Builds chat completion calls (`POST {compatible base}/chat/completions`) and checks their settings.
public enum Chat {
    /// Throws a usage error (64) for a setting out of its range, before anything is sent.
    public static func validate(_ request: ChatRequest) throws {
        func refuse(_ option: String, _ value: String, _ range: String) throws -> Never {
            throw DashScopeError.usage("\(option) must be \(range), not \(value)", hint: "pass a value in that range, or leave \(option) out for the model's default")
        }
        if let t = request.temperature, !(0...2).contains(t) { try refuse("--temperature", JSON.number(t).compact, "from 0 to 2") }
        if let p = request.topP, !(p > 0 && p <= 1) { try refuse("--top-p", JSON.number(p).compact, "above 0 and at most 1") }
        if let n = request.maxTokens, n < 1 { try refuse("--max-tokens", "\(n)", "1 or more") }
        if let s = request.seed, !(0...2_147_483_647).contains(s) { try refuse("--seed", "\(s)", "from 0 to 2147483647") }
        if let b = request.thinkingBudget, b < 1 { try refuse("--thinking-budget", "\(b)", "1 or more") }
        if request.stop.contains(where: \.isEmpty) {
            throw DashScopeError.usage("--stop cannot be empty", hint: "give the text the answer should stop at, or leave --stop out")
        }
    }

    /// The call for `request`, body fields in the order of API.md.
    public static func endpoint(_ request: ChatRequest) -> Endpoint {
        let body = JSON.object([
            "model": .string(request.model),
            "messages": .array(request.messages.map(\.json)),
            "stream": .bool(request.stream),
            "stream_options": request.stream ? .object(["include_usage": .bool(true)]) : nil,
            "temperature": request.temperature.map(JSON.number),
            "top_p": request.topP.map(JSON.number),
            "max_tokens": request.maxTokens.map(JSON.integer),
            "stop": request.stop.isEmpty ? nil : .array(request.stop.map(JSON.string)),
            "seed": request.seed.map(JSON.integer),
            "response_format": request.jsonObject ? .object(["type": .string("json_object")]) : nil,
            "enable_thinking": request.thinking.map(JSON.bool),
            "thinking_budget": request.thinkingBudget.map(JSON.integer),
            "enable_search": request.search ? .bool(true) : nil,
        ])
        return Endpoint(method: "POST", path: CallMode.chatCompletions.path, body: body, ossResolve: request.ossResolve,
                        kind: .create, base: .compatible, sse: request.stream)
    }
}
