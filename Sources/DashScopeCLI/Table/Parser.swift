import DashScopeKit

/// What argv asks for.
public enum ParseOutcome: Sendable {
    /// Run a command.
    case run(ParsedArguments)
    /// Print help for a command path (empty: the overview).
    case help([String])
}

/// The hand-rolled parser: one loop over argv driven by the command table.
public enum Parser {
    /// Parses argv (without the program name) against the table; throws usage errors with "did you mean".
    public static func parse(_ argv: [String], table: [CommandSpec], globals: [OptionSpec]) throws -> ParseOutcome {
        var leading: [String] = []
        var index = 0
        var wantsHelp = false
        while index < argv.count, argv[index].hasPrefix("-"), argv[index] != "-", argv[index] != "--" {
            let token = argv[index]
            if token == "-h" || token == "--help" {
                wantsHelp = true
                index += 1
                continue
            }
            if token == "--version" { return .run(ParsedArguments(path: ["version"], command: table.first(where: { $0.name == "version" })!)) }
            let name = token.hasPrefix("--") ? String(token.dropFirst(2).prefix(while: { $0 != "=" })) : ""
            let spec = token.hasPrefix("--") ? globals.first(where: { $0.long == name }) : token.dropFirst().first.flatMap { c in globals.first(where: { $0.short == c }) }
            if token == "-V" || token == "-version" {
                throw DashScopeError.usage("unknown option '\(token)'. Did you mean 'dashscope version'?", hint: "run dashscope version (or dashscope --version)")
            }
            guard let spec else {
                throw DashScopeError.usage("unknown option '\(token)' before the command", hint: "put options after the command, e.g. dashscope t2i \"a cat\" \(token)")
            }
            leading.append(token)
            if spec.kind != .flag, !token.contains("="), token.hasPrefix("--") || token.count == 2 {
                index += 1
                guard index < argv.count else {
                    throw DashScopeError.usage("\(token) needs a value, and a command must follow", hint: "e.g. dashscope t2i \"a cat\" \(token) VALUE")
                }
                leading.append(argv[index])
            }
            index += 1
        }
        if wantsHelp { return .help(index < argv.count && table.contains(where: { $0.name == argv[index] }) ? [argv[index]] : []) }
        guard index < argv.count else {
            if leading.isEmpty { return .help([]) }
            throw DashScopeError.usage("no command after \(leading.joined(separator: " "))", hint: "run `dashscope help` to see the commands")
        }
        let name = argv[index]
        if name == "help" { return .help(Array(argv[(index + 1)...])) }
        guard var command = table.first(where: { $0.name == name }) else {
            throw DashScopeError.usage("unknown command '\(name)'\(Suggest.phrase(name, among: table.map(\.name)))",
                                       hint: "run `dashscope help` to see the commands")
        }
        var path = [name]
        index += 1
        if !command.subcommands.isEmpty {
            let names = command.subcommands.map(\.name)
            guard index < argv.count, !argv[index].hasPrefix("-") else {
                if index < argv.count, argv[index] == "-h" || argv[index] == "--help" { return .help(path) }
                throw DashScopeError.usage("`dashscope \(name)` needs a subcommand: \(names.joined(separator: ", "))",
                                           hint: "run `dashscope help \(name)`")
            }
            guard let sub = command.subcommand(argv[index]) else {
                throw DashScopeError.usage("unknown subcommand '\(argv[index])' of \(name)\(Suggest.phrase(argv[index], among: names))",
                                           hint: "run `dashscope help \(name)`")
            }
            command = sub
            path.append(sub.name)
            index += 1
        }
        let tokens = leading + Array(argv[index...])
        if tokens.prefix(while: { $0 != "--" }).contains(where: { $0 == "-h" || $0 == "--help" }) { return .help(path) }
        let parsed = try parseOptions(tokens, command: command, path: path, table: table)
        return parsed.flag("help") ? .help(path) : .run(parsed)
    }

