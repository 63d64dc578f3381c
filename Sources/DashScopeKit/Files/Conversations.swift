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

/// A stored chat: its model, its system prompt and its turns, kept as `NAME.json`.
public struct Conversation: Sendable, Equatable {
    /// The name (one safe path component).
    public var name: String
    /// The model of the last turn.
    public var model: String?
    /// The system prompt, if any.
    public var system: String?
    /// The user and assistant turns, in order.
    public var messages: [ChatMessage]

    /// A conversation with no turns yet.
    public init(name: String, model: String? = nil, system: String? = nil, messages: [ChatMessage] = []) {
        self.name = name
        self.model = model
        self.system = system
        self.messages = messages
    }

    /// The file's JSON: `{"name","model","system","messages":[{"role","content"}]}`.
    var json: JSON {
        .object(["name": .string(name), "model": model.map(JSON.string), "system": system.map(JSON.string),
                 "messages": .array(messages.map { .object(["role": .string($0.role.rawValue), "content": .string($0.text)]) })])
    }

    /// Reads a file's JSON; nil when it does not have that shape.
    init?(json: JSON, name: String) {
        guard case let .array(items)? = json["messages"] else { return nil }
        var messages: [ChatMessage] = []
        for item in items {
            guard let role = item["role"]?.string.flatMap(ChatMessage.Role.init), role != .system,
                  let content = item["content"]?.string else { return nil }
            messages.append(ChatMessage(role, content))
        }
        self.init(name: name, model: json["model"]?.string, system: json["system"]?.string, messages: messages)
    }
}

/// The stored conversations: `$XDG_STATE_HOME/dashscope/conversations/NAME.json` (directory 0700, files 0600, each
/// written to a temporary file and renamed, so a crash never leaves half a file). The last one is the newest file.
public struct ConversationStore: Sendable {
    /// The directory holding the files.
    public var directory: String

    /// The name an unnamed chat is kept under (until the next unnamed chat replaces it).
    public static let unnamed = "last"

    /// The store of an environment (`XDG_STATE_HOME`, else `~/.local/state`); chats with the built-in mock (`mock`)
    /// are kept apart in `conversations/mock/`, so `--continue` against the service never sends the mock's answers.
    public init(environment: [String: String], mock: Bool = false) {
        directory = PathText.stateHome(environment) + "/dashscope/conversations" + (mock ? "/mock" : "")
    }

    /// Throws 64 unless `name` is one safe path component: 1 to 64 letters, digits, `.`, `_`, `-`, not starting with `.`.
    public static func check(name: String) throws {
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && ($0.isASCIIAlphanumeric || "._-".unicodeScalars.contains($0)) }
        guard (1...64).contains(name.count), allowed, !name.hasPrefix(".") else {
            throw DashScopeError.usage("--conversation '\(TerminalText.line(String(name.prefix(80))))' is not a usable name",
                                       hint: "use 1 to 64 letters, digits, '.', '_' or '-', not starting with '.', e.g. --conversation trip-plans")
        }
    }

    /// The conversation called `name`, or nil when there is none; throws 66 for a file that cannot be read or parsed.
    public func load(_ name: String) throws -> Conversation? {
        try Self.check(name: name)
        let path = path(of: name)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path), let json = try? JSON.parse(data),
              let conversation = Conversation(json: json, name: name) else {
            throw DashScopeError("cannot read the conversation \(name) (\(TerminalText.line(path)))",
                                 hint: "delete the file to start that conversation afresh", exit: .noInput)
        }
        return conversation
    }

    /// The names of the stored conversations, newest first (for completions).
    public func names() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let dated = files.compactMap { file -> (String, Date)? in
            let name = String(file.dropLast(5))
            guard file.hasSuffix(".json"), (try? Self.check(name: name)) != nil,
                  let date = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + file))?[.modificationDate] as? Date
            else { return nil }
            return (name, date)
        }
        return dated.sorted { $0.1 > $1.1 }.map(\.0)
    }

    /// The name of the newest conversation, or nil when there is none.
    public func lastName() -> String? {
        names().first
    }

    /// Writes `conversation` atomically (mode 0600); throws 73 when it cannot.
    public func save(_ conversation: Conversation) throws {
        try Self.check(name: conversation.name)
        let target = path(of: conversation.name)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            let temporary = directory + "/.\(conversation.name).\(UUID().uuidString.prefix(8)).tmp"
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw StreamWriter.Failure(code: errno) }
            do {
                defer { close(descriptor) }
                try StreamWriter.write(Data((conversation.json.pretty + "\n").utf8), to: descriptor)
            } catch {
                unlink(temporary)
                throw error
            }
            guard rename(temporary, target) == 0 else {
                let code = errno
                unlink(temporary)
                throw StreamWriter.Failure(code: code)
            }
        } catch {
            throw DashScopeError("cannot save the conversation \(conversation.name) in \(TerminalText.line(directory)): \(error)",
                                 hint: "check that the directory is writable (it is under $XDG_STATE_HOME, or ~/.local/state)",
                                 exit: .cannotWrite)
        }
    }

    private func path(of name: String) -> String { directory + "/" + name + ".json" }
}
