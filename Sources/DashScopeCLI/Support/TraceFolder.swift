import Foundation

/// Keeps `--verbose` readable while a task is polled: a poll that asks the same URL as the one before and gets the
/// same answer status is not traced; the run of them is summed up as `… 160 more polls (RUNNING)` as soon as anything
/// else is traced. The first poll, every poll whose answer differs, and every other request are traced in full.
final class TraceFolder: @unchecked Sendable {
    private let lock = NSLock()
    /// The request line of the last poll traced (`> GET …/tasks/ID`).
    private var lastPoll: String?
    /// The HTTP status and task status of the last poll answer traced.
    private var lastAnswer: String?
    /// The lines of a repeated poll held back until its answer shows whether it changed.
    private var held: [String]?
    /// Repeated polls not traced since the last summary.
    private var folded = 0

    /// The lines to print for one trace line (none while a repeated poll is held back).
    func fold(_ line: String) -> [String] {
        lock.withLock {
            if line.hasPrefix("> ") && Self.isPoll(line) {
                var out = release()
                if line == lastPoll {
                    held = [line]
                    return out
                }
                out += summary()
                lastPoll = line
                lastAnswer = nil
                return out + [line]
            }
            if var lines = held {
                if line.hasPrefix("> ") {
                    lines.append(line)
                    held = lines
                    return []
                }
                if line.hasPrefix("< HTTP"), Self.answer(line) == lastAnswer {
                    held = nil
                    folded += 1
                    return []
                }
                held = nil
                let out = summary() + lines + [line]
                if line.hasPrefix("< HTTP") { lastAnswer = Self.answer(line) }
                return out
            }
            if line.hasPrefix("< HTTP") && lastAnswer == nil && lastPoll != nil {
                lastAnswer = Self.answer(line)
                return [line]
            }
            if Self.isRequestLine(line) { lastPoll = nil }
            return summary() + [line]
        }
    }

    /// Whatever is still held back or folded, for the end of a run.
    func flush() -> [String] {
        lock.withLock { release() + summary() }
    }

    /// A held poll that got no answer (a failure, a retry) is printed in full. Call with the lock held.
    private func release() -> [String] {
        defer { held = nil }
        return held ?? []
    }

    /// `… N more polls (STATUS)`, once per run of folded polls. Call with the lock held.
    private func summary() -> [String] {
        guard folded > 0 else { return [] }
        defer { folded = 0 }
        let status = lastAnswer.map { " (\($0))" } ?? ""
        return ["… \(folded) more poll\(folded == 1 ? "" : "s")\(status)"]
    }

    /// Whether a trace line is the request line of a task query (`> GET …/tasks/ID`).
    static func isPoll(_ line: String) -> Bool {
        line.hasPrefix("> GET ") && line.contains("/tasks/") && !line.contains("?")
    }

    /// Whether a trace line starts a request (`> METHOD URL`).
    private static func isRequestLine(_ line: String) -> Bool {
        ["> GET ", "> POST ", "> PUT ", "> DELETE "].contains(where: line.hasPrefix)
    }

    /// What makes two poll answers the same: the HTTP status and the task status (`200 RUNNING`).
    static func answer(_ line: String) -> String {
        let http = line.dropFirst("< HTTP ".count).prefix(while: { $0 != " " })
        guard let range = line.range(of: "\"task_status\":\"") ?? line.range(of: "\"task_status\": \"") else { return String(http) }
        let status = line[range.upperBound...].prefix(while: { $0 != "\"" })
        return http == "200" ? String(status) : "\(http) \(status)"
    }
}
