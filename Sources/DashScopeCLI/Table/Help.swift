import DashScopeKit

/// Renders help text from the command table, so help can never disagree with the parser.
public enum Help {
    /// The environment variables the tool reads: the settings table's first (`DASHSCOPE_API_KEY`, `DASHSCOPE_REGION`, ...).
    public static let environment: [(String, String)] = Settings.all.compactMap { setting in setting.environment.map { ($0, setting.meaning) } } + [
        ("DASHSCOPE_MOCK", "1 runs every command against the built-in mock server"),
        ("DASHSCOPE_MOCK_TASK_SECONDS", "how long mock tasks take (default 1; a comma list cycles per task)"),
        ("DASHSCOPE_MOCK_FAULTS", "faults for the built-in mock, e.g. 429@create*2,fail"),
        ("XDG_CONFIG_HOME", "config file at $XDG_CONFIG_HOME/dashscope/config (key = value lines)"),
        ("XDG_STATE_HOME", "task journal at $XDG_STATE_HOME/dashscope/tasks.jsonl"),
        ("NO_COLOR", "disables colour"),
        ("HTTPS_PROXY, NO_PROXY", "proxy settings, as curl reads them (also lowercase https_proxy, no_proxy)"),
        ("SSL_CERT_FILE, SSL_CERT_DIR", "Linux: CA certificates to trust instead of the system's (or CURL_CA_BUNDLE)"),
    ]

    /// Help for a command path; the overview for an empty path. Throws a usage error for an unknown command.
    /// With `--json` in the path, the command table (or the named command) as JSON.
    public static func render(_ path: [String], table: [CommandSpec]) throws -> String {
        if path.contains("--json") { return try HelpJSON.render(path.filter { $0 != "--json" }, table: table) }
        guard let first = path.first else { return overview(table) }
        guard var command = table.first(where: { $0.name == first }) else {
            throw DashScopeError.usage("no help for '\(first)': unknown command\(Suggest.phrase(first, among: table.map(\.name)))",
                                       hint: "run `dashscope help` to see the commands")
        }
        for name in path.dropFirst() {
            guard let sub = command.subcommand(name) else {
                throw DashScopeError.usage("unknown subcommand '\(name)' of \(command.name)\(Suggest.phrase(name, among: command.subcommands.map(\.name)))")
            }
            command = sub
        }
        return render(command, path: path)
    }

    static func overview(_ table: [CommandSpec]) -> String {
        var lines = ["dashscope \(Version.current) — Alibaba Cloud Model Studio (DashScope) from the shell", "",
                     "USAGE", "  dashscope <command> [PROMPT] [options]", "", "COMMANDS"]
        lines += Table.render(table.filter { !$0.hidden }.flatMap { command -> [[String]] in
            let subs = command.subcommands.map { ["  \(command.name) \($0.name)", $0.summary] }
            return command.subcommands.isEmpty ? [["  " + command.name, command.summary]] : subs
        })
        lines += ["", "GLOBAL OPTIONS (of every command that reaches the service; -q, --color and -h work with every command but help)"]
            + optionLines(Options.global)
        lines += ["", "ENVIRONMENT"] + Table.render(environment.map { ["  " + $0.0, $0.1] })
        lines += ["", "EXIT CODES"] + Table.render(ExitCode.allCases.map { ["  \($0.rawValue)", $0.meaning] })
        lines += ["", "EXAMPLES", "  dashscope t2i \"一只可爱的猫\" --mock", "  dashscope t2i \"a cat\" -n 4 -o cats/",
                  "  dashscope task wait", "", "Run `dashscope help <command>` for its options."]
        return lines.joined(separator: "\n")
    }

    static func render(_ command: CommandSpec, path: [String]) -> String {
        let name = "dashscope " + path.joined(separator: " ")
        var usage = name
        if !command.subcommands.isEmpty { usage += " <subcommand>" }
        if let positional = command.positional { usage += positional.required && !positional.fromStdin ? " \(positional.name)" : " [\(positional.name)]" }
        if !command.options.isEmpty { usage += " [options]" }
        var lines = ["\(name) — \(command.summary)", "", "USAGE", "  " + usage]
        if !command.details.isEmpty { lines += ["", command.details] }
        if !command.subcommands.isEmpty {
            lines += ["", "SUBCOMMANDS"] + Table.render(command.subcommands.map { ["  " + $0.name, $0.summary] })
        }
        if let positional = command.positional {
            lines += ["", "ARGUMENTS"] + Table.render([["  " + positional.name, positional.help]])
        }
        let takesGlobals = command.options.contains(where: { $0.long == "api-key" })
        let globals = Set(Options.global.map(\.long))
        let own = command.options.filter { !takesGlobals || !globals.contains($0.long) }
        if !own.isEmpty { lines += ["", "OPTIONS"] + optionLines(own) }
        if takesGlobals {
            lines += ["", "GLOBAL OPTIONS"] + optionLines(Options.global)
        }
        if !command.examples.isEmpty { lines += ["", "EXAMPLES"] + command.examples.map { "  " + $0 } }
        return lines.joined(separator: "\n")
    }

    static func optionLines(_ options: [OptionSpec]) -> [String] {
        Table.render(options.map { ["  " + $0.signature, $0.fullHelp] })
    }
}
