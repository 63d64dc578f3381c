import DashScopeKit

/// Writes the man page (roff) from the command table, so it can never disagree with the parser.
public enum ManPage {
    /// The whole `dashscope.1` page.
    public static func render(table: [CommandSpec]) -> String {
        var out = [".TH DASHSCOPE 1 \"\" \"dashscope \(Version.current)\" \"User Commands\"",
                   ".SH NAME", "dashscope \\- Alibaba Cloud Model Studio (DashScope) from the shell",
                   ".SH SYNOPSIS", ".B dashscope", "\\fIcommand\\fR [\\fIPROMPT\\fR] [\\fIoptions\\fR]",
                   ".SH DESCRIPTION",
                   "Runs DashScope's generative models from the shell: it checks the request against the model's limits, "
                   + "sends it, waits for async tasks, and saves the results. Results go to stdout, one saved path per line (or one JSON document with "
                   + "\\fB\\-\\-json\\fR); progress, warnings and errors go to stderr. Every command, option and default below is "
                   + "printed from the same table the parser reads; \\fBdashscope help \\-\\-json\\fR prints that table as JSON.",
                   ".SH COMMANDS"]
        for (name, spec) in Completions.leaves(table) {
            out += [".SS \(escape(usage(name, spec)))", roff(spec.summary) + "." + (spec.details.isEmpty ? "" : " " + roff(spec.details))]
            if let positional = spec.positional { out += [".TP", ".I \(positional.name)", roff(positional.help)] }
            let own = spec.options.filter { option in !Options.global.contains(where: { $0.long == option.long }) }
            for option in own { out += optionLines(option) }
            for example in spec.examples { out += [".PP", ".nf", "  " + escape(example), ".fi"] }
        }
        out += [".SH OPTIONS", "Every command that talks to the service also takes these; -q, --color and -h work with every command but help:"]
        for option in Options.global { out += optionLines(option) }
        out += [".SH ENVIRONMENT"]
        for (name, meaning) in Help.environment { out += [".TP", ".B \(escape(name))", roff(meaning)] }
        out += [".SH FILES"]
        for (path, meaning) in files { out += [".TP", ".I \(escape(path))", roff(meaning)] }
        out += [".SH BEHAVIOUR"]
        for (title, text) in rules { out += [".TP", ".B \(escape(title))", roff(text)] }
        out += [".SH EXIT STATUS"]
        for code in ExitCode.allCases { out += [".TP", ".B \(code.rawValue)", roff(code.meaning)] }
        out += [".SH EXAMPLES"]
        for (text, line) in examples { out += [".PP", roff(text), ".PP", ".nf", "  " + escape(line), ".fi"] }
        out += [".SH SEE ALSO", ".BR dashscope\\-mock (1)",
                "\\(em the offline server, also printed by \\fBdashscope man dashscope\\-mock\\fR."]
        return out.joined(separator: "\n") + "\n"
    }

    /// The files the tool reads and writes.
    static let files: [(String, String)] = [
        ("$XDG_CONFIG_HOME/dashscope/config", "key = value lines, # comments (`dashscope help config`): "
            + Settings.all.map { $0.name == Settings.commandModel ? "<command>.model" : $0.name }.joined(separator: ", ")
            + " (default ~/.config/dashscope/config). Precedence: flag > environment > config file > default. "
            + "The API origin is the base URL or the workspace host from the highest level (flag > environment > config file) that sets either, "
            + "a base URL winning within a level; else the region's host. A bad line stops every command that needs the settings with its "
            + "file and line (exit 78; doctor names it); version, help, man, models, completions, __complete, config set, unset and path, "
            + "task list --local and task forget still run, so the file can be mended."),
        ("$XDG_STATE_HOME/dashscope/tasks.jsonl", "the task journal (default ~/.local/state/dashscope/tasks.jsonl, mode 600): "
            + "every submitted async task, so `task wait` can resume it and completions can offer its id."),
        ("$XDG_STATE_HOME/dashscope/conversations/", "the chat conversations, NAME.json each (default "
            + "~/.local/state/dashscope/conversations, directory mode 700, files 600): `chat --continue` and `--conversation NAME` "
            + "continue them; an unnamed chat is kept as last."),
        ("completions/dashscope.bash, _dashscope, dashscope.fish", "the completion scripts `make install` puts in "
            + "share/bash-completion/completions, share/zsh/site-functions and share/fish/vendor_completions.d."),
    ]

    /// What the EXAMPLES section shows: what for, then the line.
    static let examples: [(String, String)] = [
        ("Try it with no key and no cost, against the built-in mock:", "dashscope t2i \"一只可爱的猫\" --mock"),
        ("Four images of one prompt into a directory:", "dashscope t2i \"a cat\" -n 4 -o cats/"),
        ("A widescreen image from a faster model:", "dashscope t2i \"a lighthouse at dusk\" -m wan2.2-t2i-flash --size 16:9"),
        ("Submit now, collect later (downloads included):", "dashscope t2i \"a cat\" --no-wait && dashscope task wait"),
        ("Every limit of one model:", "dashscope models wan2.6-t2i"),
        ("Completions for the running bash:", "source <(dashscope completions bash)"),
    ]

