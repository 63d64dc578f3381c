#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A whole chat answer: what `--json` prints and a conversation keeps.
public struct ChatAnswer: Sendable, Equatable {
    /// The model that answered, as the service names it.
    public var model: String?
    /// The answer's text.
    public var text = ""
    /// The thinking text (`reasoning_content`), empty when the model did not think aloud.
    public var reasoning = ""
    /// The `usage` object as the service sent it.
    public var usage: JSON?
    /// The answer's id (`id`, the compatible mode's request id).
    public var requestID: String?
    /// Why the answer ended: `stop`, `length`, ...
    public var finishReason: String?

    /// An empty answer.
    public init() {}

    /// The answer of a non-streamed call (`choices[0].message`).
    public init(completion json: JSON) {
        take(ChatChunk(json))
        let message = json["choices"]?[0]?["message"]
        text = message?["content"]?.string ?? ""
        reasoning = message?["reasoning_content"]?.string ?? ""
    }

    /// The `--json` document: model, text, reasoning, usage, request id, finish reason.
    public var json: JSON {
        .object(["model": model.map(JSON.string) ?? .null, "text": .string(text), "reasoning": .string(reasoning),
                 "usage": usage ?? .null, "request_id": requestID.map(JSON.string) ?? .null,
                 "finish_reason": finishReason.map(JSON.string) ?? .null])
    }

    /// `usage: 12 in + 34 out = 46 tokens (10 reasoning)` for `-v`, or nil without usage.
    public var usageLine: String? {
        guard let usage else { return nil }
        let count = { (key: String) in usage[key]?.int.map(String.init) ?? "?" }
        var line = "usage: \(count("prompt_tokens")) in + \(count("completion_tokens")) out = \(count("total_tokens")) tokens"
        if let reasoning = usage["completion_tokens_details"]?["reasoning_tokens"]?.int { line += " (\(reasoning) reasoning)" }
        return line
    }

    /// Takes the fields every chunk (or the whole completion) may carry: id, model, usage, finish reason (the
    /// text and thinking deltas are the caller's to add).
    mutating func take(_ chunk: ChatChunk) {
        if let id = chunk.id, id != requestID { requestID = id }
        if let model = chunk.model, model != self.model { self.model = model }
        if let usage = chunk.usage { self.usage = usage }
        if let reason = chunk.finishReason { finishReason = reason }
    }
}

/// Reads a streamed chat answer chunk by chunk: text and thinking deltas go to the callbacks the moment their chunk
/// arrives (all the deltas of one network chunk in one call each), and the whole answer is kept for the end.
public final class ChatStreamReader: @unchecked Sendable {
    private let lock = Lock()
    // Every access is under `lock`, so the runtime's check of each access (a tenth of the per-token cost) is left out.
    @exclusivity(unchecked) private var events = ServiceEventStream()
    @exclusivity(unchecked) private var chunks = ChatChunkReader()
    /// The text and thinking of the network chunk being read (a property, not a local the event handlers capture:
    /// the runtime checked each access to that).
    @exclusivity(unchecked) private var pieces = Pieces()
    @exclusivity(unchecked) private var answer = ChatAnswer()
    @exclusivity(unchecked) private var bytes = 0
    @exclusivity(unchecked) private var failedReading = false
    private let onText: @Sendable (String) throws -> Void
    private let onReasoning: @Sendable (String) throws -> Void

    /// Creates a reader that hands text to `onText` and thinking to `onReasoning` as it arrives.
    public init(onText: @escaping @Sendable (String) throws -> Void, onReasoning: @escaping @Sendable (String) throws -> Void) {
        self.onText = onText
        self.onReasoning = onReasoning
    }

    /// Bytes of the answer received so far.
    public var received: Int { lock.withLock { bytes } }

    /// Whether the answer itself stopped the reading (an error frame, an event that is not JSON), not the connection.
    public var misread: Bool { lock.withLock { failedReading } }

    /// Takes the next network chunk; throws an error frame's `DashScopeError`, or what a callback threw. The text and
    /// thinking before an error frame are handed over first.
    public func feed(_ chunk: Data) throws {
        try chunk.withUnsafeBytes(feed)
    }

    /// `feed` on the bytes as the transport hands them over.
    public func feed(_ chunk: UnsafeRawBufferPointer) throws {
        try read(chunk)
    }

    /// Ends the stream and returns the whole answer; throws 69 when it ended before `[DONE]` (cut short).
    public func finish() throws -> ChatAnswer {
        try read(nil)
        return try lock.withLock {
            guard events.isDone else {
                throw DashScopeError("the answer ended before its end mark ([DONE]): it is incomplete", exit: .unavailable)
            }
            return answer
        }
    }

