import DashScopeKit

/// The kind of value an option takes.
public enum ValueKind: Sendable, Equatable {
    /// No value: present or absent.
    case flag
    /// Free text.
    case text
    /// A whole number.
    case integer
    /// A decimal number.
    case number
    /// One of the listed words.
    case choice([String])
    /// Free text; completions offer the listed words (known values of an open list, such as voices).
    case suggested([String])

    /// The words completions offer, if any.
    public var completions: [String]? {
        switch self {
        case let .choice(words), let .suggested(words): return words
        default: return nil
        }
    }
}

/// One option of the command table: spelling, value kind, help. Parsing, help, man page and completions all read it.
public struct OptionSpec: Sendable {
    /// The long name without dashes (`model`).
    public var long: String
    /// The short letter (`m`), if any.
    public var short: Character?
    /// The value kind.
    public var kind: ValueKind
    /// The value's name in help (`MODEL`).
    public var placeholder: String
    /// One line of help.
    public var help: String
    /// Whether it may be given several times.
    public var repeatable: Bool
    /// The default, as shown in help.
    public var defaultText: String?

    /// Creates an option.
    public init(_ long: String, short: Character? = nil, _ kind: ValueKind = .flag, placeholder: String = "",
                repeatable: Bool = false, default defaultText: String? = nil, help: String) {
        self.long = long
        self.short = short
        self.kind = kind
        self.placeholder = placeholder
        self.help = help
        self.repeatable = repeatable
        self.defaultText = defaultText
    }

    /// The help line with the allowed values and the default appended, as help and the man page show it.
    public var fullHelp: String {
        var text = help
        if case let .choice(words) = kind, !text.contains(words[0]) { text += " (\(words.joined(separator: ", ")))" }
        if let defaultText { text += " [default: \(defaultText)]" }
        return text
    }

    /// Whether the value is a file or directory path (`-o PATH`, `-i IMAGE`), so completions offer files.
    public var takesPath: Bool { ["PATH", "IMAGE", "VIDEO", "AUDIO", "FILE"].contains(placeholder) }

    /// `-m, --model MODEL` as shown in help.
    public var signature: String {
        var s = short.map { "-\($0)" } ?? "    "
        if long.count > 1 { s += (short == nil ? "" : ", ") + "--\(long)" } else { s += "  " + String(repeating: " ", count: long.count + 2) }
        if kind != .flag { s += " " + (placeholder.isEmpty ? "VALUE" : placeholder) }
        return s
    }
}

/// The command's single positional argument (the prompt, a task id, a shell name).
public struct PositionalSpec: Sendable {
    /// Its name in help (`PROMPT`).
    public var name: String
    /// One line of help.
    public var help: String
    /// Whether it must be given (or come from stdin when `fromStdin`).
    public var required: Bool
    /// Whether `-` or an omitted value with a non-terminal stdin reads it from stdin.
    public var fromStdin: Bool

    /// Creates a positional.
    public init(_ name: String, help: String, required: Bool = true, fromStdin: Bool = false) {
        self.name = name
        self.help = help
        self.required = required
        self.fromStdin = fromStdin
    }
}

/// What a handler receives: the parsed arguments and the run's context.
public struct Invocation: Sendable {
    /// The parsed arguments.
    public var arguments: ParsedArguments
    /// Streams, environment and transport of this run.
    public var context: RunContext
    /// Where human output goes.
    public var console: Console
}

/// Runs a command; returns its exit code or throws a `DashScopeError`.
public typealias Handler = @Sendable (Invocation) async throws -> ExitCode

/// One entry of the command table.
public struct CommandSpec: Sendable {
    /// The command's name (`t2i`, `wait`).
    public var name: String
    /// One line for the command list.
    public var summary: String
    /// A longer description for `help <command>`.
    public var details: String
    /// The positional argument, if any.
    public var positional: PositionalSpec?
    /// The options, global ones included.
    public var options: [OptionSpec]
    /// Subcommands (`task status`, ...).
    public var subcommands: [CommandSpec]
    /// Example lines for help.
    public var examples: [String]
    /// The handler; nil for a group of subcommands.
    public var handler: Handler?

    /// Creates a command.
    public init(_ name: String, summary: String, details: String = "", positional: PositionalSpec? = nil,
                options: [OptionSpec] = [], subcommands: [CommandSpec] = [], examples: [String] = [], handler: Handler? = nil) {
        self.name = name
        self.summary = summary
        self.details = details
        self.positional = positional
        self.options = options
        self.subcommands = subcommands
        self.examples = examples
        self.handler = handler
    }

    /// The option with this long name.
    public func option(long: String) -> OptionSpec? { options.first(where: { $0.long == long }) }
    /// The option with this short letter.
    public func option(short: Character) -> OptionSpec? { options.first(where: { $0.short == short }) }
    /// The subcommand with this name.
    public func subcommand(_ name: String) -> CommandSpec? { subcommands.first(where: { $0.name == name }) }
}
