import DashScopeKit

/// Builds the exact `dashscope task wait ...` line that picks up an interrupted job, shell-quoted word by word.
enum ResumeLine {
    /// The options carried over from the interrupted command, with the spelling used in the line.
    static let carried = [("output", "-o"), ("region", "--region"), ("workspace", "--workspace"), ("base-url", "--base-url")]
    /// The flags carried over.
    static let carriedFlags = ["force", "json", "allow-insecure-http"]

    /// The resume line for `taskID`, repeating the options that decide where and how results are saved (`-o` as
    /// `output`, its absolute form, when given: the line then works from any directory); nil under the in-process mock,
    /// whose tasks end with the process.
    static func make(taskID: String, arguments: ParsedArguments, session: Session, output: String? = nil) -> String? {
        if session.mock != nil { return nil }
        // An id the service made to start with '-' would read as an option: it goes last, after `--`.
        let dashed = taskID.hasPrefix("-")
        let words = ["dashscope", "task", "wait"] + (dashed ? [] : [taskID]) + options(arguments, output: output)
        return ShellQuote.command(words + (dashed ? ["--", taskID] : []))
    }

    /// The line that goes on with every unfinished task of an interrupted `task wait --all`; nil under the mock.
    static func makeAll(arguments: ParsedArguments, session: Session, output: String?) -> String? {
        if session.mock != nil { return nil }
        return ShellQuote.command(["dashscope", "task", "wait", "--all"] + options(arguments, output: output))
    }

    /// The carried options and flags as words, `-o` as `output` when given.
    private static func options(_ arguments: ParsedArguments, output: String?) -> [String] {
        var words: [String] = []
        for (long, spelling) in carried {
            if let value = arguments.string(long) { words += [spelling, long == "output" ? output ?? value : value] }
        }
        for long in carriedFlags where arguments.flag(long) { words.append("--\(long)") }
        return words
    }
}
