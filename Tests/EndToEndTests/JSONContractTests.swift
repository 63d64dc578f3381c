import Foundation
import XCTest
import DashScopeMock

/// The `--json` contract of every command, one row each: the command runs against the mock, its stdout must be one
/// JSON document, and the keys the README documents must be there with the documented types. A command added later
/// adds a row here and an example to the README's "JSON output" section.
final class JSONContractTests: EndToEndCase {
    /// The type a documented key must have.
    enum Kind { case string, integer, object, array, bool, stringOrNull, integerOrNull, objectOrNull }

    /// The document of a finished job (t2i, i2i, edit, t2v, i2v, r2v, tts, task wait).
    static let jobKeys: [(String, Kind)] = [
        ("task_id", .stringOrNull), ("request_id", .stringOrNull), ("model", .string), ("prompt", .string),
        ("seed", .integerOrNull), ("size", .stringOrNull), ("parameters", .objectOrNull), ("actual_prompts", .array),
        ("texts", .array), ("urls", .array), ("paths", .array), ("failures", .array), ("usage", .objectOrNull),
    ]
    /// The document of `chat` and `vl`.
    static let chatKeys: [(String, Kind)] = [("model", .stringOrNull), ("text", .string), ("reasoning", .string),
                                             ("usage", .objectOrNull), ("request_id", .stringOrNull), ("finish_reason", .stringOrNull)]
    /// The document of `--no-wait`.
    static let submittedKeys: [(String, Kind)] = [("task_id", .string), ("request_id", .stringOrNull), ("model", .string), ("status", .string)]
    /// The document of `--dry-run --json`.
    static let dryRunKeys: [(String, Kind)] = [("method", .string), ("url", .string), ("headers", .object), ("body", .objectOrNull),
                                               ("output", .stringOrNull)]
    /// One entry of `task list --local --json`.
    static let localTaskKeys: [(String, Kind)] = [("task_id", .string), ("model", .string), ("command", .string), ("prompt", .string),
                                                  ("submitted_at", .string), ("origin", .string), ("outcome", .stringOrNull), ("paths", .array)]

    private func png(_ name: String, _ side: Int) throws {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]
        for value in [side, side] { bytes += [24, 16, 8, 0].map { UInt8((value >> $0) & 0xFF) } }
        bytes += [8, 2, 0, 0, 0, 0, 0, 0, 0] + [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
        try Data(bytes).write(to: url(name))
    }

