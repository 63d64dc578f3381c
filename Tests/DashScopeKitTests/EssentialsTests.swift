import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import DashScopeKit

/// The stand-ins for what FoundationEssentials lacks give Foundation's answers: each is checked against the
/// Foundation API it replaces (the tests may import Foundation; the sources may not).
final class EssentialsTests: XCTestCase {
    private let texts = [
        "", " ", "\t a b \t", "  \n x \r\n", "\u{3000}全角\u{3000}", "\u{A0}nb\u{A0}", "\u{2028}line\u{2029}", "a\u{85}",
        "é\u{301} ", " 'quote' ", "\r\nCRLF\r\n", "no-trim",
    ]

    func testTrimmingMatchesFoundation() {
        for text in texts {
            XCTAssertEqual(text.trimmingBlanks(), text.trimmingCharacters(in: .whitespaces), text.debugDescription)
            XCTAssertEqual(text.trimmingBlanksAndLineBreaks(), text.trimmingCharacters(in: .whitespacesAndNewlines),
                           text.debugDescription)
            XCTAssertEqual(text.trimming(where: \.isLineBreak), text.trimmingCharacters(in: .newlines), text.debugDescription)
            XCTAssertEqual(text.dropFirst(0).trimmingBlanks(), text.trimmingCharacters(in: .whitespaces))
        }
    }

    func testReplacingMatchesFoundation() {
        let cases: [(String, String, String)] = [
            ("a\r\nb\nc\r", "\r", "%0D"), ("a\r\nb\nc\r", "\n", "%0A"), ("it's 'x'", "'", "'\\''"), ("aaa", "aa", "b"),
            ("", "x", "y"), ("x", "x", ""), ("--a-b", "-", "\\-"), ("sk-123 and sk-123", "sk-123", "sk-***"),
        ]
        for (text, target, replacement) in cases {
            XCTAssertEqual(text.replacingAll(target, with: replacement),
                           text.replacingOccurrences(of: target, with: replacement), text.debugDescription)
        }
    }

    func testCaseInsensitiveHelpersMatchFoundation() {
        XCTAssertTrue("content-TYPE".equalsIgnoringCase("Content-Type"))
        XCTAssertFalse("Content-Types".equalsIgnoringCase("Content-Type"))
        XCTAssertTrue("Free Allocated Quota exceeded".containsIgnoringCase("free allocated quota"))
        XCTAssertFalse("quota".containsIgnoringCase("free allocated quota"))
        XCTAssertEqual("".containsIgnoringCase(""), true)
    }

    func testFixedPlacesMatchesStringFormat() {
        for value in [0, 0.05, 0.25, 0.35, 1.25, 2.5, 9.95, 9.96, 12.345, -0.05, -3.75, 1e20, 123456789.987] {
            XCTAssertEqual(value.fixed(places: 1), String(format: "%.1f", value), "\(value)")
            XCTAssertEqual(value.fixed(places: 3), String(format: "%.3f", value), "\(value)")
        }
        for value in [0, 7, 42, 2026, 12345, -5] {
            XCTAssertEqual(value.zeroPadded(to: 4), String(format: "%04d", value))
            XCTAssertEqual(value.zeroPadded(to: 2), String(format: "%02d", value))
        }
    }

    func testFittingMatchesPadding() {
        for (text, width) in [("ok", 4), ("fail", 4), ("toolong", 4), ("", 3), ("key:", 9)] {
            XCTAssertEqual(text.fitted(to: width), text.padding(toLength: width, withPad: " ", startingAt: 0))
        }
    }

    func testPercentDecodingMatchesFoundation() {
        for text in ["/a%20b", "%E4%BD%A0%E5%A5%BD", "plain", "%", "%2", "%zz", "%FF", "100%25", "%c3%a9", ""] {
            XCTAssertEqual(text.percentDecoded(), text.removingPercentEncoding, text)
        }
    }

    func testPathTextMatchesNSString() {
        let paths = [
            "", "/", "a", "/a", "/a/b", "a/b/", "/a/b//", "a//b", "./x.png", "../x", "/tmp/out/", "name.tar.gz", ".profile",
            "dir.d/file", "/x/y.png", "~/cat.jpg", "a/.hidden", "/a/b/c.",
        ]
        for path in paths {
            let ns = path as NSString
            XCTAssertEqual(PathText.lastComponent(path), ns.lastPathComponent, path)
            // swift-corelibs-foundation traps on a lone component ("a"); Apple's answer is the empty string.
            XCTAssertEqual(PathText.deletingLastComponent(path), path == "a" ? "" : ns.deletingLastPathComponent, path)
            XCTAssertEqual(PathText.pathExtension(path), ns.pathExtension, path)
            // NSString also folds `//` and drops a bare trailing dot here; paths the tool builds have neither.
            if !["a//b", "/a/b/c."].contains(path) {
                XCTAssertEqual(PathText.deletingPathExtension(path), ns.deletingPathExtension, path)
            }
        }
    }

    func testAppendingMatchesNSString() {
        for (base, component) in [("/a", "b"), ("/", "b"), ("a/", "b"), ("/x/y", "../z"), ("dir", "link.conf")] {
            XCTAssertEqual(PathText.appending(component, to: base), (base as NSString).appendingPathComponent(component))
        }
    }

