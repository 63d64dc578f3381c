import Foundation
import XCTest
@testable import DashScopeKit

final class JSONTests: XCTestCase {
    private func parse(_ text: String) throws -> JSON { try JSON.parse(Data(text.utf8)) }

    func testCompactRoundTripKeepsKeyOrder() throws {
        let text = #"{"zeta":1,"alpha":[true,false,null],"mid":{"b":"x","a":"y"},"s":"hi"}"#
        let json = try parse(text)
        XCTAssertEqual(json.compact, text)
        XCTAssertEqual(json.members.map(\.0), ["zeta", "alpha", "mid", "s"])
        XCTAssertEqual(json["mid"]?.members.map(\.0), ["b", "a"])
        XCTAssertEqual(try parse(json.compact).compact, text)
    }

    func testPrettyIsIndentedAndParsesBackToTheSameValue() throws {
        let json = try parse(#"{"a":[1,{"b":"c"}],"e":{},"f":[]}"#)
        let pretty = json.pretty
        XCTAssertEqual(pretty, """
        {
          "a": [
            1,
            {
              "b": "c"
            }
          ],
          "e": {},
          "f": []
        }
        """)
        XCTAssertEqual(try parse(pretty), json)
    }

    func testWhitespaceAroundTokensIsAccepted() throws {
        let json = try parse(" \n\t{ \"a\" : [ 1 , 2 ] }\r\n ")
        XCTAssertEqual(json["a"]?.items.count, 2)
    }

    func testUnicodeEscapes() throws {
        let cases: [(String, String)] = [
            (#""\u00e9""#, "é"),
            (#""\u732b""#, "猫"),
            (#""\ud83d\ude00""#, "😀"),
            (#""a\"b\\c\/d\n\t\r\b\f""#, "a\"b\\c/d\n\t\r\u{8}\u{C}"),
            (#""\u0041\u0042""#, "AB"),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(try parse(text).string, expected, text)
        }
    }

    /// Random text written with every kind of escape (short forms, `\\u` for any scalar, surrogate pairs, raw UTF-8)
    /// reads back as the same text.
    func testEscapedTextOfEveryKindReadsBack() throws {
        var random = SeededGenerator(seed: 11)
        let scalars: [Unicode.Scalar] = ["a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\r", "\u{8}", "\u{C}", "\u{1}", "\u{7F}",
                                         "é", "猫", "😀", "\u{10FFFF}", "\u{2028}", "\u{FFFD}"]
        for _ in 0..<500 {
            var text = ""
            var written = "\""
            for _ in 0..<Int.random(in: 0...12, using: &random) {
                let scalar = scalars.randomElement(using: &random)!
                text.unicodeScalars.append(scalar)
                // Two in three as `\\u` escapes (a surrogate pair above the BMP, only one in three), the rest as JSON writes it.
                let form = Int.random(in: 0...2, using: &random)
                if form == 0, scalar.value >= 0x10000 {
                    let value = scalar.value - 0x10000
                    written += String(format: "\\u%04x\\u%04X", 0xD800 + (value >> 10), 0xDC00 + (value & 0x3FF))
                } else if form < 2, scalar.value < 0x10000 {
                    written += String(format: "\\u%04x", scalar.value)
                } else {
                    written += JSON.string(String(scalar)).compact.dropFirst().dropLast()
                }
            }
            written += "\""
            XCTAssertEqual(try parse(written).string, text, written)
        }
    }

    func testBrokenSurrogatesBecomeReplacementCharactersInsteadOfCrashing() throws {
        XCTAssertEqual(try parse(#""\ud800\u0041""#).string, "\u{FFFD}A")
        XCTAssertEqual(try parse(#""\ud800x""#).string, "\u{FFFD}x")
        XCTAssertEqual(try parse(#""\udc00""#).string, "\u{FFFD}")
    }

    func testRawUTF8IsKeptAndWrittenUnescaped() throws {
        let json = try parse(#"{"p":"一只可爱的猫 😺"}"#)
        XCTAssertEqual(json["p"]?.string, "一只可爱的猫 😺")
        XCTAssertEqual(json.compact, #"{"p":"一只可爱的猫 😺"}"#)
    }

    func testControlCharactersAreEscapedWhenWritten() throws {
        let json = JSON.string("a\u{1}b\u{1F}\n\"\\")
        XCTAssertEqual(json.compact, #""a\u0001b\u001f\n\"\\""#)
        XCTAssertEqual(try parse(json.compact), json)
    }

    func testNumbers() throws {
        let cases: [(String, String)] = [
            ("42", "42"), ("-3", "-3"), ("0", "0"), ("1.5", "1.5"), ("1e3", "1e3"), ("2.50", "2.50"),
            ("2147483647", "2147483647"), ("-0.25", "-0.25"), ("1E-2", "1E-2"), ("-0", "-0"), ("0.5e+10", "0.5e+10"),
        ]
        for (text, printed) in cases {
            XCTAssertEqual(try parse(text).compact, printed, text)
        }
        XCTAssertEqual(JSON.number(1).compact, "1", "whole numbers print without .0")
        XCTAssertEqual(try parse("7").int, 7)
        XCTAssertNil(try parse("7.5").int)
        XCTAssertEqual(try parse(#""12""#).number, 12, "a numeric string reads as a number")
        XCTAssertEqual(try parse("12").string, "12", "a number reads as text")
    }

    func testInvalidInputsThrow() {
        let cases = ["", " ", "{", "}", "[1,]", "[1 2]", #"{"a":}"#, #"{"a" 1}"#, #"{a:1}"#, #"{"a":1,}"#, "tru", "nul",
                     #""abc"#, #""\u12""#, "1 2", "{} x", "[", "-", "abc", #"{"a":1"#,
                     "+1", "01", "1.", ".5", "1e", "1e+", "--1", "1.2.3", "0x10", "inf", "nan", "Infinity", "-inf", "1_000",
                     #""\u+abc""#, #""\u-abc""#, #""\u 123""#, #""\uGGGG""#]
        for text in cases {
            XCTAssertThrowsError(try parse(text), "should refuse \(text.debugDescription)") { error in
                XCTAssertTrue(error is JSONParseError, "\(error)")
            }
        }
    }

    func testDeepNestingIsRefusedNotAStackOverflow() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        XCTAssertThrowsError(try parse(deep))
    }

    func testParseErrorNamesTheOffset() {
        XCTAssertThrowsError(try parse("[1, x]")) { error in
            XCTAssertEqual((error as? JSONParseError)?.offset, 4)
        }
    }

    func testEqualityTreatsObjectsAsUnorderedMaps() throws {
        XCTAssertEqual(try parse(#"{"a":1,"b":2}"#), try parse(#"{"b":2,"a":1}"#))
        XCTAssertNotEqual(try parse(#"{"a":1,"b":2}"#), try parse(#"{"a":1,"b":3}"#))
        XCTAssertNotEqual(try parse("[1,2]"), try parse("[2,1]"))
        XCTAssertNotEqual(try parse(#"{"a":1}"#), try parse(#"{"a":1,"b":1}"#))
    }

    func testBuildingSkipsNilAndSettingReplacesInPlace() {
        let missing: String? = nil
        let json = JSON.object(["a": .number(1), "b": missing.map(JSON.string), "c": .string("x")])
        XCTAssertEqual(json.compact, #"{"a":1,"c":"x"}"#)
        XCTAssertEqual(json.setting("a", .bool(true)).compact, #"{"a":true,"c":"x"}"#)
        XCTAssertEqual(json.setting("z", .null).compact, #"{"a":1,"c":"x","z":null}"#)
    }

    func testAccessorsOnTheWrongKindAreNil() throws {
        let json = try parse(#"{"a":[1],"b":true,"c":null}"#)
        XCTAssertNil(json["a"]?["x"])
        XCTAssertNil(json["a"]?[5])
        XCTAssertEqual(json["a"]?[0]?.int, 1)
        XCTAssertNil(json["b"]?.string)
        XCTAssertEqual(json["b"]?.bool, true)
        XCTAssertEqual(json["c"]?.isNull, true)
        XCTAssertEqual(json["b"]?.items.count, 0)
        XCTAssertNil(json[0])
    }

    // MARK: Numbers keep their text

    func testIntegersAbove2To53SurviveUnchanged() throws {
        let text = #"{"seed":9007199254740993,"big":123456789012345678901234567890,"neg":-9223372036854775808}"#
        let json = try parse(text)
        XCTAssertEqual(json.compact, text)
        XCTAssertEqual(json["seed"]?.int, 9_007_199_254_740_993, "read exactly, not through a Double")
        XCTAssertEqual(json["seed"]?.string, "9007199254740993")
        XCTAssertNil(json["big"]?.int, "too large for Int")
        XCTAssertEqual(json["neg"]?.int, Int.min)
        XCTAssertEqual(JSON.integer(9_007_199_254_740_993).compact, "9007199254740993")
    }

    func testNumbersNoDoubleHoldsPrintAsNull() throws {
        let json = try parse(#"{"a":1e999,"b":-1e999,"c":1e-999}"#)
        XCTAssertEqual(json.compact, #"{"a":null,"b":null,"c":1e-999}"#, "1e999 never reaches output: most readers refuse it")
        XCTAssertNil(json["a"]?.number, "no Double holds it: it reads as no number, never infinity")
        XCTAssertNil(json["a"]?.int)
        XCTAssertEqual(json["c"]?.number, 0)
        XCTAssertFalse(json.pretty.contains("1e999"))
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(json.pretty.utf8)))
    }

    func testNonFiniteDoublesMadeInCodePrintAsNull() throws {
        for value in [Double.infinity, -Double.infinity, Double.nan] {
            let json = JSON.object(["v": .number(value)])
            XCTAssertEqual(json.compact, #"{"v":null}"#, "\(value)")
            XCTAssertNoThrow(try parse(json.pretty))
            XCTAssertNil(JSON.number(value).number)
        }
        XCTAssertNil(JSON.string("inf").number, "a string spelling infinity is no number")
        XCTAssertNil(JSON.string("nan").int)
    }

    func testLargeDoublesPrintAsValidJSON() throws {
        for value in [1e15, 1e300, -1.5e20, Double.leastNonzeroMagnitude, 0.1] {
            let text = JSON.number(value).compact
            XCTAssertEqual(try parse(text).number, value, text)
        }
    }

    func testNumbersFromTextAndFromCodeCompareByValue() throws {
        XCTAssertEqual(try parse("1"), JSON.number(1))
        XCTAssertEqual(try parse("1.0"), JSON.number(1))
        XCTAssertEqual(try parse("1e3"), try parse("1000"))
        XCTAssertEqual(try parse("9007199254740993"), JSON.integer(9_007_199_254_740_993))
        XCTAssertNotEqual(try parse("9007199254740993"), try parse("9007199254740992"), "compared exactly as integers")
        XCTAssertNotEqual(try parse("1"), JSON.string("1"))
    }

    // MARK: Terminal safety

    func testEscapeSequencesAndLineSeparatorsAreEscapedWhenWritten() throws {
        let json = JSON.object(["m": .string("\u{1B}]0;pwned\u{7}\u{9B}31m\u{7F}\u{2028}\u{2029}ok")])
        XCTAssertEqual(json.compact, #"{"m":"\u001b]0;pwned\u0007\u009b31m\u007f\u2028\u2029ok"}"#)
        XCTAssertEqual(try parse(json.compact), json, "the escapes read back as the same text")
        XCTAssertFalse(json.pretty.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B })
    }

    /// Every scalar the terminal escaping would rewrite is escaped by JSON itself, so a document passed through
    /// `TerminalText.block` on its way to stdout is unchanged and still parses (right-to-left text holds U+200F).
    func testEveryScalarTheTerminalRewritesIsAJSONEscape() throws {
        let risky = (0...0x2FFF).compactMap(Unicode.Scalar.init).filter(TerminalText.isControl)
        XCTAssertGreaterThan(risky.count, 60)
        for scalar in risky + ["\u{200E}", "\u{202E}", "\u{061C}", "\u{2069}"] {
            let json = JSON.object(["m": .string("a\(scalar)é猫\(scalar)")])
            XCTAssertEqual(TerminalText.block(json.pretty), json.pretty, "U+\(String(scalar.value, radix: 16))")
            XCTAssertEqual(try parse(json.compact), json)
        }
        XCTAssertEqual(JSON.string("\u{200F}\u{061C}\u{2066}\u{202A}").compact, #""\u200f\u061c\u2066\u202a""#)
        XCTAssertEqual(JSON.string("é\u{2010}\u{0600}").compact, "\"é\u{2010}\u{0600}\"", "neighbours of the marks stay as they are")
    }
}
