import DashScopeKit

/// Builds the exact `dashscope task wait ...` line that picks up an interrupted job.
enum ResumeLine {
    /// The options carried over from the interrupted command.
    static let carried = ["output", "region", "base-url"]
    /// The flags carried over.
    static let carriedFlags = ["force", "json"]

    /// The resume line for `taskID`, repeating the options that decide where and how results are saved.
    static func make(taskID: String, arguments: ParsedArguments, session: Session) -> String {
        if session.mock != nil {
            return "not possible here: the built-in mock forgets its tasks when dashscope exits"
        }
        var parts = ["dashscope", "task", "wait", taskID]
        for long in carried { if let value = arguments.string(long) { parts += ["--\(long)", quote(value)] } }
        for long in carriedFlags where arguments.flag(long) { parts.append("--\(long)") }
        return parts.joined(separator: " ")
    }

    /// Single-quotes a word for POSIX shells when it needs it.
    static func quote(_ word: String) -> String {
        let safe = word.unicodeScalars.allSatisfy { scalar in
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_./:=@%+,".unicodeScalars.contains(scalar)
        }
        if safe && !word.isEmpty { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
