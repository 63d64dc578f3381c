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

    /// How many bytes at the end of `text` could be the start of `key` (fewer than the key's): what a stream must hold
    /// back until the next piece shows whether the key follows, since a model that echoes a key sends it a few tokens
    /// at a time and a piece-by-piece `scrub` would never see it whole.
    public static func keyStart(atEndOf text: String, key: String?) -> Int {
        guard let key, key.utf8.count >= 4 else { return 0 }
        let tail = Array(text.utf8.suffix(key.utf8.count - 1))
        let start = Array(key.utf8)
        for offset in tail.indices where tail[offset] == start[0] && tail[offset...].elementsEqual(start.prefix(tail.count - offset)) {
            return tail.count - offset
        }
        return 0
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
