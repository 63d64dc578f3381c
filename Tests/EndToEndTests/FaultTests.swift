import Foundation
import XCTest
import DashScopeMock
#if canImport(Glibc)
import Glibc
#endif

/// Failed, unknown and partly failed tasks, and the retry rules for throttling, server errors, drops and broken downloads.
final class FaultTests: EndToEndCase {
    /// The last 12 bytes of every complete PNG (the IEND chunk).
    private static let pngEnd: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]

    // MARK: - Task outcomes

    func testFailedTask() throws {
        mock.inject(Fault(.fail))
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash"])
        assertExit(result, 1)
        XCTAssertEqual(result.stdout, "")
        let error = try XCTUnwrap(result.errorLines.first { $0.hasPrefix("error: ") }, result.stderr)
        XCTAssertTrue(error.contains("InternalError.Algo"), error)
        XCTAssertTrue(error.contains("An internal error occurred while generating the image"), error)
        XCTAssertTrue(result.errorLines.contains { $0.hasPrefix("hint: ") }, result.stderr)
        XCTAssertTrue(downloads.isEmpty)
        XCTAssertEqual(files(matching: ".png"), [])
    }

    func testUnknownTaskStopsAtOnce() throws {
        mock.inject(Fault(.unknown))
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash"])
        assertExit(result, 1)
        XCTAssertLessThan(result.seconds, 5, "UNKNOWN is final: no polling on and on")
        XCTAssertEqual(polls.count, 1)
        XCTAssertTrue(result.stderr.hasPrefix("error: "), result.stderr)
        XCTAssertTrue(result.stderr.contains("UNKNOWN"), result.stderr)
        XCTAssertTrue(result.errorLines.contains { $0.hasPrefix("hint: ") }, result.stderr)
    }

    func testPartlyFailedSetSavesTheGoodFiles() throws {
        mock.inject(Fault(.partial))
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-n", "3", "-o", "set.png"])
        assertExit(result, 2)
        XCTAssertEqual(result.lines, ["set-1.png", "set-2.png"])
        assertPNGs(result.lines)
        XCTAssertEqual(files(matching: ".png"), ["set-1.png", "set-2.png"])
        let failure = try XCTUnwrap(result.errorLines.first { $0.hasPrefix("error: ") }, result.stderr)
        XCTAssertTrue(failure.contains("output 3"), failure)
        XCTAssertTrue(failure.contains("DataInspectionFailed"), failure)
        assertNoPartFiles()

        mock.inject(Fault(.partial))
        let quiet = try run(["t2i", "a dog", "-m", "wan2.2-t2i-flash", "-n", "2", "-q"])
        assertExit(quiet, 2)
        XCTAssertEqual(quiet.errorLines.filter { $0.hasPrefix("error: output 2 failed") }.count, 1,
                       "-q keeps the failure that makes the exit status: \(quiet.stderr)")
    }

    func testPartlyFailedSetOfTheMessagesProtocol() throws {
        mock.inject(Fault(.partial))
        let result = try run(["t2i", "a cat", "--async", "-n", "3"])
        assertExit(result, 2)
        XCTAssertEqual(result.lines.count, 2, result.stdout)
        assertPNGs(result.lines)
        XCTAssertTrue(result.errorLines.contains { $0.hasPrefix("error: ") && $0.contains("output 3") }, result.stderr)
    }

    // MARK: - Retries

    func testThrottledCreateIsRetried() throws {
        mock.inject(try Fault(spec: "429@create"))
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash"])
        assertExit(result, 0)
        XCTAssertEqual(creates.count, 2)
        XCTAssertTrue(result.stderr.contains("429") && result.stderr.contains("retrying"), result.stderr)
        XCTAssertEqual(polls.count, 1, "one task was created, and it is the one polled")
        assertPNGs(result.lines)
    }

    func testStillThrottledGivesUp() throws {
        mock.inject(try Fault(spec: "429@create*10:0"))
        let result = try run(["t2i", "a cat"])
        assertExit(result, 75)
        XCTAssertGreaterThan(creates.count, 1)
        XCTAssertLessThan(creates.count, 10, "retries are bounded")
        XCTAssertTrue(result.errorLines.contains { $0.hasPrefix("hint: ") }, result.stderr)
    }

    func testServerErrorOnCreateIsNotResent() throws {
        mock.inject(try Fault(spec: "500@create"))
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash"])
        assertExit(result, 69)
        XCTAssertEqual(creates.count, 1, "a create that may have started is never re-sent")
        XCTAssertTrue(polls.isEmpty)
        XCTAssertTrue(result.stderr.hasPrefix("error: "), result.stderr)
        XCTAssertTrue(result.errorLines.contains { $0.hasPrefix("hint: ") }, result.stderr)
    }

    func testDroppedCreateIsNotResent() throws {
        mock.inject(try Fault(spec: "drop@create"))
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash"])
        assertExit(result, 69)
        XCTAssertEqual(creates.count, 1, "a create that may have started is never re-sent")
        let hint = try XCTUnwrap(result.errorLines.first { $0.hasPrefix("hint: ") }, result.stderr)
        XCTAssertTrue(hint.contains("may have"), "the hint says the task may have started: \(hint)")
    }

    func testDroppedSyncGenerationIsNotResent() throws {
        mock.inject(try Fault(spec: "drop@create"))
        let result = try run(["t2i", "a cat"])
        assertExit(result, 69)
        XCTAssertEqual(creates.count, 1)
    }

    func testUnavailableWhilePollingIsRetried() throws {
        mock.inject(try Fault(spec: "503@task*2"))
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash"])
        assertExit(result, 0)
        XCTAssertEqual(creates.count, 1)
        XCTAssertEqual(polls.count, 3)
        XCTAssertTrue(result.stderr.contains("503") && result.stderr.contains("retrying"), result.stderr)
        assertPNGs(result.lines)
    }

    func testARunningTaskIsNeverAbandonedOverFailingPolls() throws {
        mock.inject(try Fault(spec: "503@task*5"))
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash"])
        assertExit(result, 0)
        XCTAssertEqual(creates.count, 1)
        XCTAssertEqual(polls.count, 6, "five failed polls, more than one request's retries, then the answer")
        XCTAssertTrue(result.stderr.contains("the task keeps running"), result.stderr)
        assertPNGs(result.lines)
    }

    func testTruncatedDownloadIsRetriedAndNeverSavedUnderItsName() throws {
        mock.inject(try Fault(spec: "truncate@file"))
        let process = try spawn(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-o", "pics/"])
        var broken: [String] = []
        while process.process.isRunning {
            for path in files(matching: ".png") {
                if let data = FileManager.default.contents(atPath: url(path).path), Array(data.suffix(12)) != Self.pngEnd {
                    broken.append(path)
                }
            }
            usleep(5_000)
        }
        let result = process.finish(timeout: 20)
        assertKeyHidden(result)
        assertExit(result, 0)
        XCTAssertEqual(broken, [], "a partial download appeared under a final name")
        XCTAssertEqual(downloads.count, 2, "the broken download is fetched again")
        XCTAssertEqual(result.lines.count, 1)
        assertPNGs(result.lines)
        let data = try Data(contentsOf: url(try XCTUnwrap(result.lines.first)))
        XCTAssertEqual(Array(data.suffix(12)), Self.pngEnd, "the saved file is complete")
        XCTAssertTrue(result.stderr.contains("retrying"), result.stderr)
        assertNoPartFiles()
    }
}
