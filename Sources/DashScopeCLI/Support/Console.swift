import Foundation
import DashScopeKit

/// The one place output is written: results on stdout, everything human on stderr, progress only on a terminal, writes serialised.
public final class Console: @unchecked Sendable {
    private let lock = NSLock()
    private let context: RunContext
    private var progressShown = false
    /// `-q`: only errors on stderr.
    public var quiet = false
    /// `-v`: request traces on stderr.
    public var verbose = false
    /// Whether stderr may be coloured (a terminal, `TERM` not dumb, `NO_COLOR` unset).
    public let color: Bool

    /// Creates the console of a run.
    public init(context: RunContext) {
        self.context = context
        let env = context.environment
        color = context.stderrIsTerminal && env["NO_COLOR"] == nil && env["TERM"] != "dumb"
    }

    /// Whether a live progress line may be drawn.
    public var showsProgress: Bool { context.stderrIsTerminal && !quiet }

    /// Prints one result line on stdout (or a block of text as is, with `newline: false`).
    public func result(_ line: String, newline: Bool = true) {
        lock.withLock {
            clearProgress()
            context.writeStdout(Data((newline ? line + "\n" : line).utf8))
        }
    }

    /// Prints a human line on stderr, unless quiet.
    public func info(_ line: String) {
        guard !quiet else { return }
        say(line)
    }

    /// Prints a warning on stderr, unless quiet.
    public func warn(_ line: String) {
        guard !quiet else { return }
        say(paint("warning:", "33") + " " + line)
    }

    /// Prints an error with its hint on stderr, always.
    public func error(_ error: DashScopeError) {
        var text = paint("error:", "31") + " " + error.message
        if let id = error.requestID { text += " (request \(id))" }
        if let hint = error.hint { text += "\n" + paint("hint:", "36") + " " + hint }
        say(text)
    }

    /// Prints a `--verbose` trace line on stderr.
    public func trace(_ line: String) {
        guard verbose else { return }
        say(paint(line, "2"))
    }

    /// Redraws the progress line (terminal only).
    public func progress(_ line: String) {
        guard showsProgress else { return }
        lock.withLock {
            context.writeStderr(Data(("\r\u{1B}[2K" + line).utf8))
            progressShown = true
        }
    }

    /// Removes the progress line, if one is drawn.
    public func endProgress() {
        lock.withLock { clearProgress() }
    }

    /// The library logger that writes through this console.
    public var logger: Logger {
        let notice: @Sendable (String) -> Void = { [self] line in self.info(line) }
        let traceLine: @Sendable (String) -> Void = { [self] line in self.trace(line) }
        let trace: (@Sendable (String) -> Void)? = verbose ? traceLine : nil
        return Logger(notice: notice, trace: trace)
    }

    private func say(_ text: String) {
        lock.withLock {
            clearProgress()
            context.writeStderr(Data((text + "\n").utf8))
        }
    }

    private func clearProgress() {
        guard progressShown else { return }
        context.writeStderr(Data("\r\u{1B}[2K".utf8))
        progressShown = false
    }

    private func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
