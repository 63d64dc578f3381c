/// Makes text safe for a terminal: control characters become visible escapes, so text from a server can neither
/// send escape sequences (colours, titles, cursor moves) nor start lines that look like the tool's own output.
public enum TerminalText {
    /// `text` as one line: every C0 and C1 control character (line feed and carriage return included), DEL, the Unicode
    /// line and paragraph separators and the bidirectional controls become `\n`, `\r`, `\x1B`, `\u{202E}`; tabs stay.
    public static func line(_ text: String) -> String { escape(text, keeping: ["\t"]) }

    /// `text` as a block the tool laid out itself (help, JSON, a request): like `line`, but line feeds stay.
    public static func block(_ text: String) -> String { escape(text, keeping: ["\t", "\n"]) }

    /// `text` as one field of a tab-separated row: like `line`, and tabs are escaped too (`\t`).
    public static func field(_ text: String) -> String { escape(text, keeping: []) }

    /// Whether `scalar` is a control character or an invisible formatting character that could change what a terminal shows.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    private static func escape(_ text: String, keeping kept: Set<Unicode.Scalar>) -> String {
        // Printable ASCII and kept characters are all most text holds: found on the bytes, without the scan of Unicode
        // scalars below (a streamed answer passes every piece through here).
        var bytes = text
        if bytes.withUTF8({ $0.allSatisfy { $0 &- 0x20 < 0x5F || ($0 < 0x20 && kept.contains(Unicode.Scalar($0))) } }) { return text }
        guard text.unicodeScalars.contains(where: { isControl($0) && !kept.contains($0) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard isControl(scalar), !kept.contains(scalar) else { out.append(scalar); continue }
            out.append(contentsOf: visible(scalar).unicodeScalars)
        }
        return String(out)
    }

    private static func visible(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default:
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return scalar.value <= 0xFF ? "\\x" + String(repeating: "0", count: 2 - hex.count) + hex : "\\u{\(hex)}"
        }
    }
}
