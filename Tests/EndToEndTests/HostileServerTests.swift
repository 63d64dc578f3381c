import Foundation
import XCTest
import DashScopeMock

/// Everything a server sends is untrusted: schemes, ids, names, messages, sizes and numbers from a hostile or broken
/// service must never reach a path, a terminal, a shell line or memory unchecked (issue 6 §1 and §2).
final class HostileServerTests: EndToEndCase {
    private func hostile(_ faults: Fault..., taskSeconds: Double = 0) throws {
        try startMock(MockOptions(taskSeconds: taskSeconds, faults: faults))
    }

    // MARK: - Schemes

    func testAResultURLOfAnotherSchemeIsNeverFetched() throws {
        for url in ["file:///etc/passwd", "gopher://127.0.0.1:9/_x", "ftp://127.0.0.1/x"] {
            try hostile(Fault(.resultURL, value: url))
            let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-o", "out/"])
            XCTAssertNotEqual(result.status, 0, "\(url): \(result.stderr)")
            XCTAssertEqual(result.lines, [], url)
            XCTAssertEqual(files(), [], "\(url): nothing may be saved")
            XCTAssertTrue(result.stderr.contains("http"), "\(url): the error names the allowed schemes: \(result.stderr)")
        }
    }

    func testALoneFailedDownloadIsSaidOnce() throws {
        try hostile(Fault(.resultURL, value: "http://127.0.0.1:1/gone.png"))
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-o", "out/", "--timeout", "3"])
        XCTAssertNotEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stderr.contains("output 1 failed"), "the error says it; no warning repeats it first: \(result.stderr)")
        XCTAssertEqual(result.errorLines.filter { $0.hasPrefix("error: ") }.count, 1, result.stderr)
    }

    func testARedirectToAnotherSchemeIsNotFollowed() throws {
        let listener = try LoopbackListener()
        for (target, route) in [("gopher://127.0.0.1:\(listener.port)/_SET%20x%201", Fault.Route.create),
                                ("file:///etc/passwd", .create), ("file:///dev/zero", .file),
                                ("dict://127.0.0.1:\(listener.port)/x", .file)] {
            try hostile(Fault(.redirect, value: target, route: route))
            let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-o", "out/"])
            XCTAssertNotEqual(result.status, 0, "\(target): \(result.stderr)")
            XCTAssertLessThan(result.seconds, 20, "\(target) must fail at once, not read forever")
            XCTAssertFalse(result.stderr.contains("root:"), "\(target): no local file may be read: \(result.stderr)")
            XCTAssertEqual(files(), [], "\(target): nothing may be saved")
        }
        XCTAssertEqual(listener.accepted, 0, "nothing may connect to the gopher/dict target")
    }

    func testTimeoutBoundsACreateThatNeverAnswers() throws {
        let silent = try LoopbackListener(hold: true)
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "--timeout", "2"],
                             env: ["DASHSCOPE_BASE_URL": "http://127.0.0.1:\(silent.port)"])
        assertExit(result, 75)
        XCTAssertLessThan(result.seconds, 15, "--timeout bounds the create too (it took 306 s with --timeout 5)")
        XCTAssertTrue(result.stderr.contains("task list"), "the create may have started a task: \(result.stderr)")
        XCTAssertEqual(silent.accepted, 1, "a create that may have arrived is never re-sent")
    }

    // MARK: - Names and ids

    func testARequestIDNeverBecomesAPath() throws {
        try hostile(Fault(.requestID, value: "../../x", count: 10))
        try FileManager.default.createDirectory(at: url("deep/er"), withIntermediateDirectories: true)
        let result = try run(["t2i", "a cat", "-o", "deep/er/sub/{task}.{ext}"])
        assertExit(result, 0)
        let path = try XCTUnwrap(result.lines.first)
        XCTAssertTrue(path.hasPrefix("deep/er/sub/") && !path.dropFirst("deep/er/sub/".count).contains("/"), path)
        XCTAssertFalse(path.split(separator: "/").contains(".."), path)
        assertPNGs(result.lines)
        XCTAssertEqual(files().filter { !$0.hasPrefix("deep/er/sub/") }, [], "nothing is written outside sub/")
    }

    func testAMalformedTaskIDIsRefusedNotJournaledNotRun() throws {
        for id in ["$(touch pwned)", "../x", "a b", "x;id"] {
            try hostile(Fault(.taskID, value: id))
            let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "--no-wait"])
            assertExit(result, 1)
            XCTAssertEqual(result.stdout, "", "\(id) is not printed as a result")
            XCTAssertFalse(result.stderr.contains("collect it with"), result.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: url("pwned").path))
            let journal = try? String(contentsOf: root.appendingPathComponent(".state/dashscope/tasks.jsonl"), encoding: .utf8)
            XCTAssertFalse(journal?.contains("touch") ?? false, "\(id) must not be journaled")
        }
    }

    func testPrintedCommandLinesAreShellQuoted() throws {
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "--no-wait", "-o", "my pics/$(id)/"])
        assertExit(result, 0)
        let line = try XCTUnwrap(result.errorLines.first { $0.hasPrefix("collect it with: ") }, result.stderr)
        XCTAssertTrue(line.hasSuffix("-o '\(root.path)/my pics/$(id)/'") || line.contains("-o 'my pics/$(id)/'"), line)
    }

    // MARK: - Terminal and key

    func testControlCharactersFromTheServerAreEscaped() throws {
        let osc = "pwned\u{1B}]0;owned title\u{07}\u{1B}[2J\u{9B}31m\r\nfake: line"
        try hostile(Fault(.message, value: osc), Fault(.code, value: "Bad\u{1B}[31mCode"))
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash"])
        assertExit(result, 1)
        for text in [result.stdout, result.stderr] {
            XCTAssertFalse(text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B || $0 == "\r" },
                           "raw control characters reached the terminal: \(text.debugDescription)")
        }
        XCTAssertFalse(result.errorLines.contains { $0.hasPrefix("fake: line") }, "a server message cannot start a line of ours")
    }

    func testTheKeyIsRedactedWhenTheServerEchoesIt() throws {
        for extra in [[], ["--json"], ["--verbose"]] {
            try hostile(Fault(.echoKey, count: 10), Fault(.internalError, route: .create))
            let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash"] + extra)
            XCTAssertNotEqual(result.status, 0, "\(extra): \(result.stderr)")
            assertKeyHidden(result)
            XCTAssertTrue((result.stdout + result.stderr).contains(Self.redactedKey), "\(extra): the echo shows redacted: \(result.stderr)")
        }
    }

    // MARK: - Sizes and numbers

    func testAHugeAnswerIsRefusedNotBuffered() throws {
        try hostile(Fault(.huge, route: .create, seconds: 200))
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash"])
        XCTAssertNotEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.lowercased().contains("large") || result.stderr.contains("MB"), result.stderr)
        XCTAssertEqual(files(), [])
    }

    func testBigNumbersKeepTheirTextAndInfinityNeverReachesJSON() throws {
        try hostile(Fault(.bigNumbers))
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "--json"])
        assertExit(result, 0)
        XCTAssertTrue(result.stdout.contains("9007199254740993"), result.stdout)
        XCTAssertFalse(result.stdout.contains("inf"), result.stdout)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)), "stdout stays JSON")
    }

    func testAnUnrecognisedStatusKeepsPollingWithAWarning() throws {
        try hostile(Fault(.status, value: "WEIRD", count: 3), taskSeconds: 0)
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash"])
        assertExit(result, 0)
        assertPNGs(result.lines)
        XCTAssertTrue(result.stderr.contains("WEIRD"), "one warning names the status: \(result.stderr)")
    }

    // MARK: - Downloads

    func testEmptyAndNoContentDownloadsAreFailuresNotEmptyFiles() throws {
        for kind in [Fault.Kind.empty, .noContent, .partialContent] {
            try hostile(Fault(kind, route: .file, count: 20))
            let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-o", "out/"])
            XCTAssertNotEqual(result.status, 0, "\(kind): \(result.stderr)")
            XCTAssertEqual(files(matching: ".png"), [], "\(kind): no empty file is saved")
            assertNoPartFiles()
        }
    }

    func testADroppedDownloadResumesWithRange() throws {
        try hostile(Fault(.dropHalf, route: .file))
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-o", "out/"])
        assertExit(result, 0)
        assertPNGs(result.lines)
        XCTAssertEqual(downloads.count, 2, "one resumed request")
        XCTAssertTrue(downloads.last?.headers["range"]?.hasPrefix("bytes=") ?? false, "\(downloads.map(\.headers))")
        assertNoPartFiles()
    }

    func testTimeoutBoundsAStalledDownloadAndSaysHowToResume() throws {
        try hostile(Fault(.trickle, route: .file, count: 10))
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "--timeout", "3", "-o", "out/"])
        assertExit(result, 75)
        XCTAssertLessThan(result.seconds, 15, "--timeout bounds the download too")
        XCTAssertEqual(result.stderr.components(separatedBy: "dashscope task wait").count - 1, 1,
                       "exactly one resume line, with -o: \(result.stderr)")
        XCTAssertTrue(result.errorLines.contains { $0.hasPrefix("hint: resume with: dashscope task wait ") && $0.hasSuffix(" -o \(root.path)/out/") },
                      result.stderr)
        assertOnlyResumableParts()
    }

    func testASymlinkAtTheTargetIsNotWrittenThrough() throws {
        try write("precious", to: "elsewhere/precious.png")
        try FileManager.default.createSymbolicLink(atPath: url("cat.png").path, withDestinationPath: url("elsewhere/precious.png").path)
        for extra in [[], ["--force"]] {
            let result = try run(["t2i", "a cat", "-o", "cat.png"] + extra)
            assertExit(result, 0)
            XCTAssertEqual(try String(contentsOf: url("elsewhere/precious.png"), encoding: .utf8), "precious", "\(extra)")
        }
    }
}

