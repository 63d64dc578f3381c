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
    /// The `parameters` object of the request (seed, size, ...), for `--json` after `task wait`; nil in older journals.
    public var parameters: JSON?
    /// Where the outputs were saved, once the task is finished with (empty: nothing saved, or an older journal).
    public var paths: [String] = []

    /// Creates an entry.
    public init(taskID: String, model: String, command: String, prompt: String, origin: String,
                submittedAt: Date, output: String?, outcome: String? = nil, capability: Capability? = nil, parameters: JSON? = nil) {
        self.taskID = taskID
        self.model = model
        self.command = command
        self.prompt = String(prompt.prefix(200))
        self.origin = origin
        self.submittedAt = CalendarText.iso8601(submittedAt)
        self.output = output
        self.outcome = outcome
        self.capability = capability ?? Capability(rawValue: command)
        self.parameters = parameters
    }

    /// When it was submitted, as a date (nil when the journal line holds no readable time).
    public var submitted: Date? { CalendarText.parseISO8601(submittedAt) }

    /// How long the service keeps a task's results after it was submitted (API.md: task ids expire after 24 h).
    public static let resultLifetime: TimeInterval = 24 * 3600

    /// Whether the task is unfinished and young enough that its results, paid for, can still be collected at `now`
    /// (an unreadable submission time counts as collectable: nothing says it is too late).
    public func collectable(at now: Date) -> Bool {
        guard outcome == nil else { return false }
        return submitted.map { now.timeIntervalSince($0) < Self.resultLifetime } ?? true
    }
}

/// The local task journal: JSON lines appended to `$XDG_STATE_HOME/dashscope/tasks.jsonl` (mode 600).
public struct Journal: Sendable {
    /// The journal file.
    public var path: String

    /// The journal of an environment (`XDG_STATE_HOME`, else `~/.local/state`).
    public init(environment: [String: String]) {
        path = PathText.stateHome(environment) + "/dashscope/tasks.jsonl"
    }

    /// A journal at an explicit path.
    public init(path: String) { self.path = path }

    /// Records a submitted task.
    public func recordSubmitted(_ entry: JournalEntry) throws {
        try append(.object([
            "event": .string("submitted"), "task_id": .string(entry.taskID), "model": .string(entry.model),
            "command": .string(entry.command), "prompt": .string(entry.prompt), "origin": .string(entry.origin),
            "submitted_at": .string(entry.submittedAt), "output": entry.output.map(JSON.string),
            "kind": entry.capability.map { .string($0.rawValue) }, "parameters": entry.parameters,
        ]))
    }

    /// Records that a task is finished with: its results collected (saved under `paths`), or it failed, was canceled or expired.
    public func recordFinished(taskID: String, outcome: String, paths: [String] = []) throws {
        try append(.object(["event": .string("finished"), "task_id": .string(taskID), "outcome": .string(outcome),
                            "paths": paths.isEmpty ? nil : .array(paths.map(JSON.string))]))
    }

    /// Every task in the journal, oldest first, with its outcome folded in.
    public func entries() -> [JournalEntry] { scan().entries }

    /// The journal read: its tasks as `entries()` gives them, and the line numbers (1-based) of the lines skipped as
    /// no journal record (not JSON or no task id: garbage, NUL bytes, a cut line), which `doctor` reports; an event
    /// this version does not know is passed over without counting (a newer version may write it).
    public func scan() -> (entries: [JournalEntry], skipped: [Int]) {
        FileManager.default.contents(atPath: path).map(Self.scan) ?? ([], [])
    }

    /// `scan()` of the journal's bytes.
    static func scan(_ data: Data) -> (entries: [JournalEntry], skipped: [Int]) {
        var entries: [JournalEntry] = []
        var skipped: [Int] = []
        var index: [String: Int] = [:]
        for (number, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }) { continue }
            guard let json = try? JSON.parse(Data(line)), let id = json["task_id"]?.string else {
                skipped.append(number + 1)
                continue
            }
            switch json["event"]?.string {
            case "submitted":
                var entry = JournalEntry(taskID: id, model: json["model"]?.string ?? "", command: json["command"]?.string ?? "",
                                         prompt: json["prompt"]?.string ?? "", origin: json["origin"]?.string ?? "",
                                         submittedAt: Date(), output: json["output"]?.string,
                                         capability: json["kind"]?.string.flatMap(Capability.init(rawValue:)),
                                         parameters: json["parameters"])
                entry.submittedAt = json["submitted_at"]?.string ?? ""
                index[id] = entries.count
                entries.append(entry)
            case "finished":
                if let i = index[id] {
                    entries[i].outcome = json["outcome"]?.string
                    entries[i].paths = json["paths"]?.items.compactMap(\.string) ?? []
                }
            default: continue
            }
        }
        return (entries, skipped)
    }

    /// The newest entry for `origin` that has no outcome yet.
    public func newestUnfinished(origin: String) -> JournalEntry? {
        entries().last(where: { $0.outcome == nil && $0.origin == origin })
    }

    /// The entry of `taskID`, if journalled.
    public func entry(for taskID: String) -> JournalEntry? {
        entries().last(where: { $0.taskID == taskID })
    }

    /// Removes every task `forget` picks, by rewriting the journal to a temporary file renamed over it (a reader
    /// sees the old or the new journal, never half of one); returns the ids removed.
    @discardableResult
    public func forget(where forget: (JournalEntry) -> Bool) throws -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let fd = try openLocked()
        defer { close(fd) }
        // Read once, under the lock: the entries to forget and the lines to keep come from the same bytes.
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let gone = Set(Self.scan(data).entries.filter(forget).map(\.taskID))
        guard !gone.isEmpty else { return [] }
        let kept = data.split(separator: UInt8(ascii: "\n")).filter { line in
            guard let id = (try? JSON.parse(Data(line)))?["task_id"]?.string else { return true }
            return !gone.contains(id)
        }
        var text = Data()
        for line in kept { text.append(contentsOf: line); text.append(UInt8(ascii: "\n")) }
        let temporary = path + ".\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: text, attributes: [.posixPermissions: 0o600]),
              rename(temporary, path) == 0 else {
            unlink(temporary)
            throw DashScopeError("cannot rewrite the task journal \(path): \(String(cString: strerror(errno)))", exit: .cannotWrite)
        }
        return gone.sorted()
    }

    private func append(_ json: JSON) throws {
        let fd = try openLocked()
        defer { close(fd) }
        let line = Array((json.compact + "\n").utf8)
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else {
            throw DashScopeError("cannot write the task journal \(path): \(String(cString: strerror(errno)))", exit: .cannotWrite)
        }
    }

    /// The journal opened for appending and locked (`flock`) against other runs appending or rewriting it; reopened
    /// when a rewrite replaced the file while this run waited for the lock. The lock goes with `close`.
    private func openLocked() throws -> Int32 {
        let directory = PathText.deletingLastComponent(path)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw DashScopeError("cannot create the task journal directory \(directory)", exit: .cannotWrite)
        }
        for _ in 0..<10 {
            let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            guard fd >= 0 else {
                throw DashScopeError("cannot write the task journal \(path): \(String(cString: strerror(errno)))", exit: .cannotWrite)
            }
            _ = flock(fd, LOCK_EX)
            var opened = stat(), current = stat()
            if fstat(fd, &opened) == 0, stat(path, &current) == 0, opened.st_ino == current.st_ino, opened.st_dev == current.st_dev {
                return fd
            }
            close(fd)
        }
        throw DashScopeError("cannot lock the task journal \(path): it keeps being replaced", exit: .cannotWrite)
    }
}
