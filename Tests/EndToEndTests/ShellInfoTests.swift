import Foundation
import XCTest

/// `models` (table, one model, JSON, filters), `help --json`, `__complete`, `man dashscope-mock`, and the bad input
/// of `completions` and `-V`, run through the built binary.
final class ShellInfoTests: EndToEndCase {
    func testModelsTableFitsAHundredColumnsAndSpellsSizesAsSent() throws {
        let result = try run(["models"])
        assertExit(result, 0)
        XCTAssertEqual(result.lines.first?.hasPrefix("MODEL "), true, result.stdout)
        for line in result.lines { XCTAssertLessThanOrEqual(line.count, 100, line) }
        let flash = result.lines.first { $0.hasPrefix("wan2.2-t2i-flash ") }
        XCTAssertEqual(flash?.contains("512*512–1440*1440"), true, flash ?? result.stdout)
        XCTAssertEqual(result.lines.first { $0.hasPrefix("wan2.6-t2i ") }?.contains("768*768–1440*1440"), true)
        XCTAssertFalse(result.stdout.contains("²"), "one spelling of sizes")
        XCTAssertTrue(mock.requests.isEmpty)
    }

    func testOneModelInFull() throws {
        let result = try run(["models", "wanx2.1-imageedit"])
        assertExit(result, 0)
        for fact in ["name:", "wanx2.1-imageedit", "command:", "edit", "mode:", "async task", "/services/aigc/image2image/image-synthesis",
                     "prompt:", "800", "images:", "512 to 4096", "10 MB", "regions:", "cn only"] {
            XCTAssertTrue(result.stdout.contains(fact), "\(fact) missing:\n\(result.stdout)")
        }
        let flash = try run(["models", "wan2.2-t2i-flash"])
        XCTAssertTrue(flash.stdout.contains("default size:  1024*1024"), flash.stdout)
        XCTAssertTrue(flash.stdout.contains("16:9 → "), flash.stdout)
    }