    func testHTTPDatesMatchTheFormatter() {
        let reader = DateFormatter()
        reader.locale = Locale(identifier: "en_US_POSIX")
        reader.timeZone = TimeZone(identifier: "GMT")
        reader.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        for text in ["Thu, 26 Nov 2026 08:09:12 GMT", "Sun, 06 Nov 1994 08:49:37 GMT", "Mon, 29 Feb 2028 23:59:59 GMT"] {
            XCTAssertEqual(CalendarText.parseHTTPDate(text), reader.date(from: text), text)
        }
        for text in ["yesterday", "Thu, 26 Nov 2026 08:09:12", "Thu, 31 Feb 2026 08:09:12 GMT", "26 Nov 2026 08:09:12 GMT"] {
            XCTAssertNil(CalendarText.parseHTTPDate(text), text)
        }
    }

    func testHomeAndTemporaryDirectoriesMatchFoundation() {
        XCTAssertEqual(PathText.homeDirectory(), NSHomeDirectory())
        XCTAssertEqual(PathText.temporaryDirectory(), NSTemporaryDirectory())
    }

    func testCalendarTextMatchesTheFormatters() {
        let dates = [0, 1_764_145_545.987, 951_782_400, 1_700_000_000, 4_102_444_799].map { Date(timeIntervalSince1970: $0) }
        let local = DateFormatter()
        local.locale = Locale(identifier: "en_US_POSIX")
        local.dateFormat = "yyyyMMdd HHmmss Z"
        for date in dates {
            XCTAssertEqual(CalendarText.iso8601(date), ISO8601DateFormatter().string(from: date))
            XCTAssertEqual(ClockZone.process.format(date, "%Y%m%d %H%M%S %z"), local.string(from: date))
            let text = ISO8601DateFormatter().string(from: date)
            XCTAssertEqual(CalendarText.parseISO8601(text), ISO8601DateFormatter().date(from: text))
        }
        for text in ["2026-11-26T16:35:45+08:00", "2026-11-26T03:05:45-05:30", "2026-11-26T08:35:45Z"] {
            XCTAssertEqual(CalendarText.parseISO8601(text), ISO8601DateFormatter().date(from: text), text)
            XCTAssertNotNil(CalendarText.parseISO8601(text))
        }
        for text in ["", "2026-11-26", "2026-11-26T08:35:45", "2026-11-26 08:35:45Z", "2026-13-01T00:00:00Z", "x2026-11-26T08:35:45Z"] {
            XCTAssertNil(CalendarText.parseISO8601(text), text)
        }
    }

    func testLocalTimeFollowsTZ() throws {
        let saved = getenv("TZ").map { String(cString: $0) }
        defer {
            if let saved { setenv("TZ", saved, 1) } else { unsetenv("TZ") }
            tzset()
        }
        setenv("TZ", "Asia/Shanghai", 1)
        tzset()
        let date = Date(timeIntervalSince1970: 1_764_145_545)
        XCTAssertEqual(ClockZone.process.format(date, "%Y-%m-%d %H:%M:%S %z"), "2025-11-26 16:25:45 +0800")
        XCTAssertEqual(ClockZone.utc.format(date, "%Y-%m-%d %H:%M:%S"), "2025-11-26 08:25:45")
    }

    func testSystemErrorTextNamesTheCause() {
        XCTAssertEqual(SystemErrorText.describe(StreamWriter.Failure(code: ENOSPC)), "No space left on device")
        XCTAssertEqual(SystemErrorText.describe(POSIXError(.EACCES)), "Permission denied")
        XCTAssertThrowsError(try FileManager.default.createDirectory(atPath: "/dev/null/x", withIntermediateDirectories: true)) {
            XCTAssertEqual(SystemErrorText.describe($0), "Not a directory")
        }
    }

    func testLockSerialisesThreads() {
        let lock = Lock()
        final class Counter: @unchecked Sendable { var value = 0 }
        let counter = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<10_000 { lock.withLock { counter.value += 1 } }
        }
        XCTAssertEqual(counter.value, 80_000)
    }

    func testThreadsRunTheBodyAndSleep() {
        let ran = expectation(description: "the thread ran")
        XCTAssertTrue(Threads.start { ran.fulfill() })
        wait(for: [ran], timeout: 10)
        let start = Date()
        Threads.sleep(seconds: 0.05)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.05)
    }

    func testDescriptorIOReadsAndWrites() throws {
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        let payload = Data((0..<200_000).map { UInt8($0 % 251) })
        let (readEnd, writeEnd) = (ends[0], ends[1])
        let writer = Thread {
            try? StreamWriter.write(payload, to: writeEnd)
            close(writeEnd)
        }
        writer.start()
        XCTAssertEqual(DescriptorIO.read(descriptor: readEnd, upTo: 10), payload.prefix(10))
        XCTAssertEqual(DescriptorIO.read(descriptor: readEnd, upTo: payload.count), payload.dropFirst(10))
        XCTAssertEqual(DescriptorIO.read(descriptor: readEnd, upTo: 10), Data())
        close(readEnd)

        let path = NSTemporaryDirectory() + "essentials-\(UUID().uuidString)"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data()))
        defer { unlink(path) }
        try DescriptorIO.write(Data("hello".utf8), toExisting: path)
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data("hello".utf8))
        XCTAssertThrowsError(try DescriptorIO.write(Data("x".utf8), toExisting: path + "-missing")) { error in
            XCTAssertEqual((error as? StreamWriter.Failure)?.code, ENOENT)
        }
    }
}
