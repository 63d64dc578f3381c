import Foundation
import DashScopeKit

/// Everything a run takes from the outside world, so every path can be tested in-process without a terminal.
public struct RunContext: Sendable {
    /// argv without the program name.
    public var arguments: [String]
    /// The environment variables.
    public var environment: [String: String]
    /// The working directory.
    public var cwd: String
    /// Whether stdin is a terminal (then it is never read unless asked).
    public var stdinIsTerminal: Bool
    /// Whether stdout is a terminal.
    public var stdoutIsTerminal: Bool
    /// Whether stderr is a terminal (progress is shown only then).
    public var stderrIsTerminal: Bool
    /// Reads all of stdin.
    public var readStdin: @Sendable () -> Data
    /// Writes bytes to stdout.
    public var writeStdout: @Sendable (Data) -> Void
    /// Writes bytes to stderr.
    public var writeStderr: @Sendable (Data) -> Void
    /// The HTTP transport; nil means the platform's real one (`SystemTransport`).
    public var transport: (any HTTPTransport)?
    /// How waiting is done.
    public var sleeper: any Sleeper

    /// Creates a context.
    public init(arguments: [String], environment: [String: String], cwd: String,
                stdinIsTerminal: Bool, stdoutIsTerminal: Bool, stderrIsTerminal: Bool,
                readStdin: @escaping @Sendable () -> Data,
                writeStdout: @escaping @Sendable (Data) -> Void, writeStderr: @escaping @Sendable (Data) -> Void,
                transport: (any HTTPTransport)? = nil, sleeper: any Sleeper = TaskSleeper()) {
        self.arguments = arguments
        self.environment = environment
        self.cwd = cwd
        self.stdinIsTerminal = stdinIsTerminal
        self.stdoutIsTerminal = stdoutIsTerminal
        self.stderrIsTerminal = stderrIsTerminal
        self.readStdin = readStdin
        self.writeStdout = writeStdout
        self.writeStderr = writeStderr
        self.transport = transport
        self.sleeper = sleeper
    }
}
