#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// `dashscope chat PROMPT`: prompt (stdin and argument) → the conversation → `ChatRequest` → the streamed answer → the
/// conversation saved.
enum ChatCommand {
    /// The handler.
    static func run(_ invocation: Invocation) async throws -> ExitCode {
        let args = invocation.arguments
        let prompt = try PromptInput.combined(invocation)
        let configuration = try Session.configuration(invocation)
        let store = ConversationStore(environment: invocation.context.environment, mock: Session.usesMock(invocation))
        var conversation = try chosenConversation(args, store: store)
        let model = try ChatRun.model(invocation, configuration: configuration, for: .chat, fallback: conversation.model)
        if let system = args.string("system") { conversation.system = system }
        let question = ChatMessage(.user, prompt)
        let messages = (conversation.system.map { [ChatMessage(.system, $0)] } ?? []) + conversation.messages + [question]
        let request = try ChatRun.request(args, model: model.name, messages: messages)
        let session = try Session(invocation, configuration: configuration)
        guard let answer = try await ChatRun.run(invocation, request: request, session: session) else { return .ok }
        conversation.model = model.name
        conversation.messages += [question, ChatMessage(.assistant, answer.text)]
        do {
            try store.save(conversation)
        } catch let error as DashScopeError where !asked(args) {
            invocation.console.warn("\(error.message) (the answer was not kept for --continue)")
        }
        return .ok
    }

    /// Whether the user asked for a stored conversation (then failing to keep it is an error, not a warning).
    private static func asked(_ args: ParsedArguments) -> Bool {
        args.flag("continue") || args.string("conversation") != nil
    }

    /// The conversation to go on with: `--conversation NAME` (created when new, required to exist with `--continue`),
    /// `--continue` alone (the newest), or a fresh one kept under the unnamed name.
    private static func chosenConversation(_ args: ParsedArguments, store: ConversationStore) throws -> Conversation {
        if let name = args.string("conversation") {
            if let found = try store.load(name) { return found }
            guard !args.flag("continue") else {
                throw DashScopeError.usage("there is no conversation named \(name) to continue",
                                           hint: "drop --continue to start it, or pick an existing one in \(TerminalText.line(store.directory))")
            }
            return Conversation(name: name)
        }
        guard args.flag("continue") else { return Conversation(name: ConversationStore.unnamed) }
        guard let name = store.lastName(), let found = try store.load(name) else {
            throw DashScopeError.usage("there is no conversation to continue yet",
                                       hint: "start one: dashscope chat \"...\" (add --conversation NAME to name it)")
        }
        return found
    }
}
