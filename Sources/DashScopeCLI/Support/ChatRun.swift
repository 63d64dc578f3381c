#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

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
        let deadline = try TimeoutOption.deadline(args, from: Date(), waitingFor: "the answer")
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
            answer = try await Chat.send(request, client: session.client, deadline: deadline,
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
