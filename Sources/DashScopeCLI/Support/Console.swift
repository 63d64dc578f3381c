#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// The one place output is written: results on stdout, everything human on stderr, progress only on a terminal, writes serialised.
///
/// Nothing a server sends can drive the terminal or fake the tool's own lines: on stderr every message is one line, so
/// control characters in it, line breaks included, are printed as visible escapes (`\n`, `\x1B`, see `TerminalText`);
/// on stdout line feeds and tabs stay (results, help and JSON documents are laid out by the tool, and JSON escapes
/// every control character inside its strings), every other control character is escaped, and `row` escapes line
/// feeds and tabs inside each field too. The console's own sequences (colour, redrawing the progress line) are added
/// after escaping. Every protected secret is replaced by its redacted form in everything written.
public final class Console: @unchecked Sendable {
    private let lock = Lock()
    private let context: RunContext
    private var progressShown = false
    private var secrets: [String] = []
    private var stdoutError: DashScopeError?
    private var unprinted = ""
    private var readerLeft = false
    /// `-q`: only errors on stderr.
    public var quiet = false
    /// `-v`: request traces on stderr.
    public var verbose = false
    /// `--json`: an error is printed as one JSON object (`DashScopeError.json`) on one line of stderr.
    public var json = false
    /// Whether stderr is coloured: decided once by `ColorChoice.decide` (`--color`, `NO_COLOR`, `TERM`, a terminal).
    public var color: Bool
    private let folder = TraceFolder()

    /// Creates the console of a run, coloured as `--color auto` would be until `color` is set from the parsed options.
    public init(context: RunContext) {
        self.context = context
        color = ColorChoice.auto.decide(stderrIsTerminal: context.stderrIsTerminal, environment: context.environment)
    }

    /// Whether a live progress line may be drawn: stderr is a terminal that can redraw (`TERM` not dumb), and not quiet.
    public var showsProgress: Bool { context.stderrIsTerminal && context.environment["TERM"] != "dumb" && !quiet }

    /// From now on, every write to stdout and stderr shows `secret` (an API key) only in its redacted form, `sk-…abcd`;
    /// nil, empty and very short values (which would mangle ordinary text) are ignored.
    public func protect(secret: String?) {
        guard let secret, secret.count >= 4 else { return }
        lock.withLock {
            if !secrets.contains(secret) { secrets.append(secret) }
        }
    }

    /// Why stdout could not be written, once a write has failed (later results are dropped; the run exits 73). A reader
    /// that went away (a closed pipe, `| head`) is no failure: later results are dropped and the run ends as it would have.
    /// Its hint repeats (up to 4 KB) the results marked `made` that could not be printed, such as the paths of files that
    /// were saved; text any run can print again (help, a listing) is not repeated.
    public var stdoutFailure: DashScopeError? {
        lock.withLock {
            guard var error = stdoutError else { return nil }
            let lines = unprinted.hasSuffix("\n") ? String(unprinted.dropLast()) : unprinted
            if !lines.isEmpty { error.hint = (error.hint.map { $0 + "\n" } ?? "") + "what was not printed:\n" + lines }
            return error
        }
    }

    /// Prints one result line on stdout (or a block of text as is, with `newline: false`); `made` marks a line that
    /// names what the run made (a saved file, a job's document), repeated on stderr if stdout cannot take it.
    public func result(_ line: String, newline: Bool = true, made: Bool = false) {
        lock.withLock {
            clearProgress()
            writeResult(TerminalText.block(redact(line)) + (newline ? "\n" : ""), made: made)
        }
    }

    /// Prints one row of tab-separated fields on stdout, each field escaped so that no value can add a column or a line.
    public func row(_ fields: [String]) {
        lock.withLock {
            clearProgress()
            writeResult(fields.map { TerminalText.field(redact($0)) }.joined(separator: "\t") + "\n", made: false)
        }
    }

    /// Prints a human line on stderr, unless quiet.
    public func info(_ line: String) {
        guard !quiet else { return }
        say(clean(line))
    }

    /// Prints a warning on stderr, unless quiet.
    public func warn(_ line: String) {
        guard !quiet else { return }
        say(paint("warning:", "33") + " " + clean(line))
    }

    /// Prints one line of an error on stderr, always, even when quiet (one failed output of several).
    public func problem(_ line: String) {
        say(paint("error:", "31") + " " + clean(line))
    }

    /// Prints an error with its hint on stderr, always; under `--json`, as one line holding `DashScopeError.json`.
    public func error(_ error: DashScopeError) {
        if json {
            return lock.withLock {
                clearProgress()
                writeStderr(redact(error.json.compact) + "\n")
            }
        }
        var text = paint("error:", "31") + " " + clean(error.message)
        if let id = error.requestID { text += " (request \(clean(id)))" }
        // A hint may have several lines the tool wrote itself (e.g. the resume line); each is escaped on its own.
        for line in error.hint?.split(separator: "\n").map(String.init) ?? [] {
            text += "\n" + paint("hint:", "36") + " " + clean(line)
        }
        say(text)
    }

    /// Prints a `--verbose` trace line on stderr; repeated identical task polls are folded into one summary line.
    public func trace(_ line: String) {
        guard verbose else { return }
        for shown in folder.fold(line) { say(paint(clean(shown), "2")) }
    }

    /// Prints the summary of polls folded so far, if any (at the end of a run).
    public func flushTraces() {
        guard verbose else { return }
        for shown in folder.flush() { say(paint(clean(shown), "2")) }
    }

    /// Redraws the progress line (terminal only).
    public func progress(_ line: String) {
        guard showsProgress else { return }
        let text = clean(line)
        lock.withLock {
            writeStderr("\r\u{1B}[2K" + text)
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

    // MARK: Writing

    /// `text` for one line of stderr: secrets redacted, control characters escaped.
    private func clean(_ text: String) -> String {
        TerminalText.line(lock.withLock { redact(text) })
    }

    /// `text` with every protected secret redacted; call with the lock held.
    private func redact(_ text: String) -> String {
        secrets.reduce(text) { text, secret in Redaction.scrub(text, key: secret) }
    }

    private func say(_ text: String) {
        lock.withLock {
            clearProgress()
            writeStderr(text + "\n")
        }
    }

    /// Writes to stdout unless an earlier write failed or the reader left; remembers the first failure. Call with the lock held.
    private func writeResult(_ text: String, made: Bool) {
        guard !readerLeft else { return }
        guard stdoutError == nil else { return made ? keepUnprinted(text) : () }
        do {
            try context.writeStdout(Data(text.utf8))
        } catch let failure as StreamWriter.Failure where failure.readerLeft {
            readerLeft = true
        } catch {
            stdoutError = DashScopeError("cannot write the results to stdout: \(error)",
                                         hint: "check the disk or file stdout goes to, or that the program reading it is still running",
                                         exit: .cannotWrite)
            if made { keepUnprinted(text) }
        }
    }

    /// Keeps results stdout could not take, for the error's hint (the first 4 KB: enough for the saved paths).
    private func keepUnprinted(_ text: String) {
        let room = 4096 - unprinted.utf8.count
        guard room > 0 else { return }
        unprinted += text.utf8.count <= room ? text : String(decoding: Array(text.utf8.prefix(room)), as: UTF8.self) + "…\n"
    }

    /// Writes to stderr; a failure is dropped, as there is nowhere left to report it. Call with the lock held.
    private func writeStderr(_ text: String) {
        try? context.writeStderr(Data(text.utf8))
    }

    private func clearProgress() {
        guard progressShown else { return }
        writeStderr("\r\u{1B}[2K")
        progressShown = false
    }

    private func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
