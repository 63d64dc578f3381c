#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One submitted task as the journal remembers it, so `task wait` can resume it after the terminal is gone.
public struct JournalEntry: Sendable, Equatable {
    /// The task id.
    public var taskID: String
    /// The model it runs.
    public var model: String
    /// The command that submitted it (`t2i`, ...).
    public var command: String
    /// The first 200 characters of the prompt.
    public var prompt: String
    /// The API origin it was submitted to.
    public var origin: String
    /// When it was submitted (ISO 8601).
    public var submittedAt: String
    /// The `-o` the user gave, made absolute, if any.
    public var output: String?
    /// The final outcome once known (`SUCCEEDED`, `FAILED`, ...); nil while unfinished.
    public var outcome: String?
    /// The family of the job (`t2i`, `t2v`, ...), so `task wait` resumes a video as a video; nil in older journals.
    public var capability: Capability?

    /// Creates an entry.
    public init(taskID: String, model: String, command: String, prompt: String, origin: String,
                submittedAt: Date, output: String?, outcome: String? = nil, capability: Capability? = nil) {
        self.taskID = taskID
        self.model = model
        self.command = command
        self.prompt = String(prompt.prefix(200))
        self.origin = origin
        self.submittedAt = CalendarText.iso8601(submittedAt)
        self.output = output
        self.outcome = outcome
        self.capability = capability ?? Capability(rawValue: command)
    }
}

/// The local task journal: JSON lines appended to `$XDG_STATE_HOME/dashscope/tasks.jsonl` (mode 600).
public struct Journal: Sendable {
    /// The journal file.
    public var path: String

    /// The journal of an environment (`XDG_STATE_HOME`, else `~/.local/state`).
    public init(environment: [String: String]) {
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? PathText.homeDirectory()) + "/.local/state"
        path = base + "/dashscope/tasks.jsonl"
    }

    /// A journal at an explicit path.
    public init(path: String) { self.path = path }

    /// Records a submitted task.
    public func recordSubmitted(_ entry: JournalEntry) throws {
        try append(.object([
            "event": .string("submitted"), "task_id": .string(entry.taskID), "model": .string(entry.model),
            "command": .string(entry.command), "prompt": .string(entry.prompt), "origin": .string(entry.origin),
            "submitted_at": .string(entry.submittedAt), "output": entry.output.map(JSON.string),
            "kind": entry.capability.map { .string($0.rawValue) },
        ]))
    }

    /// Records that a task is finished with: its results collected, or it failed, was canceled or expired.
    public func recordFinished(taskID: String, outcome: String) throws {
        try append(.object(["event": .string("finished"), "task_id": .string(taskID), "outcome": .string(outcome)]))
    }

    /// Every task in the journal, oldest first, with its outcome folded in.
    public func entries() -> [JournalEntry] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var entries: [JournalEntry] = []
        var index: [String: Int] = [:]
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let json = try? JSON.parse(Data(line)), let id = json["task_id"]?.string else { continue }
            switch json["event"]?.string {
            case "submitted":
                var entry = JournalEntry(taskID: id, model: json["model"]?.string ?? "", command: json["command"]?.string ?? "",
                                         prompt: json["prompt"]?.string ?? "", origin: json["origin"]?.string ?? "",
                                         submittedAt: Date(), output: json["output"]?.string,
                                         capability: json["kind"]?.string.flatMap(Capability.init(rawValue:)))
                entry.submittedAt = json["submitted_at"]?.string ?? ""
                index[id] = entries.count
                entries.append(entry)
            case "finished":
                if let i = index[id] { entries[i].outcome = json["outcome"]?.string }
            default: continue
            }
        }
        return entries
    }

    /// The newest entry for `origin` that has no outcome yet.
    public func newestUnfinished(origin: String) -> JournalEntry? {
        entries().last(where: { $0.outcome == nil && $0.origin == origin })
    }

    /// The entry of `taskID`, if journalled.
    public func entry(for taskID: String) -> JournalEntry? {
        entries().last(where: { $0.taskID == taskID })
    }

    private func append(_ json: JSON) throws {
        let directory = PathText.deletingLastComponent(path)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw DashScopeError("cannot create the task journal directory \(directory)", exit: .cannotWrite)
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard fd >= 0 else {
            throw DashScopeError("cannot write the task journal \(path): \(String(cString: strerror(errno)))", exit: .cannotWrite)
        }
        defer { close(fd) }
        let line = Array((json.compact + "\n").utf8)
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else {
            throw DashScopeError("cannot write the task journal \(path): \(String(cString: strerror(errno)))", exit: .cannotWrite)
        }
    }
}