/// A TCP listener on 127.0.0.1 that counts connections, to prove nothing was sent somewhere; with `hold`, it keeps
/// each connection open and silent, like a server that never answers.
final class LoopbackListener: @unchecked Sendable {
    private let fd: Int32
    let port: UInt16
    private let counter = Counter()
    private let held = Held()

    /// The connections kept open.
    private final class Held: @unchecked Sendable {
        private let lock = NSLock()
        private var fds: [Int32] = []
        func add(_ fd: Int32) { lock.withLock { fds.append(fd) } }
        var all: [Int32] { lock.withLock { fds } }
    }

    /// A thread-safe count.
    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func add() { lock.withLock { value += 1 } }
        var current: Int { lock.withLock { value } }
    }

    init(hold: Bool = false) throws {
        let listening = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listening, $0, size) } }
        listen(listening, 16)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listening, $0, &size) } }
        fd = listening
        port = UInt16(bigEndian: address.sin_port)
        let counter = counter
        let held = held
        Thread {
            while true {
                let client = accept(listening, nil, nil)
                guard client >= 0 else { return }
                counter.add()
                if hold { held.add(client) } else { close(client) }
            }
        }.start()
    }

    /// Connections accepted so far.
    var accepted: Int { counter.current }

    deinit {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
        for client in held.all { close(client) }
    }
}
