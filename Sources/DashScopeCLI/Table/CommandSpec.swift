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

/// Where completions find the values of an option or a positional; inferred from the table (see `OptionSpec.values`),
/// so a new command's options complete without naming one. Dynamic sources are answered by `dashscope __complete KIND`.
public enum ValueSource: Sendable, Equatable {
    /// Nothing to offer (free text, numbers).
    case none
    /// These words.
    case words([String])
    /// The catalogue's models of the command's family (every listed model where the command has none).
    case models
    /// The size presets and ratios of the chosen model (the `-m` on the line, else the command's default).
    case sizes
    /// The voices of the chosen model.
    case voices
    /// The video tiers of the chosen model.
    case resolutions
    /// The durations of the chosen model.
    case durations
    /// Task ids from the local journal, newest first.
    case taskIDs
    /// The names of the stored chat conversations, newest first.
    case conversations
    /// Files and directories.
    case files
    /// The commands (for `help`).
    case commands

    /// The value sources whose values depend on the line or the machine, by the name `dashscope __complete` takes.
    public static let dynamic: [String: ValueSource] = [
        "sizes": .sizes, "voices": .voices, "resolutions": .resolutions, "durations": .durations, "task-ids": .taskIDs,
        "conversations": .conversations,
    ]

    /// The name `dashscope __complete` takes for a dynamic source; nil for the others (scripts embed their values).
    public var dynamicName: String? { Self.dynamic.first(where: { $0.value == self })?.key }

    /// The source's name in `help --json` (`words`, `models`, `sizes`, `task-ids`, ...).
    public var name: String {
        switch self {
        case .none: return "none"
        case .words: return "words"
        case .models: return "models"
        case .files: return "files"
        case .commands: return "commands"
        default: return dynamicName ?? "none"
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
    /// Where completions find its values, when the inferred source (`values`) is not right.
    public var source: ValueSource?

    /// Creates an option.
    public init(_ long: String, short: Character? = nil, _ kind: ValueKind = .flag, placeholder: String = "",
                repeatable: Bool = false, default defaultText: String? = nil, values source: ValueSource? = nil, help: String) {
        self.long = long
        self.short = short
        self.kind = kind
        self.placeholder = placeholder
        self.help = help
        self.repeatable = repeatable
        self.defaultText = defaultText
        self.source = source
    }

    /// Model-dependent sources by long name: these win over a `.choice`, whose words cannot know the chosen model.
    static let sourcesByName: [String: ValueSource] = [
        "model": .models, "size": .sizes, "voice": .voices, "resolution": .resolutions, "duration": .durations,
        "conversation": .conversations,
    ]

    /// Where completions find the values: the explicit source, else by name (`--model`, `--size`, `--voice`,
    /// `--resolution`, `--duration`), else the words of a `.choice` or `.suggested`, else files for a path, else nothing.
    public var values: ValueSource {
        if let source { return source }
        if kind == .flag { return .none }
        if let byName = Self.sourcesByName[long] { return byName }
        if let words = kind.completions { return .words(words) }
        return takesPath ? .files : .none
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
    /// Where completions find its values: explicit, else by name (`TASK_ID`, `COMMAND`, `SHELL`), else nothing.
    public var values: ValueSource

    /// Creates a positional.
    public init(_ name: String, help: String, required: Bool = true, fromStdin: Bool = false, values: ValueSource? = nil) {
        self.name = name
        self.help = help
        self.required = required
        self.fromStdin = fromStdin
        self.values = values ?? Self.sourcesByName[name] ?? .none
    }

    /// Positional sources by name, so the table need not name them.
    static let sourcesByName: [String: ValueSource] = [
        "TASK_ID": .taskIDs, "COMMAND": .commands, "SHELL": .words(Completions.shells), "MODEL": .models,
    ]
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
    /// Whether help, the man page, the completions and `help --json` leave it out (`__complete`).
    public var hidden: Bool

    /// Creates a command.
    public init(_ name: String, summary: String, details: String = "", positional: PositionalSpec? = nil,
                options: [OptionSpec] = [], subcommands: [CommandSpec] = [], examples: [String] = [], hidden: Bool = false, handler: Handler? = nil) {
        self.name = name
        self.summary = summary
        self.details = details
        self.positional = positional
        self.options = options
        self.subcommands = subcommands
        self.examples = examples
        self.handler = handler
        self.hidden = hidden
    }

    /// The option with this long name.
    public func option(long: String) -> OptionSpec? { options.first(where: { $0.long == long }) }
    /// The option with this short letter.
    public func option(short: Character) -> OptionSpec? { options.first(where: { $0.short == short }) }
    /// The subcommand with this name.
    public func subcommand(_ name: String) -> CommandSpec? { subcommands.first(where: { $0.name == name }) }
}

extension PositionalSpec {
    /// How many words the positional takes: one per word of its name (`KEY VALUE` takes two).
    public var arity: Int { name.split(separator: " ").count }
}
