#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
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
    /// Reads all of stdin; throws a `DashScopeError` (exit 66) when it cannot be read.
    public var readStdin: @Sendable () throws -> Data
    /// Writes bytes to stdout; throws when they cannot be written (a full disk, a closed pipe), which fails the run with exit 73.
    public var writeStdout: @Sendable (Data) throws -> Void
    /// Writes bytes to stderr; a failure there is ignored (there is nowhere left to report it).
    public var writeStderr: @Sendable (Data) throws -> Void
    /// The HTTP transport; nil means the platform's real one (`SystemTransport`).
    public var transport: (any HTTPTransport)?
    /// How waiting is done.
    public var sleeper: any Sleeper

    /// The home directory `~` means: the run's `HOME`, else the account's.
    public var home: String { environment["HOME"] ?? PathText.homeDirectory() }

    /// Creates a context.
    public init(arguments: [String], environment: [String: String], cwd: String,
                stdinIsTerminal: Bool, stdoutIsTerminal: Bool, stderrIsTerminal: Bool,
                readStdin: @escaping @Sendable () throws -> Data,
                writeStdout: @escaping @Sendable (Data) throws -> Void, writeStderr: @escaping @Sendable (Data) throws -> Void,
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
