#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// Reads the prompt from the positional argument or from stdin, never waiting on a terminal that was not asked.
enum PromptInput {
    /// The prompt: the argument, or stdin for `-` or when stdin is not a terminal and no argument was given; empty when
    /// the command's prompt is optional (`i2v`) and none was given.
    static func read(_ invocation: Invocation) throws -> String {
        let args = invocation.arguments
        let context = invocation.context
        switch args.positional {
        case "-"?:
            return try decoded(try context.readStdin(), args)
        case let text?:
            return text
        case nil where !context.stdinIsTerminal:
            return try decoded(try context.readStdin(), args)
        case nil where args.command.positional?.required == false:
            return ""
        case nil:
            throw missing(args)
        }
    }

    /// The prompt of `chat` and `vl`, where stdin and the argument combine as `llm` does: stdin (when it is not a
    /// terminal, or for `-`) first, then the argument, joined by a blank line. An argument with an empty stdin is the
    /// argument alone; no argument needs a non-empty stdin; a terminal is never read unless `-` asks for it.
    static func combined(_ invocation: Invocation) throws -> String {
        let args = invocation.arguments
        let context = invocation.context
        switch args.positional {
        case "-"?:
            return try fromStdin(context, args)
        case let text? where context.stdinIsTerminal:
            return text
        case let text?:
            let piped = try decoded(try context.readStdin(), args)
            return piped.isEmpty ? text : piped + "\n\n" + text
        case nil where !context.stdinIsTerminal:
            return try fromStdin(context, args)
        case nil:
            throw missing(args)
        }
    }

    /// What the command calls its prompt (PROMPT, TEXT, QUESTION).
    private static func name(_ args: ParsedArguments) -> String {
        args.command.positional?.name ?? "PROMPT"
    }

    private static func missing(_ args: ParsedArguments) -> DashScopeError {
        DashScopeError.usage("\(args.commandLine) needs a \(name(args))",
                             hint: "write it after the command in quotes, or pipe it: echo \"...\" | \(args.commandLine)")
    }

    /// Stdin as the whole prompt of `chat` or `vl`: it must hold text.
    private static func fromStdin(_ context: RunContext, _ args: ParsedArguments) throws -> String {
        let text = try decoded(try context.readStdin(), args)
        guard !text.isEmpty else {
            throw DashScopeError.usage("stdin is empty: there is no \(name(args).lowercased()) to send",
                                       hint: "pipe some text in, or write the \(name(args).lowercased()) after the command in quotes")
        }
        return text
    }

    /// Piped bytes as text without surrounding line breaks, possibly empty (the command decides what an empty prompt
    /// means: i2v sends none); binary data (a NUL byte, or bytes that are not UTF-8) is refused with exit 65 by every
    /// command, since it is the content of what was piped that is wrong.
    private static func decoded(_ data: Data, _ args: ParsedArguments) throws -> String {
        guard !data.contains(0), let text = String(data: data, encoding: .utf8) else {
            // Where an image would go instead: this command's -i, or vl for a chat.
            let image = args.command.option(long: "image") != nil ? "; give images with -i FILE"
                : args.command.name == "chat" ? "; to ask about an image use dashscope vl -i FILE" : ""
            throw DashScopeError("stdin holds binary data (\(data.contains(0) ? "NUL bytes" : "bytes that are not UTF-8")), not a \(name(args).lowercased())",
                                 hint: "pipe UTF-8 text" + image, exit: .badInput)
        }
        return text.trimming(where: \.isLineBreak)
    }
}