    /// The error for an option `command` lacks: when other commands of `table` take it, that this one does not and why
    /// (`AbsentOptions`: `i2v --size`, the shape follows the image), rather than a near name of its own (`--seed`).
    static func unknownOption(_ name: String, command: CommandSpec, commandLine: String, table: [CommandSpec]) -> DashScopeError {
        let hint = "run `\(commandLine) --help` to see its options"
        let owners = table.filter { !$0.hidden && $0.name != command.name && $0.option(long: name) != nil }.map(\.name)
        guard !owners.isEmpty else {
            return .usage("unknown option '--\(name)' for \(commandLine)\(Suggest.phrase("--" + name, among: command.options.map { "--" + $0.long }))",
                          hint: hint)
        }
        let others = owners.count > 3 ? owners.prefix(3).joined(separator: ", ") + ", ..." : owners.joined(separator: ", ")
        let why = AbsentOptions.notes[command.name]?[name] ?? "it is an option of \(others)"
        return .usage("unknown option '--\(name)' for \(commandLine): \(why)", hint: hint)
    }

    /// Parses the tokens after the command name.
    static func parseOptions(_ tokens: [String], command: CommandSpec, path: [String], table: [CommandSpec] = []) throws -> ParsedArguments {
        var parsed = ParsedArguments(path: path, command: command)
        var i = 0
        var onlyPositionals = false
        func store(_ spec: OptionSpec, _ value: String, as spelled: String) throws {
            let checked = try check(value, for: spec, spelled: spelled,
                                    example: example(spec, tokens: tokens, path: path, table: table) ?? spec.defaultText)
            parsed.values[spec.long, default: []].append(checked)
        }
        while i < tokens.count {
            let token = tokens[i]
            i += 1
            if onlyPositionals || token == "-" || !token.hasPrefix("-") || isNegativeNumber(token) {
                parsed.positionals.append(token)
                continue
            }
            if token == "--" { onlyPositionals = true; continue }
            if token.hasPrefix("--") {
                let body = token.dropFirst(2)
                let name = String(body.prefix(while: { $0 != "=" }))
                let inline = body.contains("=") ? String(body.drop(while: { $0 != "=" }).dropFirst()) : nil
                guard let spec = command.option(long: name) else {
                    throw unknownOption(name, command: command, commandLine: parsed.commandLine, table: table)
                }
                if spec.kind == .flag {
                    if inline != nil { throw DashScopeError.usage("--\(name) takes no value", hint: "write just --\(name)") }
                    parsed.values[spec.long, default: []].append("")
                    continue
                }
                if let inline { try store(spec, inline, as: "--\(name)"); continue }
                guard i < tokens.count else { throw missingValue(spec, spelled: "--\(name)") }
                try store(spec, tokens[i], as: "--\(name)")
                i += 1
                continue
            }
            var letters = Array(token.dropFirst())
            while let letter = letters.first {
                letters.removeFirst()
                guard let spec = command.option(short: letter) else {
                    throw DashScopeError.usage("unknown option '-\(letter)' for \(parsed.commandLine)",
                                               hint: "run `\(parsed.commandLine) --help` to see its options")
                }
                if spec.kind == .flag { parsed.values[spec.long, default: []].append(""); continue }
                var value = String(letters)
                if value.hasPrefix("=") { value.removeFirst() }
                if value.isEmpty {
                    guard i < tokens.count else { throw missingValue(spec, spelled: "-\(letter)") }
                    value = tokens[i]
                    i += 1
                }
                try store(spec, value, as: "-\(letter)")
                break
            }
        }
        for (long, values) in parsed.values where values.count > 1 {
            if let spec = command.option(long: long), !spec.repeatable, spec.kind != .flag {
                parsed.values[long] = [values.last!]
            }
        }
        if let positional = command.positional, positional.fromStdin, parsed.positionals.count > 1 {
            parsed.positionals = [try joinWords(parsed.positionals, positional: positional, commandLine: parsed.commandLine)]
        }
        let allowed = command.positional?.arity ?? 0
        if parsed.positionals.count > allowed {
            let extra = parsed.positionals[allowed]
            throw DashScopeError.usage("unexpected argument '\(extra)' for \(parsed.commandLine)",
                                       hint: "run `\(parsed.commandLine) --help` to see its usage")
        }
        return parsed
    }

