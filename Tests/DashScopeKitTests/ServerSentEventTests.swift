import Foundation
import XCTest
@testable import DashScopeKit

/// The SSE reader: hand-written byte streams, each cut at every byte boundary and in random pieces, give the same events.
final class ServerSentEventTests: XCTestCase {
    /// Every stream with the events it must give (after `finish`).
    private let cases: [(name: String, bytes: [UInt8], events: [ServerSentEvent])] = [
        ("compatible chat", Array("data: {\"a\":1}\n\ndata: {\"b\":\"é中😀\"}\n\ndata: [DONE]\n\n".utf8), [
            ServerSentEvent(data: "{\"a\":1}"), ServerSentEvent(data: "{\"b\":\"é中😀\"}"), ServerSentEvent(data: "[DONE]"),
        ]),
        ("native frames with CRLF", Array("id:1\r\nevent:result\r\n:HTTP_STATUS/200\r\ndata:{\"x\":1}\r\n\r\nid:2\r\nevent:result\r\ndata:{\"x\":2}\r\n\r\n".utf8), [
            ServerSentEvent(event: "result", id: "1", data: "{\"x\":1}"), ServerSentEvent(event: "result", id: "2", data: "{\"x\":2}"),
        ]),
        ("multi-line data, CR line ends, comments", Array(": keep-alive\rdata: one\rdata:  two\rdata\r\rdata: x\r\r".utf8), [
            ServerSentEvent(data: "one\n two\n"), ServerSentEvent(data: "x"),
        ]),
        ("BOM, mixed line ends, unknown fields", [0xEF, 0xBB, 0xBF] + Array("data: a\r\nretry: 10\nfoo: bar\r\revent: error\ndata: {\"code\":\"E\"}\n\n".utf8), [
            ServerSentEvent(data: "a"), ServerSentEvent(event: "error", data: "{\"code\":\"E\"}"),
        ]),
        ("no data, no event; an empty data line is an event", Array("event: ping\nid: 9\n\ndata:\n\n:only a comment\n\n".utf8), [
            ServerSentEvent(data: ""),
        ]),
        ("last event without a blank line", Array("data: first\n\ndata: last".utf8), [
            ServerSentEvent(data: "first"), ServerSentEvent(data: "last"),
        ]),
        ("last line ends with CR only", Array("data: cr-ended\r".utf8), [ServerSentEvent(data: "cr-ended")]),
        ("a field without a colon, a colon in the value", Array("data\ndata: a: b\nid\n\n".utf8), [
            ServerSentEvent(id: "", data: "\na: b"),
        ]),
    ]

