import Foundation
import XCTest
@testable import DashScopeKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Terminal escaping, shell quoting, task ids and stream writes: the small guards every printed line goes through.
final class TextSafetyHardeningTests: XCTestCase {
    // MARK: TerminalText

    func testALineEscapesEveryControlCharacterButTab() {
        let cases: [(String, String)] = [
            ("plain text, 猫 😺", "plain text, 猫 😺"),
            ("a\nb", "a\\nb"),
            ("a\r\nb", "a\\r\\nb"),
            ("\u{1B}]0;pwned\u{7}", "\\x1B]0;pwned\\x07"),
            ("\u{9B}31mred", "\\x9B31mred"),
            ("\u{0}\u{7F}", "\\x00\\x7F"),
            ("tab\there", "tab\there"),
            ("\u{2028}\u{2029}", "\\u{2028}\\u{2029}"),
            ("abc\u{202E}fdp.exe", "abc\\u{202E}fdp.exe"),
            ("é", "é"),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(TerminalText.line(text), expected, text.debugDescription)
        }
    }

    func testABlockKeepsLineFeedsAndAFieldEscapesTabs() {
        XCTAssertEqual(TerminalText.block("a\nb\t\u{1B}[2J\r"), "a\nb\t\\x1B[2J\\r")
        XCTAssertEqual(TerminalText.field("a\tb\nc"), "a\\tb\\nc")
    }

    func testEscapedTextHoldsNoControlCharacter() {
        let all = String(String.UnicodeScalarView((0...0x10FF).compactMap(Unicode.Scalar.init)))
        XCTAssertFalse(TerminalText.line(all).unicodeScalars.contains { TerminalText.isControl($0) && $0 != "\t" })
        XCTAssertFalse(TerminalText.field(all).unicodeScalars.contains(where: TerminalText.isControl))
    }

    // MARK: ShellQuote

    func testQuotingTable() {
        let cases: [(String, String)] = [
            ("0385dc79-5ff8_ab", "0385dc79-5ff8_ab"),
            ("pics/a.png", "pics/a.png"),
            ("http://127.0.0.1:8089", "http://127.0.0.1:8089"),
            ("", "''"),
            ("my pics/", "'my pics/'"),
            ("$(touch x)", "'$(touch x)'"),
            ("`id`", "'`id`'"),
            ("it's", "'it'\\''s'"),
            ("a;b|c&d", "'a;b|c&d'"),
            ("~/pics", "'~/pics'"),
            ("*.png", "'*.png'"),
            ("=cmd", "'=cmd'"),
            ("a=b", "a=b"),
            ("猫", "'猫'"),
            ("line\nbreak", "'line\nbreak'"),
            ("!x", "'!x'"),
            ("{task}.{ext}", "'{task}.{ext}'"),
        ]
        for (word, expected) in cases {
            XCTAssertEqual(ShellQuote.quote(word), expected, word)
        }
        XCTAssertEqual(ShellQuote.command(["dashscope", "task", "wait", "abc", "-o", "my pics/"]), "dashscope task wait abc -o 'my pics/'")
    }

    func testAShellReadsQuotedWordsBackUnchanged() throws {
        let words = ["plain", "", "my pics/", "$(touch pwned)", "it's", "a\"b", "`id`", "~/x", "*", "\\n", "a\nb", "猫 🐱", "=ls", "'", "''"]
        let dir = try temporaryDirectory(self)
        let script = "printf '%s\\0' " + ShellQuote.command(words)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var read = data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if read.last == "" { read.removeLast() }
        XCTAssertEqual(read, words)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/pwned"), "nothing ran")
    }

    // MARK: TaskID

    func testTaskIDs() {
        for good in ["0385dc79-5ff8-4d82-bcb6-4fa3f4e0a7b1", "a", "A_b-9", String(repeating: "x", count: 128)] {
            XCTAssertTrue(TaskID.isValid(good), good)
            XCTAssertEqual(TaskID(good)?.rawValue, good)
        }
        for bad in ["", String(repeating: "x", count: 129), "$(touch x)", "../x", "a b", "a/b", "é", "猫", "ａ", "٣",
                    "a\nb", "a\u{0}", "a.b", "a;b", "\u{1B}[31m"] {
            XCTAssertFalse(TaskID.isValid(bad), bad.debugDescription)
            XCTAssertNil(TaskID(bad))
        }
    }

    func testTaskIDErrors() {
        let user = assertFails(.usage) { _ = try TaskID.user("$(touch x)\u{1B}[2J") }
        XCTAssertTrue(user?.message.contains("$(touch x)\\x1B[2J") ?? false, user?.message ?? "")
        let server = assertFails(.failed) { _ = try TaskID.server("../../x\n", requestID: "r-1") }
        XCTAssertEqual(server?.requestID, "r-1")
        XCTAssertFalse(server?.message.contains("\n") ?? true)
        XCTAssertTrue(server?.message.contains("malformed task id (../../x\\n)") ?? false, server?.message ?? "")
        XCTAssertEqual(try TaskID.user("abc-1").rawValue, "abc-1")
    }

    // MARK: StreamWriter

    func testWritingToAFullDeviceThrowsItsReason() throws {
        let fd = open("/dev/full", O_WRONLY)
        try XCTSkipIf(fd < 0, "/dev/full is not available here")
        defer { close(fd) }
        XCTAssertThrowsError(try StreamWriter.write(Data("x".utf8), to: fd)) { error in
            XCTAssertEqual((error as? StreamWriter.Failure)?.code, ENOSPC)
            XCTAssertEqual("\(error)", String(cString: strerror(ENOSPC)))
        }
    }

    func testWritingToAClosedPipeThrowsInsteadOfRaisingSIGPIPE() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        close(fds[0])
        defer { close(fds[1]) }
        let previous = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previous) }
        XCTAssertThrowsError(try StreamWriter.write(Data("x".utf8), to: fds[1])) { error in
            XCTAssertEqual((error as? StreamWriter.Failure)?.code, EPIPE)
        }
    }

    func testWritingLargeBuffersWritesEverything() throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/out"
        let fd = open(path, O_WRONLY | O_CREAT, 0o600)
        XCTAssertGreaterThanOrEqual(fd, 0)
        let data = Data((0..<3_000_000).map { UInt8($0 % 251) })
        try StreamWriter.write(data, to: fd)
        try StreamWriter.write(Data(), to: fd)
        close(fd)
        XCTAssertEqual(FileManager.default.contents(atPath: path), data)
    }
}
