import DashScopeKit

/// Writes the man page (roff) from the command table, so it can never disagree with the parser.
public enum ManPage {
    /// The whole `dashscope.1` page.
    public static func render(table: [CommandSpec]) -> String {
        var out = [".TH DASHSCOPE 1 \"\" \"dashscope \(Version.current)\" \"User Commands\"",
                   ".SH NAME", "dashscope \\- Alibaba Cloud Model Studio (DashScope) from the shell",
                   ".SH SYNOPSIS", ".B dashscope", "\\fIcommand\\fR [\\fIPROMPT\\fR] [\\fIoptions\\fR]",
                   ".SH DESCRIPTION",
                   "Generates images with DashScope models, waits for async tasks, and saves the results. "
                   + "Results go to stdout, one saved path per line (or one JSON document with \\fB\\-\\-json\\fR); "
                   + "progress, warnings and errors go to stderr.",
                   ".SH COMMANDS"]
        for command in table {
            let commands = command.subcommands.isEmpty ? [(command.name, command)] : command.subcommands.map { ("\(command.name) \($0.name)", $0) }
            for (name, spec) in commands {
                out += [".SS \(escape(usage(name, spec)))", escape(spec.summary) + "." + (spec.details.isEmpty ? "" : " " + escape(spec.details))]
                let own = spec.options.filter { option in !Options.global.contains(where: { $0.long == option.long }) }
                for option in own { out += optionLines(option) }
                for example in spec.examples { out += [".PP", ".nf", "  " + escape(example), ".fi"] }
            }
        }
        out += [".SH GLOBAL OPTIONS"]
        for option in Options.global { out += optionLines(option) }
        out += [".SH ENVIRONMENT"]
        for (name, meaning) in Help.environment { out += [".TP", ".B \(name)", escape(meaning)] }
        out += [".SH FILES", ".TP", ".I $XDG_CONFIG_HOME/dashscope/config",
                "key = value lines: api_key, region, base_url, output, <command>.model. Precedence: flag > environment > config file > default.",
                ".TP", ".I $XDG_STATE_HOME/dashscope/tasks.jsonl", "the task journal that \\fBtask wait\\fR resumes from."]
        out += [".SH EXIT STATUS"]
        for code in ExitCode.allCases { out += [".TP", ".B \(code.rawValue)", escape(code.meaning)] }
        out += [".SH SEE ALSO", "dashscope-mock(1) \\- the offline server: \\fBdashscope\\-mock \\-\\-help\\fR"]
        return out.joined(separator: "\n") + "\n"
    }

    private static func usage(_ name: String, _ spec: CommandSpec) -> String {
        var text = "dashscope \(name)"
        if let positional = spec.positional { text += positional.required && !positional.fromStdin ? " \(positional.name)" : " [\(positional.name)]" }
        return text
    }

    private static func optionLines(_ option: OptionSpec) -> [String] {
        [".TP", ".B " + escape(option.signature.trimmingCharacters(in: .whitespaces)), escape(option.fullHelp)]
    }

    /// Escapes backslashes and dashes, and keeps a leading dot or quote from reading as a request.
    static func escape(_ text: String) -> String {
        var s = text.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "-", with: "\\-")
        if s.hasPrefix(".") || s.hasPrefix("'") { s = "\\&" + s }
        return s
    }
}