    /// The words of an unquoted prompt (`dashscope t2i a red fox -n 2`) joined by single spaces, as `llm` does: every
    /// word that is not an option or an option's value, wherever it stands. `-` (read stdin) must stand alone.
    static func joinWords(_ words: [String], positional: PositionalSpec, commandLine: String) throws -> String {
        guard !words.contains("-") else {
            throw DashScopeError.usage("`-` reads the \(positional.name.lowercased()) from stdin, so it cannot go with other words",
                                       hint: "drop the `-`, or pipe everything: echo \"...\" | \(commandLine)")
        }
        return words.joined(separator: " ")
    }

    private static func isNegativeNumber(_ token: String) -> Bool {
        token.count > 1 && Double(token) != nil
    }

    private static func missingValue(_ spec: OptionSpec, spelled: String) -> DashScopeError {
        DashScopeError.usage("\(spelled) needs a value (\(spec.placeholder.isEmpty ? "VALUE" : spec.placeholder))",
                             hint: "write \(spelled) \(spec.placeholder.isEmpty ? "VALUE" : spec.placeholder)")
    }

    /// An example value of `spec` from the model on the line (`-m`, else the command's default), for options whose values
    /// depend on it: `--duration 5` where the model makes 5-second clips. Nil for other options.
    static func example(_ spec: OptionSpec, tokens: [String], path: [String], table: [CommandSpec]) -> String? {
        let model = tokens.indices.last { ["-m", "--model"].contains(tokens[$0]) && $0 + 1 < tokens.count }.map { tokens[$0 + 1] }
        let values = CompletionValues.values(spec.values, command: path.joined(separator: " "), model: model, table: table, environment: [:])
        return values.first { $0.1.contains("default") }?.0 ?? values.first?.0
    }

    private static func check(_ value: String, for spec: OptionSpec, spelled: String, example: @autoclosure () -> String?) throws -> String {
        // Region names also read as their cities (beijing, singapore, virginia) and region ids (cn-beijing, ap-southeast-1,
        // us-east-1), in any case; help shows cn, intl, us.
        if spec.long == "region", let region = Region(name: value) { return region.rawValue }
        switch spec.kind {
        case .flag, .text, .suggested:
            return value
        case .integer:
            guard Int(value) != nil else {
                // Digits past Int's range are a whole number all the same: say it is out of range, not "not a number".
                let digits = value.first == "-" || value.first == "+" ? value.dropFirst() : value[...]
                let huge = !digits.isEmpty && digits.allSatisfy { ("0"..."9").contains($0) }
                throw DashScopeError.usage(huge ? "\(spelled) \(value) is out of range" : "\(spelled) takes a whole number, not '\(value)'",
                                           hint: "e.g. \(spelled) \(example() ?? "1")")
            }
        case .number:
            guard let n = Double(value), n.isFinite else {
                throw DashScopeError.usage("\(spelled) takes a number, not '\(value)'", hint: "e.g. \(spelled) \(example() ?? "1")")
            }
        case let .choice(words):
            // Any case is accepted and normalised to the table's spelling (the wire's: `--status succeeded` is SUCCEEDED).
            guard let word = words.first(where: { $0.lowercased() == value.lowercased() }) else {
                throw DashScopeError.usage("\(spelled) cannot be '\(value)'\(Suggest.phrase(value, among: words))",
                                           hint: "use one of: \(words.joined(separator: ", "))")
            }
            return word
        }
        return value
    }
}