    /// Runs `argv`, requires exit 0 and one JSON document on stdout, and returns it.
    @discardableResult
    private func document(_ argv: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Any {
        let result = try run(argv, file: file, line: line)
        assertExit(result, 0, file: file, line: line)
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8), options: [.fragmentsAllowed])
    }

    /// Fails unless `object` has every key with its kind.
    private func assertKeys(_ object: Any, _ keys: [(String, Kind)], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let object = object as? [String: Any] else { return XCTFail("\(what): not an object: \(object)", file: file, line: line) }
        for (key, kind) in keys {
            guard let value = object[key] else { XCTFail("\(what): no \(key) in \(object.keys.sorted())", file: file, line: line); continue }
            let null = value is NSNull
            let ok: Bool
            switch kind {
            case .string: ok = value is String
            case .integer: ok = Self.isInteger(value)
            case .object: ok = value is [String: Any]
            case .array: ok = value is [Any]
            case .bool: ok = value is Bool
            case .stringOrNull: ok = null || value is String
            case .integerOrNull: ok = null || Self.isInteger(value)
            case .objectOrNull: ok = null || value is [String: Any]
            }
            XCTAssertTrue(ok, "\(what): \(key) is \(value), not \(kind)", file: file, line: line)
        }
    }

    /// Whether a parsed JSON value is a whole number (on Linux, `1 is Bool` holds too, so booleans are not told apart here).
    private static func isInteger(_ value: Any) -> Bool {
        guard let number = value as? NSNumber, !(value is String) else { return false }
        return number.doubleValue.rounded() == number.doubleValue
    }

    // MARK: - One row per command

    /// One run per command: argv, the keys its document must have, and values it must hold (`seed` and `size`: the ones
    /// sent). A command added later adds a row (its inputs: `cat.png`, 512x512, is in the test directory).
    static let rows: [(argv: [String], keys: [(String, Kind)], values: [String: String])] = [
        (["t2i", "a red fox", "-n", "2", "--seed", "42", "--size", "1024x1024", "--json"], jobKeys, ["seed": "42", "size": "1024*1024"]),
        (["t2i", "a red fox", "-m", "wan2.2-t2i-flash", "--size", "16:9", "--json"], jobKeys, [:]),
        (["i2i", "autumn", "-i", "cat.png", "--seed", "3", "--json"], jobKeys, ["seed": "3"]),
        (["i2i", "autumn", "-m", "wan2.6-image", "-i", "cat.png", "--size", "1280x1280", "--json"], jobKeys, ["size": "1280*1280"]),
        (["edit", "make the sky pink", "-i", "cat.png", "--seed", "11", "--json"], jobKeys, ["seed": "11"]),
        (["t2i", "a cat", "--dry-run", "--json"], dryRunKeys, ["method": "POST"]),
        (["t2v", "a red fox", "--seed", "5", "--json"], jobKeys, ["seed": "5", "size": "1920*1080"]),
        (["i2v", "waves", "-i", "https://example.com/beach.jpg", "--resolution", "720P", "--json"], jobKeys, ["size": "720P"]),
        (["r2v", "character1 dances", "--video", "https://example.com/a.mp4", "--json"], jobKeys, [:]),
        (["tts", "hello there", "--json"], jobKeys, [:]),
        (["tts", "hello there", "--stream", "--json"], jobKeys, [:]),
        (["tts", String(repeating: "这是一个很长的句子。", count: 80), "--split", "--json"], jobKeys, [:]),
        (["chat", "Hi there", "--think", "--json"], chatKeys, ["model": "qwen-plus", "reasoning": "Thinking about it.", "finish_reason": "stop"]),
        (["chat", "Hi there", "--no-stream", "--json"], chatKeys, ["finish_reason": "stop"]),
        // Right-to-left text carries direction marks: they are JSON escapes, never the terminal's \u{200F}.
        (["chat", "שלום \u{200F}cat\u{202E}", "--json"], chatKeys, ["finish_reason": "stop"]),
        (["t2i", "שלום \u{200F} cat", "--json"], jobKeys, [:]),
        (["vl", "what is it?", "-i", "cat.png", "--json"], chatKeys, ["model": "qwen3-vl-plus"]),
    ]

    func testEveryCommandsDocument() throws {
        try png("cat.png", 512)
        for row in Self.rows {
            let object = try document(row.argv) as? [String: Any] ?? [:]
            let what = row.argv.joined(separator: " ")
            assertKeys(object, row.keys, what)
            for (key, value) in row.values {
                XCTAssertEqual(object[key].map { "\($0)" }, value, "\(what): \(key)")
            }
            guard row.keys.contains(where: { $0.0 == "parameters" }) else { continue }
            // The seed and size reported are the ones the service received.
            let sent = try XCTUnwrap(creates.last?.json, what).object("parameters")
            XCTAssertEqual(object.string("size"), sent.string("size") ?? sent.string("resolution"), "\(what): size")
            XCTAssertEqual(object.int("seed"), sent.int("seed"), "\(what): seed")
        }
    }

    func testTextToImageWithoutSeedHasTheSizeSentAndANullSeed() throws {
        let object = try document(["t2i", "a red fox", "-m", "wan2.2-t2i-flash", "--json"]) as? [String: Any] ?? [:]
        assertKeys(object, Self.jobKeys, "t2i async")
        XCTAssertTrue(object["seed"] is NSNull, "no seed was sent and the service does not echo one")
        XCTAssertEqual(object.string("size"), "1024*1024", "the model's default size, as sent")
        XCTAssertNotNil(object.string("task_id"))
    }

    func testImageToImage() throws {
        try png("cat.png", 512)
        let json = try document(["i2i", "autumn", "-i", "cat.png", "--seed", "3", "--json"])
        assertKeys(json, Self.jobKeys, "i2i")
        XCTAssertEqual((json as? [String: Any])?.int("seed"), 3)
    }

    func testEdit() throws {
        try png("cat.png", 512)
        let json = try document(["edit", "make the sky pink", "-i", "cat.png", "--json"])
        assertKeys(json, Self.jobKeys, "edit")
    }

    func testNoWaitThenStatusWaitAndList() throws {
        let submitted = try document(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "--seed", "9", "--no-wait", "--json"])
        assertKeys(submitted, Self.submittedKeys, "--no-wait")
        let id = try XCTUnwrap((submitted as? [String: Any])?.string("task_id"))

        let status = try document(["task", "status", id, "--json"])
        assertKeys(status, [("request_id", .string), ("output", .object)], "task status")
        XCTAssertEqual((status as? [String: Any])?.object("output").string("task_id"), id)

        let waited = try document(["task", "wait", id, "--json"])
        assertKeys(waited, Self.jobKeys, "task wait")
        XCTAssertEqual((waited as? [String: Any])?.int("seed"), 9, "the seed comes back from the journal")

        let again = try document(["task", "wait", id, "--json"])
        assertKeys(again, Self.jobKeys + [("already_saved", .bool)], "task wait of a saved task")

        let local = try document(["task", "list", "--local", "--json"]) as? [Any] ?? []
        XCTAssertEqual(local.count, 1)
        for entry in local { assertKeys(entry, Self.localTaskKeys, "task list --local") }

        let remote = try document(["task", "list", "--json"])
        assertKeys(remote, [("request_id", .string), ("tasks", .array), ("total", .integer)], "task list")
    }

    func testWaitAllPrintsOneArray() throws {
        for prompt in ["one", "two"] { try document(["t2i", prompt, "-m", "wan2.2-t2i-flash", "--no-wait", "--json"]) }
        let all = try document(["task", "wait", "--all", "--json"]) as? [Any] ?? []
        XCTAssertEqual(all.count, 2)
        for entry in all { assertKeys(entry, Self.jobKeys, "task wait --all") }
    }

    /// A job whose task finished but whose download failed still prints its document (the URLs are not lost); every
    /// failure has its three keys, and the error on stderr names the same request.
    func testAFailedDownloadStillPrintsTheDocumentWithEveryFailureKey() throws {
        mock.inject(try Fault(spec: "empty@file"))
        let result = try run(["t2i", "a red fox", "-m", "wan2.2-t2i-flash", "--json"])
        assertExit(result, 69)
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        assertKeys(document, Self.jobKeys, "a failed download")
        let fields = try XCTUnwrap(document as? [String: Any])
        XCTAssertEqual((fields["urls"] as? [String])?.count, 1, "the URL to fetch by hand")
        let failure = try XCTUnwrap((fields["failures"] as? [[String: Any]])?.first)
        XCTAssertEqual(failure.keys.sorted(), ["code", "index", "message"])
        XCTAssertEqual(failure["code"] as? String, "unavailable")
        let error = try XCTUnwrap(JSONSerialization.jsonObject(with: Data((result.errorLines.last ?? "").utf8)) as? [String: Any])
        let body = try XCTUnwrap(error["error"] as? [String: Any])
        XCTAssertEqual(body["request_id"] as? String, try XCTUnwrap(fields["request_id"] as? String))
        XCTAssertEqual(body["task_id"] as? String, fields["task_id"] as? String)
    }

    func testDryRun() throws {
        let json = try document(["t2i", "a cat", "--dry-run", "--json", "-o", "out/{model}-{index}.{ext}"])
        assertKeys(json, Self.dryRunKeys, "--dry-run")
        let object = json as? [String: Any] ?? [:]
        XCTAssertEqual(object.string("method"), "POST")
        XCTAssertEqual(object.object("headers").string("Authorization"), "Bearer \(Self.redactedKey)")
        XCTAssertEqual(object.object("body").string("model"), "wan2.6-t2i")
        XCTAssertEqual(object.string("output"), root.path + "/out/{model}-{index}.{ext}")
        XCTAssertTrue(mock.requests.isEmpty, "a dry run sends nothing")
    }

    func testConfigListAuthStatusAndDoctor() throws {
        try write("region = intl\nt2i.model = wan2.2-t2i-flash\n", to: ".config/dashscope/config")
        let list = try document(["config", "list", "--json"])
        assertKeys(list, [("config_file", .string), ("settings", .array)], "config list")
        for entry in (list as? [String: Any])?["settings"] as? [Any] ?? [] {
            assertKeys(entry, [("key", .string), ("value", .string), ("source", .string)], "config list entry")
        }
        let auth = try document(["auth", "status", "--json"])
        assertKeys(auth, [("key", .stringOrNull), ("source", .stringOrNull), ("from", .stringOrNull), ("host", .string),
                          ("region", .string), ("workspace", .stringOrNull), ("accepted", .bool), ("http_status", .integerOrNull), ("exit_code", .integer)], "auth status")
        let checks = try document(["doctor", "--json"]) as? [Any] ?? []
        XCTAssertEqual(checks.count, 9)
        for check in checks {
            assertKeys(check, [("check", .string), ("state", .string), ("detail", .string)], "doctor")
        }
    }

    /// `models --json` (an array; one object for a name) and `help --json`, with the keys the README lists.
    func testModelsAndHelp() throws {
        let modelKeys: [(String, Kind)] = [("name", .string), ("command", .string), ("family", .string), ("summary", .string),
                                           ("default", .bool), ("modes", .array), ("prompt_limit", .integerOrNull), ("sizes", .objectOrNull),
                                           ("default_size", .stringOrNull), ("ratios", .object), ("n", .object), ("images", .objectOrNull),
                                           ("videos", .objectOrNull), ("video", .objectOrNull), ("regions", .array)]
        let models = try document(["models", "--json"]) as? [Any] ?? []
        XCTAssertGreaterThan(models.count, 30)
        for model in models { assertKeys(model, modelKeys, "models") }
        assertKeys(try document(["models", "wan2.6-t2v", "--json"]), modelKeys, "models NAME")

        let help = try document(["help", "--json"])
        assertKeys(help, [("name", .string), ("version", .string), ("usage", .string), ("commands", .array), ("global_options", .array),
                          ("environment", .array), ("exit_codes", .array)], "help")
        let commandKeys: [(String, Kind)] = [("name", .string), ("path", .string), ("summary", .string), ("details", .string),
                                             ("positional", .objectOrNull), ("options", .array), ("subcommands", .array), ("examples", .array)]
        let optionKeys: [(String, Kind)] = [("long", .string), ("short", .stringOrNull), ("kind", .string), ("placeholder", .stringOrNull),
                                            ("repeatable", .bool), ("default", .stringOrNull), ("values", .object), ("help", .string)]
        let tts = try document(["help", "tts", "--json"])
        assertKeys(tts, commandKeys, "help tts")
        for option in (tts as? [String: Any])?["options"] as? [Any] ?? [] { assertKeys(option, optionKeys, "help tts option") }
    }
}
