#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hides API keys in anything the tool prints.
public enum Redaction {
    /// The printable form of a key: `sk-…abcd` (the last four characters only when the key is long enough to spare them).
    public static func key(_ key: String) -> String {
        let prefix = key.hasPrefix("sk-") ? "sk-" : ""
        guard key.count >= 12 else { return prefix + "…" }
        return prefix + "…" + key.suffix(4)
    }

    /// `text` with every occurrence of `key` replaced by its redacted form. The key is looked for in the bytes first,
    /// so text without it (nearly all) comes back as it is at the cost of a `memchr` scan, not a copy by scalars (a
    /// streamed answer passes every piece through here).
    public static func scrub(_ text: String, key: String?) -> String {
        guard let key, key.utf8.count >= 4, holds(text, key) else { return text }
        return text.replacingAll(key, with: Redaction.key(key))
    }

    /// Whether `text`'s UTF-8 holds `key`'s: `memcmp` at each place the key's first byte occurs (a match of valid UTF-8
    /// starts on a character, so it is a match of the text).
    static func holds(_ text: String, _ key: String) -> Bool {
        var text = text
        var key = key
        return text.withUTF8 { haystack in
            key.withUTF8 { needle in
                guard let first = needle.first, haystack.count >= needle.count else { return false }
                return firstOffset(of: first, in: haystack, within: 0..<(haystack.count - needle.count + 1)) {
                    memcmp(haystack.baseAddress! + $0, needle.baseAddress!, needle.count) == 0
                } != nil
            }
        }
    }

    /// How many bytes at the end of `text` could be the start of `key` (fewer than the key's): what a stream must hold
    /// back until the next piece shows whether the key follows, since a model that echoes a key sends it a few tokens
    /// at a time and a piece-by-piece `scrub` would never see it whole.
    public static func keyStart(atEndOf text: String, key: String?) -> Int {
        guard var key, key.utf8.count >= 4 else { return 0 }
        var text = text
        return text.withUTF8 { haystack in
            key.withUTF8 { needle in
                // The earliest place in the last (key - 1) bytes where the rest of the text starts the key.
                let tail = haystack.count - min(haystack.count, needle.count - 1)
                return firstOffset(of: needle[0], in: haystack, within: tail..<haystack.count) {
                    memcmp(haystack.baseAddress! + $0, needle.baseAddress!, haystack.count - $0) == 0
                }.map { haystack.count - $0 } ?? 0
            }
        }
    }

    /// The first offset in `range` of `bytes` that holds `byte` and passes `match` (`memchr` from one such byte to the
    /// next: the key is looked for in every piece a stream prints, so no byte-by-byte loop).
    private static func firstOffset(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, within range: Range<Int>,
                                    where match: (Int) -> Bool) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        var at = range.lowerBound
        while at < range.upperBound, let found = memchr(base + at, Int32(byte), range.upperBound - at) {
            at = UnsafeRawPointer(found) - UnsafeRawPointer(base)
            if match(at) { return at }
            at += 1
        }
        return nil
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
