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
}
