/// A failure of the mock server's own setup: a socket that cannot be bound, a bad fault spec or a bad argument.
public struct MockServerError: Error, Equatable, CustomStringConvertible, Sendable {
    /// One line saying what went wrong.
    public let message: String

    /// Creates an error carrying a one-line message.
    public init(_ message: String) {
        self.message = message
    }

    /// The message itself, so `"\(error)"` reads well on a terminal.
    public var description: String {
        message
    }
}
