/// A task id as the service issues them: 1 to 128 ASCII letters, digits, `-` and `_`. Anything else is refused
/// before it reaches a URL path, the journal, a file name or a printed command line.
public struct TaskID: Sendable, Hashable, CustomStringConvertible {
    /// The id's text.
    public let rawValue: String

    /// The id, or nil when `text` is not a valid task id.
    public init?(_ text: String) {
        guard Self.isValid(text) else { return nil }
        rawValue = text
    }

    /// The id's text.
    public var description: String { rawValue }

    /// Whether `text` has the shape of a task id.
    public static func isValid(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard (1...128).contains(utf8.count) else { return false }
        return utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"): return true
            default: return false
            }
        }
    }

    /// A task id the user typed: a usage error (exit 64) when it is not one.
    public static func user(_ text: String) throws -> TaskID {
        guard let id = TaskID(text) else {
            throw DashScopeError.usage("'\(TerminalText.line(text))' is not a task id",
                                       hint: "task ids are letters, digits, - and _, like 0385dc79-5ff8-4d82-bcb6-xxxxxx; `dashscope task list` shows recent ones")
        }
        return id
    }

    /// A task id the service sent: a service failure (exit 1) when it is not one, so nothing is journaled or printed raw.
    public static func server(_ text: String, requestID: String? = nil) throws -> TaskID {
        guard let id = TaskID(text) else {
            throw DashScopeError("the service returned a malformed task id (\(TerminalText.line(String(text.prefix(200))))); it was not saved or used",
                                 hint: "`dashscope task list` shows the account's tasks", exit: .failed, requestID: requestID)
        }
        return id
    }
}
