import DashScopeKit

/// Builds the exact `dashscope task wait ...` line that picks up an interrupted job.
enum ResumeLine {
    /// The options carried over from the interrupted command, with the spelling used in the line.
    static let carried = [("output", "-o"), ("region", "--region"), ("base-url", "--base-url")]
    /// The flags carried over.
    static let carriedFlags = ["force", "json"]

    /// The resume line for `taskID`, repeating the options that decide where and how results are saved;
    /// nil under the in-process mock, whose tasks end with the process.
    static func make(taskID: String, arguments: ParsedArguments, session: Session) -> String? {
        if session.mock != nil { return nil }
        var parts = ["dashscope", "task", "wait", taskID]
        for (long, spelling) in carried { if let value = arguments.string(long) { parts += [spelling, quote(value)] } }
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