    func testModelsJSONHasOneSpellingOfSizes() throws {
        let result = try run(["models", "--json"])
        assertExit(result, 0)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let t2i = try XCTUnwrap(rows.first { $0["name"] as? String == "wan2.6-t2i" })
        XCTAssertEqual(t2i["command"] as? String, "t2i")
        XCTAssertEqual(t2i["default"] as? Bool, true)
        XCTAssertEqual(t2i["default_size"] as? String, "1280*1280")
        let sizes = try XCTUnwrap(t2i["sizes"] as? [String: Any])
        XCTAssertEqual(sizes["rule"] as? String, "pixels")
        XCTAssertEqual(sizes["min"] as? String, "768*768")
        XCTAssertEqual(sizes["max"] as? String, "1440*1440")
        XCTAssertEqual((t2i["n"] as? [String: Any])?["max"] as? Int, 4)
        XCTAssertTrue(t2i.keys.contains("voices") && t2i.keys.contains("video"), "every row has every key (null when not applicable)")
        let qwen = try XCTUnwrap(rows.first { $0["name"] as? String == "qwen-image" })
        XCTAssertEqual((qwen["sizes"] as? [String: Any])?["sizes"] as? [String], ["1664*928", "1472*1104", "1328*1328", "1104*1472", "928*1664", "1472*1140", "1140*1472"])
        let wire = try NSRegularExpression(pattern: "^[0-9]+\\*[0-9]+$")
        for row in rows {
            var spelled = [row["default_size"] as? String].compactMap { $0 } + ((row["ratios"] as? [String: String]) ?? [:]).values
            if let rule = row["sizes"] as? [String: Any] {
                spelled += (rule["sizes"] as? [String] ?? []) + [rule["min"] as? String, rule["max"] as? String].compactMap { $0 }
            }
            for size in spelled {
                XCTAssertNotNil(wire.firstMatch(in: size, range: NSRange(size.startIndex..., in: size)), "\(row["name"] ?? ""): \(size) is not W*H")
            }
        }

        let one = try run(["models", "qwen-image-edit-plus", "--json"])
        assertExit(one, 0)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["name"] as? String, "qwen-image-edit-plus")
        XCTAssertEqual(((object["images"] as? [String: Any])?["count"] as? [String: Any])?["max"] as? Int, 3)
    }

    /// Every ratio `models --json` lists for a video model is the size its command sends for `--size W:H`.
    func testModelsRatiosOfVideoModelsAreTheSizesSent() throws {
        let result = try run(["models", "--json"])
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let extra = ["r2v": ["--video", "https://example.com/a.mp4"]]
        var checked = 0
        for row in rows where !(row["video"] is NSNull) {
            let name = try XCTUnwrap(row["name"] as? String), command = try XCTUnwrap(row["command"] as? String)
            let ratios = row["ratios"] as? [String: String] ?? [:]
            XCTAssertEqual(ratios.isEmpty, row["sizes"] is NSNull, "\(name): ratios exactly when the model takes sizes")
            for (ratio, size) in ratios where ["16:9", "1:1"].contains(ratio) {
                let sent = try run([command, "x", "-m", name, "--size", ratio, "--dry-run", "--json"] + (extra[command] ?? []))
                assertExit(sent, 0)
                let request = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(sent.stdout.utf8)) as? [String: Any])
                XCTAssertEqual(request.object("body").object("parameters").string("size"), size, "\(name) --size \(ratio)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 8)
        for (model, expected) in [("wan2.6-t2v", "16:9\t1920x1080"), ("wan2.2-t2v-plus", "1:1\t1440x1440")] {
            let completed = try run(["__complete", "sizes", "--command", "t2v", "--model", model])
            XCTAssertTrue(completed.lines.contains(expected), "completions describe a ratio as the size sent: \(completed.stdout)")
        }
        let text = try run(["models", "wan2.2-t2v-plus"])
        XCTAssertTrue(text.stdout.contains("1:1 → 1440*1440"), text.stdout)
    }

    func testModelsFilteredByCommand() throws {
        let result = try run(["models", "--command", "edit"])
        assertExit(result, 0)
        XCTAssertEqual(result.lines.dropFirst().map { String($0.prefix(while: { $0 != " " })) },
                       ["qwen-image-edit-plus", "qwen-image-edit", "wanx2.1-imageedit"])
        let json = try run(["models", "--command", "i2i", "--json"])
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.compactMap { $0["name"] as? String }, ["wan2.5-i2i-preview", "wan2.6-image"])
        let bad = try run(["models", "--command", "t2"])
        assertExit(bad, 64)
        XCTAssertTrue(bad.stderr.contains("Did you mean 't2i'?"), bad.stderr)
    }

    func testAnUnknownModelGetsDidYouMean() throws {
        let result = try run(["models", "wan2.2-t2i-flsh"])
        assertExit(result, 64)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.contains("unknown model 'wan2.2-t2i-flsh'. Did you mean 'wan2.2-t2i-flash'?"), result.stderr)
    }

    func testHelpJSON() throws {
        let result = try run(["help", "--json"])
        assertExit(result, 0)
        let table = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let commands = try XCTUnwrap(table["commands"] as? [[String: Any]])
        XCTAssertTrue(commands.contains { $0["name"] as? String == "t2i" })
        XCTAssertFalse(commands.contains { $0["name"] as? String == "__complete" })
        XCTAssertNotNil(table["exit_codes"] as? [[String: Any]])
        let one = try run(["help", "t2i", "--json"])
        assertExit(one, 0)
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any])?["name"] as? String, "t2i")
    }

    func testCompleteIsLocalAndFollowsTheModel() throws {
        let sizes = try run(["__complete", "sizes", "--command", "t2i", "--model", "wan2.2-t2i-flash"], removing: ["DASHSCOPE_API_KEY"])
        assertExit(sizes, 0)
        XCTAssertEqual(sizes.lines.first, "1024x1024\tdefault")
        XCTAssertTrue(sizes.lines.contains("16:9\t1360x768"), sizes.stdout)
        let voices = try run(["__complete", "voices", "--command", "tts", "--model", "qwen-tts"])
        XCTAssertEqual(voices.lines, ["Cherry", "Serena", "Ethan", "Chelsie"])
        let config = url(".config/dashscope/config")
        try FileManager.default.createDirectory(at: config.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "t2i.model = qwen-image\n".write(to: config, atomically: true, encoding: .utf8)
        let configured = try run(["__complete", "sizes", "--command", "t2i"])
        XCTAssertEqual(configured.lines.first, "1664x928\tdefault", "the config file's t2i.model is the default on the line")
        let none = try run(["__complete", "task-ids"])
        assertExit(none, 0)
        XCTAssertEqual(none.stdout, "", "no journal, no ids")
        let bad = try run(["__complete", "sizez"])
        assertExit(bad, 64)
        XCTAssertTrue(bad.stderr.contains("Did you mean 'sizes'?"), bad.stderr)
        XCTAssertTrue(mock.requests.isEmpty, "completion never talks to a server")
    }

    /// A journalled id starting with `-` is not offered (it would be read as options); typed after `--` it is still a task id.
    func testTaskIDCompletionsLeaveOutIDsThatReadAsOptions() throws {
        let submitted = { (id: String) in
            #"{"event":"submitted","task_id":"\#(id)","model":"m","command":"t2i","prompt":"p","origin":"o","submitted_at":"2026-01-01T00:00:00Z"}"# + "\n"
        }
        try write(submitted("-rf") + submitted("good-1"), to: ".state/dashscope/tasks.jsonl")
        let offered = try run(["__complete", "task-ids"])
        assertExit(offered, 0)
        XCTAssertEqual(offered.lines.map { String($0.split(separator: "\t").first ?? "") }, ["good-1"], offered.stdout)
        let asOptions = try run(["task", "forget", "-rf"])
        assertExit(asOptions, 64)
        assertExit(try run(["task", "forget", "--", "-rf"]), 0)
        XCTAssertEqual(try run(["task", "list", "--local"]).lines.map { String($0.split(separator: "\t").first ?? "") }, ["good-1"])
    }

    func testManPages() throws {
        let main = try run(["man"])
        assertExit(main, 0)
        XCTAssertTrue(main.stdout.hasPrefix(".TH DASHSCOPE 1"), main.stdout)
        let mockPage = try run(["man", "dashscope-mock"])
        assertExit(mockPage, 0)
        XCTAssertTrue(mockPage.stdout.hasPrefix(".TH DASHSCOPE-MOCK 1"), mockPage.stdout)
        XCTAssertTrue(mockPage.stdout.contains(".SH FAULTS"))
        let bad = try run(["man", "dashscope-mok"])
        assertExit(bad, 64)
        XCTAssertTrue(bad.stderr.contains("Did you mean 'dashscope-mock'?"), bad.stderr)
    }

    func testCompletionsForAnUnsupportedShellListsTheSupportedOnes() throws {
        let result = try run(["completions", "powershell"])
        assertExit(result, 64)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.contains("no completions for 'powershell'"), result.stderr)
        XCTAssertTrue(result.stderr.contains("bash, zsh, fish"), result.stderr)
        let typo = try run(["completions", "zhs"])
        assertExit(typo, 64)
        XCTAssertTrue(typo.stderr.contains("Did you mean 'zsh'?"), typo.stderr)
    }

    func testCompletionsWithoutAShellPrintsUsage() throws {
        let result = try run(["completions"])
        assertExit(result, 64)
        XCTAssertEqual(result.stdout, "")
        XCTAssertFalse(result.stderr.contains("''"), result.stderr)
        XCTAssertTrue(result.stderr.contains("needs a shell: bash, zsh, fish"), result.stderr)
        XCTAssertTrue(result.stderr.contains("dashscope completions bash"), result.stderr)
    }

    func testCapitalVSuggestsTheVersionCommand() throws {
        let result = try run(["-V"])
        assertExit(result, 64)
        XCTAssertTrue(result.stderr.contains("Did you mean 'dashscope version'?"), result.stderr)
        XCTAssertFalse(result.stderr.contains("put options after the command"), result.stderr)
    }
}
