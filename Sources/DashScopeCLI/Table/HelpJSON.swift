import DashScopeKit

/// `dashscope help --json`: the command table as JSON, for tools that build on it (shell plugins, GUIs, docs).
enum HelpJSON {
    /// The whole table, or one command path of it; throws a usage error for an unknown command.
    static func render(_ path: [String], table: [CommandSpec]) throws -> String {
        let visible = table.filter { !$0.hidden }
        guard !path.isEmpty else {
            return JSON.object([
                "name": .string("dashscope"), "version": .string(Version.current),
                "usage": .string("dashscope <command> [PROMPT] [options]"),
                "commands": .array(visible.map { command($0, path: [$0.name]) }),
                "global_options": .array(Options.global.map(option)),
                "environment": .array(Help.environment.map { JSON.object(["name": .string($0.0), "meaning": .string($0.1)]) }),
                "exit_codes": .array(ExitCode.allCases.map { JSON.object(["code": .integer(Int($0.rawValue)), "meaning": .string($0.meaning)]) }),
            ]).pretty
        }
        guard let spec = CompletionValues.command(path.joined(separator: " "), table: visible) else {
            throw DashScopeError.usage("no help for '\(TerminalText.field(path.joined(separator: " ")))': unknown command"
                                       + Suggest.phrase(path[0], among: visible.map(\.name)),
                                       hint: "run `dashscope help` to see the commands")
        }
        return command(spec, path: path).pretty
    }

    /// One command: its words, positional, options, subcommands and examples.
    static func command(_ spec: CommandSpec, path: [String]) -> JSON {
        JSON.object([
            "name": .string(spec.name), "path": .string(path.joined(separator: " ")),
            "summary": .string(spec.summary), "details": .string(spec.details),
            "positional": spec.positional.map { positional in
                JSON.object(["name": .string(positional.name), "help": .string(positional.help), "required": .bool(positional.required),
                             "from_stdin": .bool(positional.fromStdin), "values": source(positional.values)])
            } ?? .null,
            "options": .array(spec.options.map(option)),
            "subcommands": .array(spec.subcommands.map { command($0, path: path + [$0.name]) }),
            "examples": .array(spec.examples.map(JSON.string)),
        ])
    }

    /// One option: spellings, kind, default, choices and where completions find its values.
    static func option(_ option: OptionSpec) -> JSON {
        var choices: [String]?
        let kind: String
        switch option.kind {
        case .flag: kind = "flag"
        case .text: kind = "text"
        case .integer: kind = "integer"
        case .number: kind = "number"
        case let .choice(words): kind = "choice"; choices = words
        case .suggested: kind = "text"
        }
        return JSON.object([
            "long": .string(option.long.count > 1 ? "--\(option.long)" : "-\(option.long)"),
            "short": option.short.map { .string("-\($0)") } ?? .null,
            "kind": .string(kind), "placeholder": option.kind == .flag ? .null : .string(option.placeholder),
            "repeatable": .bool(option.repeatable), "default": option.defaultText.map(JSON.string) ?? .null,
            "choices": choices.map { .array($0.map(JSON.string)) } ?? .null,
            "values": source(option.values), "help": .string(option.help),
        ])
    }

    /// A value source: its name, and its words when fixed.
    private static func source(_ source: ValueSource) -> JSON {
        if case let .words(words) = source { return .object(["source": .string("words"), "words": .array(words.map(JSON.string))]) }
        return .object(["source": .string(source.name)])
    }
}
