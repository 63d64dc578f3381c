#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// Writes an answer as it arrives: text on stdout at once (control characters escaped, the key redacted), thinking on
/// stderr (dimmed on a colour terminal), a final newline only where a person reads it. An end of a piece that could be
/// the start of the key waits for the next piece (or the end), so a key echoed token by token is redacted too. A
/// reader that closed stdout (`| head -c 10`) ends the answer quietly; any other write failure is exit 73.
final class ChatOutput: @unchecked Sendable {
    /// Thrown from a write when the reader of stdout is gone: the stream stops and the run ends quietly.
    struct Closed: Error {}

    private let lock = Lock()
    private let context: RunContext
    private let key: String?
    private let dim: Bool
    // Every access is under `lock`, so the runtime's check of each access (once per token) is left out.
    @exclusivity(unchecked) private var textEndsLine = true
    @exclusivity(unchecked) private var reasoningEndsLine = true
    @exclusivity(unchecked) private var wroteText = false
    /// The ends of the text and of the thinking held back because they could be the start of the key.
    @exclusivity(unchecked) private var heldText = ""
    @exclusivity(unchecked) private var heldReasoning = ""

    /// Creates the output of one run.
    init(context: RunContext, key: String?, dim: Bool) {
        self.context = context
        self.key = key
        self.dim = dim
    }

    /// Writes a piece of the answer to stdout now (all but an end that could start the key).
    func text(_ piece: String) throws {
        guard !piece.isEmpty else { return }
        try lock.withLock {
            endReasoning()
            try writeText(release(piece, held: &heldText))
        }
    }

    /// Writes a piece of the thinking to stderr now (a failure there is dropped: nowhere is left to report it).
    func reasoning(_ piece: String) {
        guard !piece.isEmpty else { return }
        lock.withLock { writeReasoning(release(piece, held: &heldReasoning)) }
    }

    /// Writes what was held back, ends the last line of thinking, and on a terminal the last line of the answer.
    func endLine() {
        lock.withLock {
            endReasoning()
            try? writeText(heldText)
            heldText = ""
            if context.stdoutIsTerminal, wroteText, !textEndsLine { try? context.writeStdout(Data("\n".utf8)) }
            textEndsLine = true
        }
    }

    /// `held` and `piece` together, less an end that could start the key, which is kept in `held`.
    private func release(_ piece: String, held: inout String) -> String {
        let text = held + piece
        let kept = Redaction.keyStart(atEndOf: text, key: key)
        guard kept > 0 else {
            held = ""
            return text
        }
        // The kept bytes start where the key's first byte does, never inside a character.
        held = String(decoding: text.utf8.suffix(kept), as: UTF8.self)
        return String(decoding: text.utf8.dropLast(kept), as: UTF8.self)
    }

    /// Writes text to stdout. Call with the lock held.
    private func writeText(_ text: String) throws {
        guard !text.isEmpty else { return }
        do {
            try context.writeStdout(Self.bytes(clean(text)))
        } catch let failure as StreamWriter.Failure where failure.readerLeft {
            throw Closed()
        } catch {
            throw DashScopeError("cannot write the answer to stdout: \(error)",
                                 hint: "check the disk or file stdout goes to", exit: .cannotWrite)
        }
        wroteText = true
        textEndsLine = text.utf8.last == 0x0A
    }

    /// Writes thinking to stderr, dimmed on a colour terminal. Call with the lock held.
    private func writeReasoning(_ piece: String) {
        guard !piece.isEmpty else { return }
        let text = clean(piece)
        try? context.writeStderr(Self.bytes(dim ? "\u{1B}[2m" + text + "\u{1B}[0m" : text))
        reasoningEndsLine = piece.utf8.last == 0x0A
    }

    /// Writes the thinking held back and ends its line, before the answer's text. Call with the lock held.
    private func endReasoning() {
        writeReasoning(heldReasoning)
        heldReasoning = ""
        if !reasoningEndsLine {
            try? context.writeStderr(Data("\n".utf8))
            reasoningEndsLine = true
        }
    }

    /// `text` safe for a terminal (line feeds and tabs kept), the key redacted.
    private func clean(_ text: String) -> String {
        TerminalText.block(Redaction.scrub(text, key: key))
    }

    /// The UTF-8 bytes of `text`, copied once (`Data(text.utf8)` goes through a generic sequence initialiser).
    private static func bytes(_ text: String) -> Data {
        var text = text
        return text.withUTF8 { Data(buffer: $0) }
    }
}
