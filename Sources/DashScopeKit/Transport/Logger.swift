/// Where the library's human-facing lines go: notices (retries, warnings) and verbose request traces.
public struct Logger: Sendable {
    /// Prints a notice or warning line on stderr (suppressed by `-q` in the CLI).
    public var notice: @Sendable (String) -> Void
    /// Prints a `--verbose` trace line on stderr, or nil when not verbose.
    public var trace: (@Sendable (String) -> Void)?

    /// Creates a logger.
    public init(notice: @escaping @Sendable (String) -> Void, trace: (@Sendable (String) -> Void)? = nil) {
        self.notice = notice
        self.trace = trace
    }

    /// A logger that drops everything.
    public static let silent = Logger(notice: { _ in })
}
