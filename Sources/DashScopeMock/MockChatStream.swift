#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

extension MockService {
    /// Answers a chat completion: whole, or streamed with the delay and token count of the options and the stream faults
    /// (`stream-cut`, `stream-error`) injected for it.
    func chat(_ exchange: Exchange) throws(ServiceError) -> HTTPResponse {
        let request = exchange.request
        let job = try ChatJob(body: request.bodyData(), urls: imageURLCheck(for: request))
        let reply = ChatReply(job: job, id: "chatcmpl-" + exchange.requestID, tokens: options.chatTokens, idle: options.chatIdle)
        guard job.stream else {
            return reply.whole()
        }
        let fault = takeDecoration(.streamCut, for: .create) ?? takeDecoration(.streamError, for: .create)
        return reply.streamed(delay: options.chatDelay, fault: fault, requestID: exchange.requestID)
    }
}

/// One chat answer, as a `chat.completion` object or as `chat.completion.chunk` events: the role, any thinking, the
/// text a few words (or, with a token count, one numbered and timed line) at a time, a usage chunk when asked, `[DONE]`.
struct ChatReply: Sendable {
    let job: ChatJob
    let id: String
    /// Tokens to stream, each `INDEX SENT-AT\n`; nil streams the canned reply.
    let tokens: Int?
    /// Whether the text's events go as SSE comments of the same size (`--chat-idle`).
    var idle = false
    let created = Int(Date().timeIntervalSince1970)

    /// The thinking deltas, when thinking was asked for.
    private var reasoning: [String] { job.thinking ? ["Thinking ", "about it."] : [] }

    /// The canned reply's deltas: three words at a time.
    private var words: [String] {
        var words = job.reply.split(separator: " ", omittingEmptySubsequences: false).map { $0 + " " }
        words[words.count - 1].removeLast()
        return stride(from: 0, to: words.count, by: 3).map { words[$0..<min($0 + 3, words.count)].joined() }
    }

    /// The whole answer.
    func whole() -> HTTPResponse {
        let text = tokens.map { count in (0..<count).map { "\($0) \(Self.now())\n" }.joined() } ?? job.reply
        var message: [String: Any] = ["role": "assistant", "content": text]
        message["reasoning_content"] = job.thinking ? reasoning.joined() : nil
        return MockJSON.response([
            "id": id, "object": "chat.completion", "created": created, "model": job.model,
            "usage": job.usage(tokens: tokens ?? words.count),
            "choices": [["index": 0, "message": message, "finish_reason": "stop"]],
        ])
    }

    /// The answer as server-sent events, one chunk (and one flush) per event, `delay` seconds apart; `fault` cuts the
    /// connection, or sends an error frame, after its `seconds` events.
    func streamed(delay: Double, fault: Fault?, requestID: String) -> HTTPResponse {
        let count = tokens ?? words.count
        let reasoning = reasoning
        let words = tokens == nil ? words : []
        let faultAfter = fault.map { Int(min($0.seconds, 1e9)) }
        return HTTPResponse(status: 200, headers: EventWriter.headers, stream: BodyStream { [self] writer in
            let events = EventWriter(chunks: writer, style: .spaced)
            var sent = 0
            func send(_ frame: String, text: Bool = false) -> Bool {
                if sent == faultAfter, let fault {
                    if fault.kind == .streamError {
                        let error = ServiceError(status: 400, code: "DataInspectionFailed",
                                                 message: "Output data may contain inappropriate content.")
                        events.send(String(decoding: MockJSON.encode(error.compatibleBody(requestID: requestID)), as: UTF8.self))
                    } else {
                        writer.abort()
                    }
                    return false
                }
                if sent > 0, delay > 0 {
                    Threads.sleep(seconds: delay)
                }
                sent += 1
                return text && idle ? events.comment(frame) : events.send(frame)
            }
            guard send(chunk(delta: #"{"role":"assistant","content":""}"#)) else {
                return
            }
            for piece in reasoning where !send(chunk(delta: #"{"reasoning_content":"# + Self.quoted(piece) + "}")) {
                return
            }
            for index in 0..<count {
                let text = tokens == nil ? words[index] : "\(index) \(Self.now())\n"
                let finish = index == count - 1 ? #""stop""# : "null"
                guard send(chunk(delta: #"{"content":"# + Self.quoted(text) + "}", finish: finish), text: true) else {
                    return
                }
            }
            if job.includeUsage {
                let usage = String(decoding: MockJSON.encode(job.usage(tokens: count)), as: UTF8.self)
                guard send(chunk(choices: "[]", usage: usage)) else {
                    return
                }
            }
            _ = send("[DONE]")
        })
    }

    /// One `chat.completion.chunk` object with one choice whose delta is `delta`.
    private func chunk(delta: String, finish: String = "null") -> String {
        chunk(choices: #"[{"index":0,"delta":"# + delta + #","finish_reason":"# + finish + "}]", usage: nil)
    }

    private func chunk(choices: String, usage: String?) -> String {
        #"{"id":"# + Self.quoted(id) + #","object":"chat.completion.chunk","created":\#(created),"model":"#
            + Self.quoted(job.model) + #","choices":"# + choices + (usage.map { #","usage":"# + $0 } ?? "") + "}"
    }

    /// The time now in Unix seconds with microseconds, as a token carries it.
    private static func now() -> String {
        Date().timeIntervalSince1970.fixed(places: 6)
    }

    /// `text` as a JSON string literal, written by hand (a token at a time, JSONSerialization would be the bottleneck).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20: out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
