import Foundation
import XCTest
import DashScopeMock

/// Where results are saved (`-o` as directory, name and template), never overwriting, and the `--json` document.
final class OutputTests: EndToEndCase {
    func testOutputDirectory() throws {
        let result = try run(["t2i", "a cat on a mat", "-o", "pics/"])
        assertExit(result, 0)
        XCTAssertEqual(result.lines.count, 1)
        let path = try XCTUnwrap(result.lines.first)
        XCTAssertTrue(path.hasPrefix("pics/") && path.hasSuffix(".png"), path)
        XCTAssertTrue(path.contains("a-cat-on-a-mat"), "the default name carries the prompt's slug: \(path)")
        assertPNGs([path])
        assertNoPartFiles()
    }

    /// `-o -` means stdout only for tts: the commands that save files refuse it before anything is sent (64), with the way
    /// to name a file `-`.
    /// A directory no file can be created in is refused before anything is sent, even for root, whom `access(2)` lets
    /// write anywhere (`/proc` takes no new files from anyone); the probe file is gone.
    func testADirectoryThatTakesNoFilesIsRefusedBeforeAnythingIsSent() throws {
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-o", "/proc/cat.png"])
        assertExit(result, 73)
        XCTAssertTrue(result.stderr.contains("cannot write to the output directory /proc: "), result.stderr)
        XCTAssertEqual(creates.count, 0, "nothing billed")
        assertExit(try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-o", "pics/"]), 0)
        XCTAssertEqual(files().filter { $0.contains("probe") }, [], "the probe is removed")
    }

    func testDashAsOutputIsRefusedByCommandsThatSaveFiles() throws {
        for argv in [["t2v", "x"], ["t2i", "a cat"], ["r2v", "character1 dances", "--video", "https://example.com/a.mp4"]] {
            let result = try run(argv + ["-o", "-"])
            assertExit(result, 64)
            XCTAssertTrue(result.stderr.contains("cannot write its results to stdout (-o -)"), "\(argv): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("-o ./-"), result.stderr)
            XCTAssertEqual(result.stdout, "")
        }
        XCTAssertTrue(mock.requests.isEmpty, "nothing may be sent")
        XCTAssertEqual(files(), [])
        let named = try run(["t2i", "a cat", "-o", "./-"])
        assertExit(named, 0)
        XCTAssertEqual(files(), ["-.png"])
    }

    func testFileNameWithSeveralOutputsIsNumbered() throws {
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-n", "3", "-o", "name.png"])
        assertExit(result, 0)
        XCTAssertEqual(result.lines, ["name-1.png", "name-2.png", "name-3.png"])
        assertPNGs(result.lines)
        XCTAssertEqual(files(matching: ".png"), ["name-1.png", "name-2.png", "name-3.png"])
        assertNoPartFiles()
    }

    func testTemplate() throws {
        let result = try run(["t2i", "a cat", "-n", "2", "-o", "out/{model}-{index}.{ext}"])
        assertExit(result, 0)
        XCTAssertEqual(result.lines, ["out/wan2.6-t2i-1.png", "out/wan2.6-t2i-2.png"])
        assertPNGs(result.lines)
        assertNoPartFiles()
    }

    func testTemplateWithTaskID() throws {
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-o", "{task}.png"])
        assertExit(result, 0)
        let taskID = try XCTUnwrap(polls.first?.path.split(separator: "/").last.map(String.init))
        XCTAssertEqual(result.lines, ["\(taskID).png"])
        assertPNGs(result.lines)
    }

    func testExistingFileIsNeverOverwrittenUnlessForced() throws {
        let first = try run(["t2i", "a cat", "-o", "cat.png"])
        assertExit(first, 0)
        XCTAssertEqual(first.lines, ["cat.png"])
        let original = try Data(contentsOf: url("cat.png"))

        let second = try run(["t2i", "a cat", "-o", "cat.png"])
        assertExit(second, 0)
        XCTAssertEqual(second.lines, ["cat-2.png"])
        XCTAssertEqual(try Data(contentsOf: url("cat.png")), original, "cat.png must not change")
        assertPNGs(["cat-2.png"])

        let forced = try run(["t2i", "a cat", "-o", "cat.png", "--force"])
        assertExit(forced, 0)
        XCTAssertEqual(forced.lines, ["cat.png"])
        XCTAssertNotEqual(try Data(contentsOf: url("cat.png")), original, "--force replaces the file")
        assertPNGs(["cat.png"])
        XCTAssertEqual(files(matching: ".png"), ["cat-2.png", "cat.png"])
        assertNoPartFiles()
    }

    func testExistingFilesInADirectoryAreKept() throws {
        try write("not a picture", to: "shots/wan2.6-t2i-1.png")
        let result = try run(["t2i", "a cat", "-n", "2", "-o", "shots/{model}-{index}.{ext}"])
        assertExit(result, 0)
        XCTAssertEqual(result.lines, ["shots/wan2.6-t2i-1-2.png", "shots/wan2.6-t2i-2.png"])
        XCTAssertEqual(try String(contentsOf: url("shots/wan2.6-t2i-1.png"), encoding: .utf8), "not a picture")
        assertPNGs(result.lines)
    }

    // MARK: - --json

    func testJSONDocument() throws {
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-n", "2", "--json", "-o", "out/"])
        assertExit(result, 0)
        let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let document = try XCTUnwrap(parsed as? [String: Any], "stdout must be one JSON object: \(result.stdout)")
        let taskID = try XCTUnwrap(document.string("task_id"))
        XCTAssertEqual(polls.first?.path, "/api/v1/tasks/\(taskID)")
        XCTAssertNotNil(document.string("request_id"))
        XCTAssertEqual(document.string("model"), "wan2.2-t2i-flash")
        XCTAssertEqual(document.string("prompt"), "a cat")
        let actual = document.array("actual_prompts").compactMap { $0 as? String }
        XCTAssertEqual(actual.count, 2)
        XCTAssertTrue(actual.allSatisfy { $0.hasPrefix("a cat") }, "\(actual)")
        let urls = document.array("urls").compactMap { $0 as? String }
        XCTAssertEqual(urls, ["\(mock.origin)/files/\(taskID)/0.png", "\(mock.origin)/files/\(taskID)/1.png"])
        let paths = document.array("paths").compactMap { $0 as? String }
        XCTAssertEqual(paths.count, 2)
        XCTAssertTrue(paths.allSatisfy { $0.contains("out/") }, "\(paths)")
        assertPNGs(paths)
        XCTAssertEqual(document.object("usage").int("image_count"), 2)
    }

    func testJSONDocumentOfASyncCall() throws {
        let result = try run(["t2i", "a cat", "--json"])
        assertExit(result, 0)
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        for key in ["task_id", "request_id", "model", "prompt", "actual_prompts", "urls", "paths", "usage"] {
            XCTAssertTrue(document.keys.contains(key), "missing \(key)")
        }
        XCTAssertEqual(document.string("model"), "wan2.6-t2i")
        XCTAssertEqual(document.array("urls").count, 1)
        assertPNGs(document.array("paths").compactMap { $0 as? String })
    }
}