    private func parse(_ pieces: [ArraySlice<UInt8>]) -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for piece in pieces { events += parser.feed(Data(piece)) }
        return events + parser.finish()
    }

    func testEveryStreamWhole() {
        for (name, bytes, expected) in cases {
            XCTAssertEqual(parse([bytes[...]]), expected, name)
        }
    }

    func testEveryStreamSplitAtEveryByteBoundary() {
        for (name, bytes, expected) in cases {
            for cut in 0...bytes.count {
                XCTAssertEqual(parse([bytes[..<cut], bytes[cut...]]), expected, "\(name), cut at \(cut)")
            }
            XCTAssertEqual(parse(bytes.indices.map { bytes[$0...$0] }), expected, "\(name), one byte at a time")
        }
    }

    func testEveryStreamSplitAtEveryPairOfBoundaries() {
        for (name, bytes, expected) in cases {
            for first in 0...bytes.count {
                for second in first...bytes.count {
                    let pieces = [bytes[..<first], bytes[first..<second], bytes[second...]]
                    XCTAssertEqual(parse(pieces), expected, "\(name), cut at \(first) and \(second)")
                }
            }
        }
    }

    func testRandomChunkings() {
        var generator = SeededGenerator(seed: 42)
        for (name, bytes, expected) in cases {
            for round in 0..<50 {
                var pieces: [ArraySlice<UInt8>] = []
                var start = 0
                while start < bytes.count {
                    let end = min(bytes.count, start + Int.random(in: 0...7, using: &generator))
                    pieces.append(bytes[start..<end])
                    start = end
                }
                XCTAssertEqual(parse(pieces), expected, "\(name), round \(round): \(pieces.map(\.count))")
            }
        }
    }

    func testEventsArriveAsSoonAsTheirBlankLineDoes() {
        var parser = ServerSentEventParser()
        XCTAssertEqual(parser.feed(Data("data: a\n".utf8)), [])
        XCTAssertEqual(parser.feed(Data("\nda".utf8)), [ServerSentEvent(data: "a")])
        XCTAssertEqual(parser.feed(Data("ta: b\n\n".utf8)), [ServerSentEvent(data: "b")])
        XCTAssertEqual(parser.finish(), [])
    }

    func testInvalidUTF8BecomesReplacementCharacters() {
        var parser = ServerSentEventParser()
        XCTAssertEqual(parser.feed(Data([0x64, 0x61, 0x74, 0x61, 0x3A, 0xFF, 0x41, 0x0A, 0x0A])), [ServerSentEvent(data: "\u{FFFD}A")])
    }

    // MARK: The service's frames

    private func read(_ text: String) throws -> (objects: [JSON], done: Bool) {
        var stream = ServiceEventStream()
        let objects = try stream.feed(Data(text.utf8)) + stream.finish()
        return (objects, stream.isDone)
    }

    func testDoneEndsTheStreamAndNothingAfterItIsRead() throws {
        let (objects, done) = try read("data: {\"n\":1}\n\ndata:\n\ndata: [DONE]\n\ndata: {\"n\":2}\n\n")
        XCTAssertEqual(objects, [.object(["n": .integer(1)])])
        XCTAssertTrue(done)
        let native = try read("id:1\nevent:result\ndata:{\"output\":{}}\n\n")
        XCTAssertEqual(native.objects.count, 1)
        XCTAssertFalse(native.done, "the native mode has no [DONE]")
    }

    func testErrorFramesBecomeServiceErrors() {
        let frames: [(String, String?, String)] = [
            ("event:error\ndata:{\"code\":\"InvalidParameter\",\"message\":\"bad\",\"request_id\":\"r-1\"}\n\n", "InvalidParameter", "bad"),
            ("data: {\"error\":{\"code\":\"data_inspection_failed\",\"message\":\"no\",\"type\":\"x\"},\"request_id\":\"r-1\"}\n\n",
             "data_inspection_failed", "no"),
            ("id:3\nevent:result\ndata:{\"code\":\"Throttling\",\"message\":\"slow\",\"request_id\":\"r-1\"}\n\n", "Throttling", "slow"),
            ("event: error\ndata: plain words\n\n", nil, "plain words"),
            ("data: {\"error\":{\"code\":\"x\\u001b[31m\",\"message\":\"red\\u001b[0m\\nline\"}}\n\n", "x\\x1B[31m", "red\\x1B[0m\\nline"),
        ]
        for (text, code, message) in frames {
            XCTAssertThrowsError(try read(text), text) { error in
                guard let error = error as? DashScopeError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.exitCode, .failed, text)
                XCTAssertEqual(error.serviceCode, code, text)
                XCTAssertTrue(error.message.hasSuffix(": " + message), error.message)
                if text.contains("r-1") { XCTAssertEqual(error.requestID, "r-1", text) }
            }
        }
    }

    /// A 200 whose body is one JSON error object, not an event stream, is that error, not "cut short".
    func testAnErrorObjectInsteadOfAStreamIsTheServicesError() throws {
        for body in ["{\"code\":\"Arrearage\",\"message\":\"overdue\",\"request_id\":\"r-2\"}",
                     "{\"error\":{\"code\":\"Arrearage\",\"message\":\"overdue\"},\"request_id\":\"r-2\"}\n"] {
            var stream = ServiceEventStream()
            let bytes = Data(body.utf8)
            XCTAssertEqual(try stream.feed(bytes.prefix(10)), [])
            XCTAssertEqual(try stream.feed(bytes.dropFirst(10)), [])
            XCTAssertThrowsError(try stream.finish(), body) { error in
                let error = error as? DashScopeError
                XCTAssertEqual(error?.exitCode, .failed)
                XCTAssertEqual(error?.serviceCode, "Arrearage")
                XCTAssertEqual(error?.requestID, "r-2")
            }
        }
        var plain = ServiceEventStream()
        _ = try plain.feed(Data("{\"choices\":[]}".utf8))
        XCTAssertEqual(try plain.finish(), [], "a JSON answer that is no error is left to the caller's own check")
    }

    func testDataThatIsNotJSONIsAnUnavailableService() {
        XCTAssertThrowsError(try read("data: <html>\n\n")) { error in
            XCTAssertEqual((error as? DashScopeError)?.exitCode, .unavailable)
        }
    }
}

/// A small deterministic random number generator (SplitMix64), so random chunkings repeat.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
