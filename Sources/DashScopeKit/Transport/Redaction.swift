#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Hides API keys in anything the tool prints.
public enum Redaction {
    /// The printable form of a key: `sk-…abcd` (the last four characters only when the key is long enough to spare them).
    public static func key(_ key: String) -> String {
        let prefix = key.hasPrefix("sk-") ? "sk-" : ""
        guard key.count >= 12 else { return prefix + "…" }
        return prefix + "…" + key.suffix(4)
    }

    /// `text` with every occurrence of `key` replaced by its redacted form.
    public static func scrub(_ text: String, key: String?) -> String {
        guard let key, key.count >= 4 else { return text }
        return text.replacingAll(key, with: Redaction.key(key))
    }

    /// Header lines as `--verbose` and `--dry-run` show them, the Authorization value redacted.
    public static func headerLines(_ headers: [(String, String)]) -> [String] {
        headers.map { name, value in
            guard name.equalsIgnoringCase("Authorization") else { return "\(name): \(value)" }
            let token = value.hasPrefix("Bearer ") ? String(value.dropFirst(7)) : value
            return "\(name): Bearer \(key(token))"
        }
    }
}
