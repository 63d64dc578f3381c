import XCTest
@testable import DashScopeKit

/// `StreamPacing`: a dense answer is read in batches (a wait of `window` between polls), a sparse one at once, and
/// nothing is held back while more bytes wait or once a batch is large.
final class StreamPacingTests: XCTestCase {
    private let window = StreamPacing.window

    func testTheFirstPieceIsHandedOverAtOnceWithoutAWait() {
        var pacing = StreamPacing()
        XCTAssertTrue(pacing.endOfPass(pieces: 1, bytes: 230, unread: 0, now: 1_000_000) == (true, 0))
    }

    func testAPassWithNothingReadHandsNothingOver() {
        var pacing = StreamPacing()
        XCTAssertTrue(pacing.endOfPass(pieces: 0, bytes: 0, unread: 0, now: 1_000_000) == (false, 0))
    }

    func testPiecesCloserThanTheWindowMakeTheReaderWait() {
        var pacing = StreamPacing()
        _ = pacing.endOfPass(pieces: 1, bytes: 230, unread: 0, now: 1_000_000)
        XCTAssertTrue(pacing.endOfPass(pieces: 1, bytes: 230, unread: 0, now: 1_000_000 + window / 10) == (true, window))
        // After the wait a batch arrives: still dense, so the reader keeps reading in batches.
        XCTAssertTrue(pacing.endOfPass(pieces: 9, bytes: 2_070, unread: 0, now: 1_000_000 + window / 10 + window + 100) == (true, window))
    }

    func testASparseAnswerIsNeverWaitedFor() {
        var pacing = StreamPacing()
        var now = 1_000_000
        for _ in 0..<5 {
            now += window + 1
            XCTAssertTrue(pacing.endOfPass(pieces: 1, bytes: 230, unread: 0, now: now) == (true, 0))
        }
        // Two events sent together long after the last (a model that thinks, then answers) cost no extra wakeup.
        now += 10 * window
        XCTAssertTrue(pacing.endOfPass(pieces: 2, bytes: 460, unread: 0, now: now) == (true, 0))
    }

    func testNothingIsHeldBackOrWaitedForWhileBytesWait() {
        var pacing = StreamPacing()
        _ = pacing.endOfPass(pieces: 1, bytes: 230, unread: 0, now: 1_000_000)
        XCTAssertTrue(pacing.endOfPass(pieces: 3, bytes: 690, unread: 251, now: 1_000_100) == (false, 0),
                      "more is on the socket: read it first, hand it all over together")
        XCTAssertTrue(pacing.endOfPass(pieces: 300, bytes: StreamPacing.handOverBytes, unread: 251, now: 1_000_200) == (true, 0),
                      "a large batch is handed over even though more waits, and the rest is read at once")
        XCTAssertTrue(pacing.endOfPass(pieces: 1, bytes: 251, unread: 0, now: 1_000_300) == (true, window))
    }
}
