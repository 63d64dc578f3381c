/// Quotes words for POSIX shells (sh, bash, zsh, dash), so every command line the tool prints can be pasted as is.
public enum ShellQuote {
    /// `word` unchanged when it holds only characters no shell treats specially, else in single quotes
    /// (a `'` inside becomes `'\''`); the empty word is `''`.
    public static func quote(_ word: String) -> String {
        if isPlain(word) { return word }
        return "'" + word.replacingAll("'", with: "'\\''") + "'"
    }

    /// The words quoted one by one and joined with spaces.
    public static func command(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }

    /// ASCII letters, digits and `-_./:@%+,`, plus `=` after the first character (zsh expands a leading `=`).
    private static func isPlain(_ word: String) -> Bool {
        guard let first = word.unicodeScalars.first, first != "=" else { return false }
        return word.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9": return true
            default: return "-_./:@%+,=".unicodeScalars.contains(scalar)
            }
        }
    }
}
