import Foundation
import DashScopeKit

/// Reads the prompt from the positional argument or from stdin, never waiting on a terminal that was not asked.
enum PromptInput {
    /// The prompt: the argument, or stdin for `-` or when stdin is not a terminal and no argument was given; empty when
    /// the command's prompt is optional (`i2v`) and none was given.
    static func read(_ invocation: Invocation) throws -> String {
        let args = invocation.arguments
        let context = invocation.context
        let name = args.command.positional?.name ?? "PROMPT"
        switch args.positional {
        case "-"?:
            return try fromStdin(context, name: name)
        case let text?:
            return text
        case nil where !context.stdinIsTerminal:
            return try fromStdin(context, name: name)
        case nil where args.command.positional?.required == false:
            return ""
        case nil:
            throw DashScopeError.usage("\(args.commandLine) needs a \(name)",
                                       hint: "write it after the command in quotes, or pipe it: echo \"...\" | \(args.commandLine)")
        }
    }

    private static func fromStdin(_ context: RunContext, name: String) throws -> String {
        let data = context.readStdin()
        guard let text = String(data: data, encoding: .utf8) else {
            throw DashScopeError.usage("stdin is not UTF-8 text", hint: "pipe the \(name.lowercased()) as UTF-8 text")
        }
        return text.trimmingCharacters(in: .newlines)
    }
}
