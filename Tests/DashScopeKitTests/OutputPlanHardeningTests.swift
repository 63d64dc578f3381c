import Foundation
import XCTest
@testable import DashScopeKit

/// Nothing a server sends becomes a path: every placeholder value is one safe path component.
final class OutputPlanHardeningTests: XCTestCase {
    private let cwd = "/work/here"
    private let date = Date(timeIntervalSince1970: 0)

    private func path(_ option: String, task: String = "t1", model: String = "wan2.6-t2i", prompt: String = "cat",
                      ext: String = "png", count: Int = 1) throws -> String {
        let context = NamingContext(date: date, model: model, prompt: prompt, task: task)
        return try OutputPlan(option: option, cwd: cwd, home: "/home/u").path(index: 1, count: count, ext: ext, context: context)
    }

    // MARK: The sanitiser

    func testComponentTable() {
        let cases: [(String, String)] = [
            ("../../x", ".._.._x"),
            ("..", "__"),
            (".", "_"),
            ("...", "___"),
            ("/", "_"),
            ("/etc/passwd", "_etc_passwd"),
            ("a\\b", "a_b"),
            ("a\u{0}b", "a_b"),
            ("line\nbreak\r", "line_break_"),
            ("\u{1B}]0;title\u{7}", "_]0;title_"),
            ("\u{9B}31m", "_31m"),
            ("del\u{7F}", "del_"),
            ("rtl\u{202E}gpj.exe", "rtl_gpj.exe"),
            ("", "fallback"),
            ("0385dc79-5ff8-4d82", "0385dc79-5ff8-4d82"),
            ("wan2.6-t2i", "wan2.6-t2i"),
            ("猫", "猫"),
            (".hidden", ".hidden"),
        ]
        for (value, expected) in cases {
            XCTAssertEqual(OutputPlan.component(value, fallback: "fallback"), expected, value.debugDescription)
        }
    }

    func testComponentsAreBoundedInBytesAtCharacterBoundaries() {
        let ascii = OutputPlan.component(String(repeating: "a", count: 1000), fallback: "x")
        XCTAssertEqual(ascii.utf8.count, OutputPlan.maxComponentBytes)
        let wide = OutputPlan.component(String(repeating: "猫", count: 1000), fallback: "x")
        XCTAssertLessThanOrEqual(wide.utf8.count, OutputPlan.maxComponentBytes)
        XCTAssertEqual(wide, String(repeating: "猫", count: OutputPlan.maxComponentBytes / 3), "no character is cut in half")
        let flags = OutputPlan.component(String(repeating: "🇨🇳", count: 100), fallback: "x")
        XCTAssertTrue(flags.allSatisfy { $0 == "🇨🇳" }, "grapheme clusters stay whole")
    }

    func testEveryComponentIsOneSafeName() {
        let nasty = ["../", "..", ".", "/", "a/../../b", "\u{0}", "\u{1B}[2J", "\n", "~", "-rf", String(repeating: "../", count: 100)]
        for value in nasty {
            let out = OutputPlan.component(value, fallback: "f")
            XCTAssertFalse(out.isEmpty)
            XCTAssertFalse(out.contains("/"), out)
            XCTAssertFalse(out == "." || out == "..", out)
            XCTAssertFalse(out.unicodeScalars.contains(where: TerminalText.isControl), out.debugDescription)
            XCTAssertLessThanOrEqual(out.utf8.count, OutputPlan.maxComponentBytes)
        }
    }

    // MARK: In paths

    func testAServerTaskIdCannotLeaveTheDirectory() throws {
        XCTAssertEqual(try path("sub/{task}.{ext}", task: "../../x"), "/work/here/sub/.._.._x.png")
        XCTAssertEqual(try path("sub/{task}.{ext}", task: ".."), "/work/here/sub/__.png")
        XCTAssertEqual(try path("sub/{task}", task: "/etc/cron.d/evil"), "/work/here/sub/_etc_cron.d_evil.png")
        XCTAssertEqual(try path("sub/{task}.{ext}", task: ""), "/work/here/sub/task.png", "an empty id becomes a name")
    }

    func testModelAndExtensionValuesAreSanitisedToo() throws {
        XCTAssertEqual(try path("{model}/x.{ext}", model: "../../etc"), "/work/here/.._.._etc/x.png")
        XCTAssertEqual(try path("out/x.{ext}", ext: "/../../sh"), "/work/here/out/x._.._.._sh")
        XCTAssertEqual(try path("out/x.{ext}", ext: ""), "/work/here/out/x.bin")
    }

    func testAValueIsNeverReadAsAPlaceholder() throws {
        XCTAssertEqual(try path("out/{model}-{task}.png", task: "{ext}", model: "{task}"), "/work/here/out/{task}-{ext}.png")
        XCTAssertThrowsError(try path("out/{unknown}-{task}.png", task: "t"), "unknown names are refused before anything is sent")
        XCTAssertEqual(try path("out/{{task}}.png", task: "t"), "/work/here/out/{t}.png")
        XCTAssertEqual(try path("out/{task.png", task: "t"), "/work/here/out/{task.png")
    }

    // MARK: ~ and the absolute -o

    func testTildeExpandsToTheRunsHome() throws {
        XCTAssertEqual(try path("~/pics/"), "/home/u/pics/" + stamp() + "-cat.png")
        XCTAssertEqual(try OutputPlan(option: "~", cwd: cwd, home: "/home/u").directoryPattern, "/home/u")
        XCTAssertEqual(try OutputPlan(option: "~/cat.png", cwd: cwd, home: "/home/u").directoryPattern, "/home/u")
        XCTAssertEqual(try OutputPlan(option: "a/~/b/", cwd: cwd, home: "/home/u").directoryPattern, "/work/here/a/~/b",
                       "only a leading ~ means home")
    }

    func testAbsoluteOption() {
        let cases: [(String, String)] = [
            ("~/pics/", "/home/u/pics/"),
            ("~", "/home/u/"),
            ("~/cat.png", "/home/u/cat.png"),
            ("pics/", "/work/here/pics/"),
            ("pics", "/work/here/pics"),
            ("", "/work/here/"),
            (".", "/work/here/"),
            ("..", "/work/"),
            ("a/../b/{task}.png", "/work/here/b/{task}.png"),
            ("/abs//x/./y/", "/abs/x/y/"),
            ("/", "/"),
        ]
        for (option, expected) in cases {
            XCTAssertEqual(OutputPlan.absolute(option: option, cwd: cwd, home: "/home/u"), expected, option)
        }
    }

    func testTheRootDirectoryIsJoinedWithOneSlash() throws {
        XCTAssertEqual(try path("/"), "/" + stamp() + "-cat.png")
        XCTAssertEqual(try path("/{task}.png"), "/t1.png")
    }

    func testTheAbsoluteOptionPlansTheSamePaths() throws {
        for option in ["~/pics/", "pics/", "out/{task}.{ext}", ".", "cat.png", "../x/"] {
            let absolute = OutputPlan.absolute(option: option, cwd: cwd, home: "/home/u")
            XCTAssertEqual(try path(absolute), try path(option), "journaling \(absolute) for \(option) resumes to the same place")
        }
    }

    /// `{date}-{time}` of the test's date in the local time zone.
    private func stamp() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.string(from: date)
    }
}
