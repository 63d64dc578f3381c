import Foundation
import XCTest
@testable import DashScopeKit

final class OutputPlanTests: XCTestCase {
    private let cwd = "/work/here"
    /// 2026-01-02 03:04:05 in the local time zone, so `{date}` and `{time}` are known.
    private let date = Calendar.current.date(from: DateComponents(year: 2026, month: 1, day: 2, hour: 3, minute: 4, second: 5))!
    private var context: NamingContext { NamingContext(date: date, model: "wan2.6-t2i", prompt: "A red fox, at dusk!", task: "task-9") }

    private func paths(_ option: String?, count: Int, ext: String = "png", cwd: String? = nil) throws -> [String] {
        let plan = try OutputPlan(option: option, cwd: cwd ?? self.cwd)
        return (1...count).map { plan.path(index: $0, count: count, ext: ext, context: context) }
    }

    // MARK: Where files go

    func testNoOptionMeansTheCurrentDirectoryAndTheDefaultPattern() throws {
        let plan = try OutputPlan(option: nil, cwd: cwd)
        XCTAssertEqual(plan.directoryPattern, cwd)
        XCTAssertEqual(plan.filePattern, OutputPlan.defaultPattern)
        XCTAssertEqual(try paths(nil, count: 1), ["/work/here/20260102-030405-a-red-fox-at-dusk.png"])
        XCTAssertEqual(try paths("", count: 1), ["/work/here/20260102-030405-a-red-fox-at-dusk.png"])
    }

    func testSeveralOutputsWithTheDefaultPatternAreNumbered() throws {
        XCTAssertEqual(try paths(nil, count: 2), ["/work/here/20260102-030405-a-red-fox-at-dusk-1.png",
                                                  "/work/here/20260102-030405-a-red-fox-at-dusk-2.png"])
    }

    func testATrailingSlashNamesADirectory() throws {
        XCTAssertEqual(try paths("pics/", count: 1), ["/work/here/pics/20260102-030405-a-red-fox-at-dusk.png"])
        XCTAssertEqual(try paths("/abs/out/", count: 1), ["/abs/out/20260102-030405-a-red-fox-at-dusk.png"])
        XCTAssertEqual(try paths(".", count: 1), ["/work/here/20260102-030405-a-red-fox-at-dusk.png"])
    }

    func testAnExistingDirectoryWithoutSlashIsADirectory() throws {
        let dir = try temporaryDirectory(self)
        try FileManager.default.createDirectory(atPath: dir + "/existing", withIntermediateDirectories: true)
        XCTAssertEqual(try paths("existing", count: 1, cwd: dir), [dir + "/existing/20260102-030405-a-red-fox-at-dusk.png"])
        XCTAssertEqual(try paths("missing", count: 1, cwd: dir), [dir + "/missing.png"], "a name that is not a directory is a file name")
    }

    /// `-o /dev/null` (a device), a FIFO or a socket is refused (64) naming the path, instead of saving `/dev/null.png`.
    func testAnExistingPathThatIsNeitherADirectoryNorAFileIsRefused() throws {
        let dir = try temporaryDirectory(self)
        XCTAssertEqual(mkfifo(dir + "/fifo", 0o600), 0)
        for option in ["/dev/null", dir + "/fifo"] {
            XCTAssertThrowsError(try OutputPlan(option: option, cwd: dir), option) { error in
                let failure = error as? DashScopeError
                XCTAssertEqual(failure?.exitCode, .usage, option)
                XCTAssertTrue(failure?.message.contains(option) == true, failure?.message ?? "")
                XCTAssertTrue(failure?.hint?.contains("a directory or a file name") == true, failure?.hint ?? "")
            }
        }
        _ = FileManager.default.createFile(atPath: dir + "/plain.png", contents: Data())
        XCTAssertEqual(try paths("plain.png", count: 1, cwd: dir), [dir + "/plain.png"], "a regular file is still a file name")
    }

    func testAFileNameForOneOutputAndNumberedForSeveral() throws {
        XCTAssertEqual(try paths("cat.png", count: 1), ["/work/here/cat.png"])
        XCTAssertEqual(try paths("cat.png", count: 3), ["/work/here/cat-1.png", "/work/here/cat-2.png", "/work/here/cat-3.png"])
        XCTAssertEqual(try paths("out/cat.jpg", count: 2), ["/work/here/out/cat-1.jpg", "/work/here/out/cat-2.jpg"])
    }

    func testAnExtensionIsAddedWhenTheNameHasNone() throws {
        XCTAssertEqual(try paths("cat", count: 1), ["/work/here/cat.png"])
        XCTAssertEqual(try paths("cat", count: 1, ext: "jpg"), ["/work/here/cat.jpg"])
        XCTAssertEqual(try paths("cat", count: 2, ext: "mp4"), ["/work/here/cat-1.mp4", "/work/here/cat-2.mp4"])
    }

    func testTemplateVariables() throws {
        XCTAssertEqual(try paths("out/{date}_{time}_{model}_{slug}_{task}_{index}.{ext}", count: 1),
                       ["/work/here/out/20260102_030405_wan2.6-t2i_a-red-fox-at-dusk_task-9_1.png"])
        XCTAssertEqual(try paths("{task}-{index}", count: 2), ["/work/here/task-9-1.png", "/work/here/task-9-2.png"],
                       "{index} in the pattern is not added twice")
        XCTAssertEqual(try paths("{model}/{date}/img.{ext}", count: 1, ext: "webp"), ["/work/here/wan2.6-t2i/20260102/img.webp"])
    }

