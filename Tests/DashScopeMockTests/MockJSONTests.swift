import Foundation
import XCTest
@testable import DashScopeMock

/// The mock reads and writes JSON with DashScopeKit's parser and writer (FoundationEssentials has no
/// `JSONSerialization`); its answers must read as `JSONSerialization` wrote them.
final class MockJSONTests: XCTestCase {
    func testEncodingMatchesJSONSerializationWithSortedKeys() throws {
        let tree: [String: Any] = [
            "request_id": "a/b", "output": ["task_status": "SUCCEEDED", "results": [["url": "http://x/y.png"]]],
            "usage": ["image_count": 2, "width": 1280], "ratio": 0.5, "flag": true, "text": "你好 \"quoted\"\n",
            "empty": [String: Any](), "list": [1, 2.5, "three"],
        ]
        let expected = try JSONSerialization.data(withJSONObject: tree, options: [.sortedKeys, .withoutEscapingSlashes])
        XCTAssertEqual(String(decoding: MockJSON.encode(tree), as: UTF8.self), String(decoding: expected, as: UTF8.self))
    }

    func testNullOptionalAndRawValues() {
        let missing: Int? = nil
        let tree: [String: Any] = ["a": MockJSON.null, "b": missing as Any, "c": Optional(3) as Any,
                                   "d": MockJSON.raw("1e999"), "e": MockJSON.raw("9007199254740993")]
        XCTAssertEqual(String(decoding: MockJSON.encode(tree), as: UTF8.self),
                       #"{"a":null,"b":null,"c":3,"d":1e999,"e":9007199254740993}"#)
        XCTAssertEqual(MockJSON.quoted("a\"b/c"), #""a\"b/c""#)
    }

    func testParsingGivesNativeValues() throws {
        let object = try XCTUnwrap(MockJSON.object(Data(#"{"n":2,"f":2.0,"h":0.5,"b":true,"s":"x","a":[1,{"k":null}]}"#.utf8)))
        XCTAssertEqual(object["n"] as? Int, 2)
        XCTAssertEqual(object["h"] as? Double, 0.5)
        XCTAssertEqual(object["b"] as? Bool, true)
        XCTAssertNil(object["b"] as? Int, "a boolean is not a number")
        XCTAssertEqual(object["s"] as? String, "x")
        let list = try XCTUnwrap(object["a"] as? [Any])
        XCTAssertEqual(list.first as? Int, 1)
        XCTAssertTrue((list.last as? [String: Any])?["k"] is MockJSON.Null)
        XCTAssertEqual(MockJSON.integer(object["n"]), 2)
        XCTAssertEqual(MockJSON.integer(object["f"]), 2)
        XCTAssertNil(MockJSON.integer(object["h"]))
        XCTAssertNil(MockJSON.integer(object["b"]))
        XCTAssertNil(MockJSON.integer(object["s"]))
        XCTAssertNil(MockJSON.object(Data("[1]".utf8)), "only objects")
        XCTAssertNil(MockJSON.object(Data("{".utf8)))
    }
}
