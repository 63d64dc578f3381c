import DashScopeKit

/// The console is where the job pipeline reports: results on stdout, the rest on stderr.
extension Console: JobReporter {
    /// Prints one result line on stdout.
    public func emit(_ line: String) { result(line, made: true) }
    /// Prints a human line on stderr.
    public func notice(_ line: String) { info(line) }
    /// Prints a warning on stderr.
    public func caution(_ line: String) { warn(line) }
    /// Prints an output's failure, also under `-q`.
    public func failure(_ line: String) { problem(line) }
    /// Prints a `--verbose` line.
    public func detail(_ line: String) { trace(line) }
    /// Whether a live status line may be drawn.
    public var live: Bool { showsProgress }
    /// Redraws the live status line.
    public func status(_ line: String) { progress(line) }
    /// Removes the live status line.
    public func clearStatus() { endProgress() }
}
