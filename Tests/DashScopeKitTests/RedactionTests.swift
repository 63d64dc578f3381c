import XCTest
@testable import DashScopeKit

final class RedactionTests: XCTestCase {
    func testKeyShowsOnlyThePrefixAndTheLastFour() {
        let cases: [(String, String)] = [
            ("sk-0123456789abcdef", "sk-…cdef"),
            ("sk-12345678wxyz", "sk-…wxyz"),
            ("abcdefghijklmnop", "…mnop"),
            ("sk-short", "sk-…"),
            ("tiny", "…"),
            ("", "…"),
        ]
        for (key, expected) in cases {
            XCTAssertEqual(Redaction.key(key), expected, key)
        }
    }

    func testScrubReplacesEveryOccurrence() {
        let key = "sk-0123456789abcdef"
        let text = "Authorization: Bearer \(key)\n{\"echo\":\"\(key)\"}"
        let scrubbed = Redaction.scrub(text, key: key)
        XCTAssertFalse(scrubbed.contains(key))
        XCTAssertEqual(scrubbed, "Authorization: Bearer sk-…cdef\n{\"echo\":\"sk-…cdef\"}")
    }

    func testTheEndOfAPieceThatCouldStartTheKeyIsCounted() {
        let key = "sk-0123456789abcdef"
        XCTAssertEqual(Redaction.keyStart(atEndOf: "hello", key: key), 0)
        XCTAssertEqual(Redaction.keyStart(atEndOf: "cats", key: key), 1)
        XCTAssertEqual(Redaction.keyStart(atEndOf: "key: sk-0123", key: key), 7)
        XCTAssertEqual(Redaction.keyStart(atEndOf: "sk-0123456789abcde", key: key), 18, "all but the last character")
        XCTAssertEqual(Redaction.keyStart(atEndOf: "x \(key)", key: key), 0, "a whole key is scrubbed, not held")
        XCTAssertEqual(Redaction.keyStart(atEndOf: "sk-9", key: key), 0, "a different key")
        XCTAssertEqual(Redaction.keyStart(atEndOf: "你好 s", key: key), 1)
        XCTAssertEqual(Redaction.keyStart(atEndOf: "cats", key: nil), 0)
        XCTAssertEqual(Redaction.keyStart(atEndOf: "cats", key: "s"), 0, "a key too short to be real holds nothing back")
        XCTAssertEqual(Redaction.keyStart(atEndOf: "sksk-sk-01", key: key), 5, "the earliest start that fits")
    }

    /// Random texts from the key's own letters: the count is the longest end of the text that starts the key.
    func testTheHeldEndIsTheLongestThatStartsTheKey() {
        var random = SeededGenerator(seed: 5)
        let key = "sk-sks-k"
        for _ in 0..<3000 {
            let text = String((0..<Int.random(in: 0...12, using: &random)).map { _ in "sk-x".randomElement(using: &random)! })
            let bytes = Array(text.utf8)
            let expected = (max(0, bytes.count - 7)..<bytes.count).first { Array(key.utf8).starts(with: bytes[$0...]) }
                .map { bytes.count - $0 } ?? 0
            XCTAssertEqual(Redaction.keyStart(atEndOf: text, key: key), expected, text)
        }
    }

    func testScrubLeavesTextAloneWithoutAUsableKey() {
        XCTAssertEqual(Redaction.scrub("abc sk-1", key: nil), "abc sk-1")
        XCTAssertEqual(Redaction.scrub("a b a", key: "a"), "a b a", "a key too short to be real must not mangle text")
    }

    func testHeaderLinesRedactOnlyAuthorization() {
        let lines = Redaction.headerLines([
            ("Authorization", "Bearer sk-0123456789abcdef"),
            ("authorization", "sk-0123456789abcdef"),
            ("User-Agent", "dashscope-cli/0.1.0 (swift; linux)"),
            ("X-DashScope-Async", "enable"),
        ])
        XCTAssertEqual(lines, [
            "Authorization: Bearer sk-…cdef",
            "authorization: Bearer sk-…cdef",
            "User-Agent: dashscope-cli/0.1.0 (swift; linux)",
            "X-DashScope-Async: enable",
        ])
    }

    /// `-v` shows answers through `APIClient.preview`: a key the server echoes in a JSON escape, or one that straddles
    /// the 2 KB cut, is still redacted.
    func testTheVerbosePreviewRedactsAnEscapedOrCutKey() {
        let key = "sk-secret-KEY-1234567890"
        let escaped = APIClient.preview(Data(#"{"error":{"message":"bad key \u0073k-secret-KEY-1234567890"}}"#.utf8), key: key)
        XCTAssertFalse(escaped.contains("secret-KEY"), escaped)
        XCTAssertTrue(escaped.contains("sk-…7890"), escaped)
        let long = Data((String(repeating: "x", count: 2040) + key + String(repeating: "y", count: 100)).utf8)
        let cut = APIClient.preview(long, key: key)
        XCTAssertFalse(cut.contains("sk-s"), "no cut leaves part of the key: \(cut.suffix(60))")
        XCTAssertTrue(cut.hasSuffix("… (\(long.count) bytes)"), String(cut.suffix(40)))
    }
}