    /// Reads the next chunk, or the end of the stream when nil: each event fast when it has the usual shape, as a tree
    /// otherwise; then hands its text and thinking over, and throws what stopped the reading (the answer's own error).
    private func read(_ chunk: UnsafeRawBufferPointer?) throws {
        var failure: Error?
        let read = lock.withLock {
            func fast(_ data: UnsafeRawBufferPointer) -> Bool {
                switch chunks.read(data) {
                case nil: return false
                case let .chunk(piece): take(piece, into: &pieces)
                // The fields around the string are those of the chunk before, taken already.
                case let .repeated(piece, isReasoning: true): pieces.reasoning.add(piece)
                case let .repeated(piece, isReasoning: false): pieces.text.add(piece)
                }
                return true
            }
            func tree(_ json: JSON) { take(ChatChunk(json), into: &pieces) }
            do {
                if let chunk {
                    bytes += chunk.count
                    try events.feed(chunk, read: fast, object: tree)
                } else {
                    try events.finish(read: fast, object: tree)
                }
            } catch {
                failure = error
                failedReading = true
            }
            defer { pieces = Pieces() }
            return pieces
        }
        try hand(read)
        if let failure { throw failure }
    }

    /// The text and thinking of one network chunk, each joined.
    private struct Pieces {
        var text = Joined()
        var reasoning = Joined()
    }

    /// Strings joined as UTF-8 bytes (appending a short String to a String cost more than reading its chunk), each
    /// valid already, so the whole is made a String once and unchanged.
    private struct Joined {
        private var bytes: [UInt8] = []

        /// Adds `piece` at the end.
        mutating func add(_ piece: String) {
            var piece = piece
            piece.withUTF8 { bytes.append(contentsOf: $0) }
        }

        /// The pieces as one string.
        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// Adds a chunk's fields to the answer and its deltas to `pieces`. Call with the lock held.
    private func take(_ chunk: ChatChunk, into pieces: inout Pieces) {
        answer.take(chunk)
        if let piece = chunk.reasoning { pieces.reasoning.add(piece) }
        if let piece = chunk.content { pieces.text.add(piece) }
    }

    /// Adds a network chunk's text and thinking to the answer (once per chunk, not per event), then hands them to the
    /// callbacks.
    private func hand(_ pieces: Pieces) throws {
        let text = pieces.text.text
        let reasoning = pieces.reasoning.text
        lock.withLock {
            answer.text += text
            answer.reasoning += reasoning
        }
        if !reasoning.isEmpty { try onReasoning(reasoning) }
        if !text.isEmpty { try onText(text) }
    }
}

extension Chat {
    /// Sends `request` and returns the answer: streamed (text to `onText`, thinking to `onReasoning` as they arrive)
    /// or whole, given up at `deadline` (exit 75). A stream is never re-sent once it may have started (that would
    /// repeat what was printed): a failure then exits 69 saying how much had arrived.
    public static func send(_ request: ChatRequest, client: APIClient, deadline: Date? = nil,
                            onText: @escaping @Sendable (String) throws -> Void,
                            onReasoning: @escaping @Sendable (String) throws -> Void) async throws -> ChatAnswer {
        let endpoint = endpoint(request)
        guard request.stream else {
            do {
                return ChatAnswer(completion: try await client.perform(endpoint, deadline: deadline))
            } catch let error as DashScopeError where error.timeLimit != nil {
                throw timedOut(error, received: 0)
            } catch var error as DashScopeError where error.exitCode == .unavailable {
                error.hint = notResent
                throw error
            }
        }
        let reader = ChatStreamReader(onText: onText, onReasoning: onReasoning)
        do {
            try await client.stream(endpoint, deadline: deadline) { chunk in try reader.feed(chunk) }
        } catch let error as DashScopeError where error.timeLimit != nil {
            throw timedOut(error, received: reader.received)
        } catch var error as DashScopeError where error.exitCode == .unavailable {
            // What the answer itself held (an event that is not JSON) is said as it is; the words below are for a
            // connection that failed.
            guard !reader.misread else {
                error.hint = "what was printed is incomplete; " + notResent
                throw error
            }
            let received = reader.received
            if received > 0 && !error.permanent {
                error.message = "the answer broke off after \(received) bytes: the connection to the service failed before it was complete"
            }
            error.hint = received > 0 ? "what was printed is incomplete; " + notResent : notResent
            throw error
        }
        do {
            return try reader.finish()
        } catch var error as DashScopeError where error.exitCode == .unavailable {
            error.hint = "what was printed is incomplete; " + notResent
            throw error
        }
    }

    private static let notResent = "it was not sent again, as the service may already have answered (and billed) it: run the command again"

    /// The time limit's error in a chat's words (the transport's speak of a task): what had arrived stays printed, and
    /// a question that may have reached the service is not sent again.
    private static func timedOut(_ error: DashScopeError, received: Int) -> DashScopeError {
        var error = error
        switch (error.timeLimit, received > 0) {
        case (.beforeSending?, _):
            error.message = "the time limit (--timeout) ran out before the question was sent"
            error.hint = "nothing was sent (or billed): run again with a longer --timeout"
        case (_, true):
            error.message = "the time limit (--timeout) ran out before the answer was complete"
            error.hint = "what was printed is incomplete; " + notResent + " with a longer --timeout"
        default:
            error.message = "the time limit (--timeout) ran out before the answer came"
            error.hint = notResent + " with a longer --timeout"
        }
        return error
    }
}