    func testTaskIndexAndExtAreRefusedInTheDirectoryPart() {
        for option in ["{task}/cat.png", "out/{index}/cat.png", "{ext}/x", "{task}/"] {
            let error = assertFails(.usage) { _ = try OutputPlan(option: option, cwd: self.cwd) }
            XCTAssertTrue(error?.message.contains("directory part") ?? false, error?.message ?? "")
        }
    }

    func testTildeMeansTheGivenHome() throws {
        let plan = try OutputPlan(option: "~/pics/", cwd: "/work/here", home: "/home/someone")
        XCTAssertEqual(plan.directoryPattern, "/home/someone/pics")
    }

    func testRelativeSegmentsAreResolved() throws {
        XCTAssertEqual(try paths("../up/cat.png", count: 1), ["/work/up/cat.png"])
    }

    // MARK: Slugs

    func testSlugs() {
        let cases: [(String, String)] = [
            ("A red fox, at dusk!", "a-red-fox-at-dusk"),
            ("一只可爱的猫", "一只可爱的猫"),
            ("一只猫，在屋顶上。", "一只猫-在屋顶上"),
            ("!!! ??? ...", "output"),
            ("", "output"),
            ("--Hello__World--", "hello-world"),
            ("path/../../etc", "path-etc"),
            ("Ünïcödé café", "ünïcödé-café"),
            ("a\tb\nc", "a-b-c"),
        ]
        for (prompt, slug) in cases {
            XCTAssertEqual(OutputPlan.slug(prompt), slug, prompt)
        }
        let long = OutputPlan.slug(String(repeating: "word ", count: 40))
        XCTAssertLessThanOrEqual(long.count, 32)
        XCTAssertFalse(long.hasSuffix("-"))
        XCTAssertEqual(OutputPlan.slug(String(repeating: "猫", count: 100)).count, 32)
        XCTAssertEqual(OutputPlan.slug(String(repeating: "a", count: 31) + " bcd"), String(repeating: "a", count: 31),
                       "a dash and a letter added at 31 characters would make 33")
        XCTAssertEqual(OutputPlan.slug("two cats character1 and character2 a girl"), "two-cats-character1-and",
                       "cut at a word boundary, not mid-word (it made ...-character2-a-gi)")
        XCTAssertEqual(OutputPlan.slug("tiny " + String(repeating: "x", count: 40)), "tiny-" + String(repeating: "x", count: 27),
                       "a boundary that would leave under 12 characters is not used")
    }

    // MARK: Free names

    func testFreePath() {
        XCTAssertEqual(OutputPlan.freePath("/d/cat.png", attempt: 1), "/d/cat.png")
        XCTAssertEqual(OutputPlan.freePath("/d/cat.png", attempt: 2), "/d/cat-2.png")
        XCTAssertEqual(OutputPlan.freePath("/d/cat.png", attempt: 10), "/d/cat-10.png")
        XCTAssertEqual(OutputPlan.freePath("/d/cat", attempt: 3), "/d/cat-3")
        XCTAssertEqual(OutputPlan.freePath("/d.v/cat", attempt: 2), "/d.v/cat-2", "a dot in the directory is not an extension")
    }

    func testDisplayAndExtensions() {
        XCTAssertEqual(OutputPlan.display("/work/here/pics/a.png", cwd: "/work/here"), "pics/a.png")
        XCTAssertEqual(OutputPlan.display("/work/hereafter/a.png", cwd: "/work/here"), "/work/hereafter/a.png")
        XCTAssertEqual(OutputPlan.fileExtension(of: "https://x/a/b.JPG?Expires=1&Signature=x", fallback: "png"), "jpg")
        XCTAssertEqual(OutputPlan.fileExtension(of: "https://x/a/b.exe", fallback: "png"), "png")
        XCTAssertEqual(OutputPlan.fileExtension(of: "https://x/a/b", fallback: "mp4"), "mp4")
    }

    // MARK: prepare

    func testPrepareCreatesNestedDirectories() throws {
        let dir = try temporaryDirectory(self)
        let plan = try OutputPlan(option: "a/{model}/b/", cwd: dir)
        let made = try plan.prepare(context)
        XCTAssertEqual(made, dir + "/a/wan2.6-t2i/b")
        var isDirectory: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: made, isDirectory: &isDirectory) && isDirectory.boolValue)
    }

    func testPrepareOnAnUnwritablePlaceExits73() throws {
        let dir = try temporaryDirectory(self)
        if geteuid() == 0 {
            _ = FileManager.default.createFile(atPath: dir + "/plainfile", contents: Data("x".utf8))
            let plan = try OutputPlan(option: dir + "/plainfile/sub/", cwd: dir)
            assertFails(.cannotWrite) { _ = try plan.prepare(self.context) }
        } else {
            let locked = dir + "/locked"
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o500])
            addTeardownBlock { try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: locked) }
            assertFails(.cannotWrite) { _ = try OutputPlan(option: locked + "/", cwd: dir).prepare(self.context) }
            assertFails(.cannotWrite) { _ = try OutputPlan(option: locked + "/sub/", cwd: dir).prepare(self.context) }
        }
    }
}
