import Foundation
import XCTest
@testable import DashScopeKit

final class ResultParserTests: XCTestCase {
    private func output(_ text: String) throws -> JSON { try JSON.parse(Data(text.utf8)) }

    func testText2ImageResultsKeepAFailedEntryInPlace() throws {
        let items = ResultParser.items(from: try output("""
        {"task_status":"SUCCEEDED","results":[
          {"url":"https://x/1.png","orig_prompt":"a cat","actual_prompt":"a fluffy cat"},
          {"code":"DataInspectionFailed","message":"Output data may contain inappropriate content."},
          {"url":"https://x/3.png"}
        ],"task_metrics":{"TOTAL":3,"SUCCEEDED":2,"FAILED":1}}
        """))
        XCTAssertEqual(items.map(\.url), ["https://x/1.png", nil, "https://x/3.png"])
        XCTAssertEqual(items[0].actualPrompt, "a fluffy cat")
        XCTAssertEqual(items[0].originalPrompt, "a cat")
        XCTAssertNil(items[0].code)
        XCTAssertEqual(items[1].code, "DataInspectionFailed")
        XCTAssertEqual(items[1].message, "Output data may contain inappropriate content.")
    }

    func testAResultWithNeitherURLNorMessageIsReportedAsFailed() throws {
        let items = ResultParser.items(from: try output(#"{"results":[{}]}"#))
        XCTAssertEqual(items.count, 1)
        XCTAssertNil(items[0].url)
        XCTAssertEqual(items[0].message, "no URL")
    }

    func testMessagesAnswerCollectsEveryImageOfEveryChoice() throws {
        let items = ResultParser.items(from: try output("""
        {"choices":[
          {"finish_reason":"stop","message":{"role":"assistant","content":[{"type":"image","image":"https://x/a.png"},{"type":"text","text":"here"}]}},
          {"finish_reason":"stop","message":{"role":"assistant","content":[{"type":"image","image":"https://x/b.png"},{"type":"image","image":"https://x/c.png"}]}}
        ]}
        """))
        XCTAssertEqual(items.compactMap(\.url), ["https://x/a.png", "https://x/b.png", "https://x/c.png"])
        XCTAssertEqual(items.compactMap(\.text), ["here"], "text parts are kept, in order (interleaved answers)")
        XCTAssertEqual(items.filter { $0.url == nil && $0.text == nil }.count, 0, "a text part is not a failed image")
    }

    func testVideoURL() throws {
        let items = ResultParser.items(from: try output(
            #"{"task_status":"SUCCEEDED","video_url":"https://x/v.mp4","orig_prompt":"waves","actual_prompt":"big waves"}"#))
        XCTAssertEqual(items, [ResultItem(url: "https://x/v.mp4", actualPrompt: "big waves", originalPrompt: "waves")])
    }

    func testAudioURLAndEmptyOutputs() throws {
        XCTAssertEqual(ResultParser.items(from: try output(#"{"audio":{"url":"https://x/a.wav","id":"1"}}"#)).map(\.url), ["https://x/a.wav"])
        XCTAssertTrue(ResultParser.items(from: try output(#"{"audio":{"url":"","data":"AAAA"}}"#)).isEmpty)
        XCTAssertTrue(ResultParser.items(from: try output(#"{"task_status":"SUCCEEDED"}"#)).isEmpty)
        XCTAssertTrue(ResultParser.items(from: .null).isEmpty)
    }

    func testTaskSnapshotReadsStatusAndFailure() throws {
        let snapshot = TaskSnapshot(json: try output("""
        {"request_id":"r1","output":{"task_id":"t1","task_status":"FAILED","code":"InternalError","message":"boom"},"usage":{"image_count":0}}
        """), fallbackID: "x")
        XCTAssertEqual(snapshot.taskID, "t1")
        XCTAssertEqual(snapshot.status, .failed)
        XCTAssertEqual(snapshot.requestID, "r1")
        XCTAssertEqual(snapshot.code, "InternalError")
        XCTAssertEqual(snapshot.message, "boom")
        XCTAssertEqual(snapshot.usage?["image_count"]?.int, 0)

        let odd = TaskSnapshot(json: try output(#"{"output":{"task_status":"WEIRD"}}"#), fallbackID: "fallback")
        XCTAssertEqual(odd.taskID, "fallback")
        XCTAssertEqual(odd.status, .unrecognized("WEIRD"), "an unrecognised status is kept as sent, never read as UNKNOWN (issue 6)")
    }
}