    /// The rules users rely on, one paragraph each.
    static let rules: [(String, String)] = [
        ("Files", "Downloads go to a hidden .part file beside the target and are renamed when complete; no half-written file "
            + "ever has a final name. A task's partial download, .dashscope-TASK-N.part, survives Ctrl-C, SIGTERM and --timeout, and "
            + "dashscope task wait continues it; other half-written files are deleted when the run is stopped. Existing files are kept (-2, -3, ... "
            + "is added) unless --force, which replaces the name itself: a symlink there is replaced, never written through. "
            + "Template values ({task}, {model}, {slug}, ...) become one file name part each: a / or .. from the service cannot "
            + "leave the output directory. An interrupted download resumes with an HTTP Range request; a 204, an empty 200 or "
            + "an unasked 206 answer is a failed output, never an empty file."),
        ("Inputs", "-i and --mask take a local path or an http(s)://, oss:// or data: URL. Local files are checked before "
            + "anything is sent: exists (else 66), format from the magic bytes, pixel size from the header and byte size "
            + "against the model's limits (else 65, naming the file, the value and the range); a mask must have its "
            + "image's size (data: URLs are checked the same way; remote URLs are not fetched). They go inline as data URLs, or with --upload through the temporary store (one policy per "
            + "call, never with the key, oss:// URLs resolved by the service). --dry-run shows placeholders and uploads nothing."),
        ("Money", "-n defaults to 1 and is always sent. A create is re-sent only after a 429 or 503 answer or when nothing "
            + "reached the server; when its answer is lost or cut short, the task may exist: check dashscope task list."),
        ("Waiting", "Tasks are polled on a schedule per kind of output (images first at about 3.5 s, then every 2 s; videos "
            + "sparsely until 30 s, then every 4.5 s), over one kept-alive connection. A failing poll is retried with backoff "
            + "until --timeout (default: no limit): a running task is never abandoned. --timeout bounds the whole job (create, "
            + "polls, downloads), exits 75 and prints the exact dashscope task wait line that resumes it, as Ctrl-C does "
            + "(exit 130) and SIGTERM (exit 143, within 1.5 s; a second signal stops at once). UNKNOWN (missing or expired) is final; a status the tool does not know is not: it keeps polling and "
            + "warns once."),
        ("Trust", "Only http and https are followed, at every hop. Task ids from the service are checked (letters, digits, - "
            + "and _) before they reach a path, the journal or a printed command line, which is always shell-quoted. Control "
            + "characters from the service are shown escaped. API answers over 32 MiB are refused; downloads stream to disk."),
        ("The key", "Sent only to the API host, never to download hosts or across a redirect to another host, and never "
            + "printed: every line on stdout and stderr, --json and --verbose included, shows it as sk-...abcd, also when the "
            + "service echoes it. A key holding control characters is refused. A plain http:// origin that is not this "
            + "machine is refused unless --allow-insecure-http."),
        ("Completion", "The scripts of `dashscope completions` complete commands, options, the models of each command, "
            + "and the values of --size, --voice, --resolution and --duration for the -m already on the line (else the command's "
            + "default), task ids from the journal, and files. They ask the internal, local-only command `dashscope __complete` "
            + "for what depends on the line; it never touches the network."),
        ("Output", "Results go to stdout; a full stdout is an error (exit 73); a reader that leaves early (| head) ends the command quietly, its results still saved. JSON numbers keep their exact text."),
    ]

    private static func usage(_ name: String, _ spec: CommandSpec) -> String {
        var text = "dashscope \(name)"
        if let positional = spec.positional { text += positional.required && !positional.fromStdin ? " \(positional.name)" : " [\(positional.name)]" }
        return text
    }

    private static func optionLines(_ option: OptionSpec) -> [String] {
        [".TP", ".B " + escape(option.signature.trimmingBlanks()), roff(option.fullHelp)]
    }

    /// Escaped text whose `code spans` become bold (a man page shows no backticks).
    static func roff(_ text: String) -> String {
        let pieces = escape(text).split(separator: "`", omittingEmptySubsequences: false)
        guard pieces.count % 2 == 1 else { return escape(text.replacingAll("`", with: "'")) }
        return pieces.enumerated().map { i, piece in i % 2 == 1 ? "\\fB\(piece)\\fR" : String(piece) }.joined()
    }

    /// Escapes backslashes and dashes, and keeps a leading dot or quote from reading as a request.
    static func escape(_ text: String) -> String {
        var s = text.replacingAll("\\", with: "\\e").replacingAll("-", with: "\\-")
        if s.hasPrefix(".") || s.hasPrefix("'") { s = "\\&" + s }
        return s
    }
}
