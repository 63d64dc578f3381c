import DashScopeKit

/// argv after parsing: which command, its positional values, and option values by long name.
public struct ParsedArguments: Sendable {
    /// The command path, e.g. `["task", "wait"]`.
    public var path: [String]
    /// The command spec.
    public var command: CommandSpec
    /// Positional values in order.
    public var positionals: [String] = []
    /// Option values by long name, in the order given (flags store an empty string).
    public var values: [String: [String]] = [:]

    /// Whether a flag (or any option) was given.
    public func flag(_ long: String) -> Bool { values[long] != nil }
    /// The last value of an option.
    public func string(_ long: String) -> String? { values[long]?.last }
    /// Every value of a repeatable option.
    public func all(_ long: String) -> [String] { values[long] ?? [] }
    /// The last value as an integer (the parser has checked it reads as one).
    public func int(_ long: String) -> Int? { string(long).flatMap { Int($0) } }
    /// The last value as a number (the parser has checked it reads as one).
    public func number(_ long: String) -> Double? { string(long).flatMap { Double($0) } }
    /// The positional value, if given.
    public var positional: String? { positionals.first }
    /// `dashscope task wait` as typed.
    public var commandLine: String { (["dashscope"] + path).joined(separator: " ") }
}
