#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `chat` and `vl` share: the settings read into a `ChatRequest`, the model choice, and the run that prints
/// the answer as it arrives (or one JSON document), the thinking on stderr, usage with `-v`.
enum ChatRun {
    /// The catalogue row for `-m` (checked like every command's: a likely typo is refused), else `fallback` (the model a
    /// stored conversation was answered by), else `<command>.model` in the config, else the family's default.
    static func model(_ invocation: Invocation, configuration: Configuration, for capability: Capability,
                      fallback: String? = nil) throws -> ModelSpec {
        guard invocation.arguments.string("model") == nil, let fallback else {
            return try ModelChoice.resolve(invocation, configuration: configuration, for: capability)
        }
        return Catalog.resolve(fallback, for: capability)
    }

    /// The request `messages` make with the options of the command line, checked (64 for a value out of range).
    static func request(_ args: ParsedArguments, model: String, messages: [ChatMessage]) throws -> ChatRequest {
        var request = ChatRequest(model: model, messages: messages)
        request.stream = !args.flag("no-stream")
        request.temperature = args.number("temperature")
        request.topP = args.number("top-p")
        request.maxTokens = args.int("max-tokens")
        request.seed = args.int("seed")
        request.stop = args.all("stop")
        request.jsonObject = args.flag("json-object")
        request.thinkingBudget = args.int("thinking-budget")
        request.thinking = args.flag("think") || request.thinkingBudget != nil ? true : nil
        request.search = args.flag("search")
        try Chat.validate(request)
        return request
    }

    /// Sends the request and prints the answer; returns it, or nil for `--dry-run` and for a reader that closed stdout
    /// (the answer is then abandoned quietly, exit 0).
    static func run(_ invocation: Invocation, request: ChatRequest, session: Session) async throws -> ChatAnswer? {
        let args = invocation.arguments
        let console = invocation.console
        guard !args.flag("dry-run") else {
            let endpoint = Chat.endpoint(request)
            console.result(args.flag("json") ? session.client.describeJSON(endpoint, output: nil).pretty : session.client.describe(endpoint))
            return nil
        }
        let context = invocation.context
        let json = args.flag("json")
        let showsReasoning = args.flag("show-reasoning") || (context.stderrIsTerminal && !console.quiet)
        let output = ChatOutput(context: context, key: session.configuration.apiKey, dim: console.color)
        let answer: ChatAnswer
        do {
            answer = try await Chat.send(request, client: session.client,
                                         onText: { text in if !json { try output.text(text) } },
                                         onReasoning: { text in if showsReasoning { output.reasoning(text) } })
        } catch is ChatOutput.Closed {
            return nil
        } catch {
            output.endLine()
            throw error
        }
        do {
            if json {
                try output.text(answer.json.pretty + "\n")
            } else if !request.stream {
                if showsReasoning { output.reasoning(answer.reasoning) }
                try output.text(answer.text)
            }
        } catch is ChatOutput.Closed {
            return nil
        }
        output.endLine()
        if console.verbose, let line = answer.usageLine { console.info(line) }
        return answer
    }
}

/// Writes an answer as it arrives: text on stdout at once (control characters escaped, the key redacted), thinking on
/// stderr (dimmed on a colour terminal), a final newline only where a person reads it. A reader that closed stdout
/// (`| head -c 10`) ends the answer quietly; any other write failure is exit 73.
final class ChatOutput: @unchecked Sendable {
    /// Thrown from a write when the reader of stdout is gone: the stream stops and the run ends quietly.
    struct Closed: Error {}

    private let lock = Lock()
    private let context: RunContext
    private let key: String?
    private let dim: Bool
    // Every access is under `lock`, so the runtime's check of each access (once per token) is left out.
    @exclusivity(unchecked) private var textEndsLine = true
    @exclusivity(unchecked) private var reasoningEndsLine = true
    @exclusivity(unchecked) private var wroteText = false

    /// Creates the output of one run.
    init(context: RunContext, key: String?, dim: Bool) {
        self.context = context
        self.key = key
        self.dim = dim
    }

    /// Writes a piece of the answer to stdout now.
    func text(_ piece: String) throws {
        guard !piece.isEmpty else { return }
        try lock.withLock {
            if !reasoningEndsLine {
                try? context.writeStderr(Data("\n".utf8))
                reasoningEndsLine = true
            }
            do {
                try context.writeStdout(Self.bytes(clean(piece)))
            } catch let failure as StreamWriter.Failure where failure.readerLeft {
                throw Closed()
            } catch {
                throw DashScopeError("cannot write the answer to stdout: \(error)",
                                     hint: "check the disk or file stdout goes to", exit: .cannotWrite)
            }
            wroteText = true
            textEndsLine = piece.utf8.last == 0x0A
        }
    }

    /// Writes a piece of the thinking to stderr now (a failure there is dropped: nowhere is left to report it).
    func reasoning(_ piece: String) {
        guard !piece.isEmpty else { return }
        lock.withLock {
            let text = clean(piece)
            try? context.writeStderr(Self.bytes(dim ? "\u{1B}[2m" + text + "\u{1B}[0m" : text))
            reasoningEndsLine = piece.utf8.last == 0x0A
        }
    }

    /// Ends the last line of thinking, and on a terminal the last line of the answer.
    func endLine() {
        lock.withLock {
            if !reasoningEndsLine { try? context.writeStderr(Data("\n".utf8)) }
            reasoningEndsLine = true
            if context.stdoutIsTerminal, wroteText, !textEndsLine { try? context.writeStdout(Data("\n".utf8)) }
            textEndsLine = true
        }
    }

    /// `text` safe for a terminal (line feeds and tabs kept), the key redacted when the piece holds it (looked for in
    /// the bytes first: Foundation's search on every piece cost more than the rest of the stream).
    private func clean(_ text: String) -> String {
        var text = text
        let (hasKey, plain) = text.withUTF8 { haystack in (key.map { holds(haystack, $0) } ?? false, Self.isPlain(haystack)) }
        if hasKey { return TerminalText.block(Redaction.scrub(text, key: key)) }
        return plain ? text : TerminalText.block(text)
    }

    /// Whether `haystack` holds the key's bytes: `memchr` to each place its first byte occurs, `memcmp` there.
    private func holds(_ haystack: UnsafeBufferPointer<UInt8>, _ key: String) -> Bool {
        var key = key
        return key.withUTF8 { needle in
            guard let first = needle.first, let base = haystack.baseAddress, haystack.count >= needle.count else { return false }
            var start = 0
            while start <= haystack.count - needle.count {
                guard let found = memchr(base + start, Int32(first), haystack.count - needle.count + 1 - start) else { return false }
                start = UnsafeRawPointer(found) - UnsafeRawPointer(base)
                if memcmp(base + start, needle.baseAddress!, needle.count) == 0 { return true }
                start += 1
            }
            return false
        }
    }

    /// Whether the bytes are printable ASCII, line feeds and tabs: what `TerminalText.block` leaves as it is, found
    /// without its scan of Unicode scalars (most pieces of an English answer).
    private static func isPlain(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in bytes where byte &- 0x20 >= 0x5F && byte != 0x0A && byte != 0x09 { return false }
        return true
    }

    /// The UTF-8 bytes of `text`, copied once (`Data(text.utf8)` goes through a generic sequence initialiser).
    private static func bytes(_ text: String) -> Data {
        var text = text
        return text.withUTF8 { Data(buffer: $0) }
    }
}
