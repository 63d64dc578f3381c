import Foundation
import XCTest
import DashScopeMock

/// `chat` and `vl` end to end against the mock: where the prompt comes from, what is printed where, stored
/// conversations, a stream that breaks or fails mid-way, a reader that leaves, vision inputs, `--dry-run`.
final class ChatTests: EndToEndCase {
    private static let reply = "This is the mock's answer to: "

    /// The chat requests the mock received.
    private var chats: [RecordedRequest] { mock.requests.filter { $0.path == "/compatible-mode/v1/chat/completions" } }

    /// The messages of the `index`-th chat request.
    private func messages(_ index: Int = 0) -> [[String: Any]] {
        chats.indices.contains(index) ? (chats[index].json ?? [:]).array("messages").compactMap { $0 as? [String: Any] } : []
    }

    /// Restarts the mock to stream `tokens` numbered tokens `delay` seconds apart (as comments, `idle`), with `faults`.
    private func streamTokens(_ tokens: Int, delay: Double = 0, idle: Bool = false, faults: [String] = []) throws {
        var options = MockOptions(taskSeconds: 0, faults: try faults.map(Fault.init(spec:)))
        options.chatTokens = tokens
        options.chatDelay = delay
        options.chatIdle = idle
        try startMock(options)
    }

    // MARK: - The prompt

    func testThePromptComesFromTheArgumentStdinOrBothStdinFirst() throws {
        let cases: [([String], String?, String)] = [
            (["chat", "hello"], nil, "hello"),
            (["chat"], "from a pipe\n", "from a pipe"),
            (["chat", "explain this"], "line 1\nline 2\n", "line 1\nline 2\n\nexplain this"),
            (["chat", "-"], "only stdin\n", "only stdin"),
            (["chat", "an argument"], "", "an argument"),
        ]
        for (index, (args, stdin, asked)) in cases.enumerated() {
            let result = try run(args, stdin: stdin)
            assertExit(result, 0)
            XCTAssertEqual(result.stdout, Self.reply + asked.prefix(60), "\(args): no decoration and no added newline when piped")
            XCTAssertEqual(messages(index).last?.string("content"), asked, "\(args)")
            XCTAssertEqual(messages(index).last?.string("role"), "user")
        }
        let body = chats[0].json ?? [:]
        XCTAssertEqual(body["stream"] as? Bool, true)
        XCTAssertEqual(body.object("stream_options")["include_usage"] as? Bool, true)
        XCTAssertEqual(body.string("model"), "qwen-plus")
    }

    func testEmptyOrBinaryStdinIsRefusedBeforeAnythingIsSent() throws {
        for (stdin, status, fragment) in [("", Int32(64), "stdin is empty"), ("\n\n", 64, "stdin is empty"),
                                          ("PNG\u{0}\u{0}binary", 65, "binary data")] {
            let result = try run(["chat"], stdin: stdin)
            assertExit(result, status)
            XCTAssertTrue(result.stderr.contains(fragment), result.stderr)
            XCTAssertEqual(result.stdout, "")
        }
        assertExit(try run(["chat", "question"], stdin: "\u{0}"), 65)
        XCTAssertTrue(chats.isEmpty, "nothing may be sent")
    }

    func testSettingsOutOfRangeAreRefusedBeforeAnythingIsSent() throws {
        for args in [["--temperature", "3"], ["--top-p", "0"], ["--max-tokens", "0"], ["--seed", "-1"], ["--thinking-budget", "0"]] {
            let result = try run(["chat", "hi"] + args)
            assertExit(result, 64)
            XCTAssertTrue(result.stderr.contains(args[0]), result.stderr)
        }
        XCTAssertTrue(chats.isEmpty)
    }

    // MARK: - Output

    func testJSONIsOneDocumentWithTextReasoningUsageAndRequestID() throws {
        let result = try run(["chat", "Hi there", "--json", "--think"])
        assertExit(result, 0)
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
        XCTAssertEqual(document.string("model"), "qwen-plus")
        XCTAssertEqual(document.string("text"), Self.reply + "Hi there")
        XCTAssertEqual(document.string("reasoning"), "Thinking about it.")
        XCTAssertEqual(document.string("finish_reason"), "stop")
        XCTAssertTrue(document.string("request_id")?.hasPrefix("chatcmpl-") ?? false)
        XCTAssertNotNil(document.object("usage")["total_tokens"])
        XCTAssertEqual(chats[0].json?["enable_thinking"] as? Bool, true)
    }

    func testThinkingGoesToStderrOnlyWhenAskedOffATerminalAndUsageWithVerbose() throws {
        let quiet = try run(["chat", "Hi", "--think"])
        assertExit(quiet, 0)
        XCTAssertEqual(quiet.stdout, Self.reply + "Hi")
        XCTAssertFalse(quiet.stderr.contains("Thinking"), "stderr is not a terminal: \(quiet.stderr)")
        let shown = try run(["chat", "Hi", "--think", "--show-reasoning", "-v"])
        assertExit(shown, 0)
        XCTAssertEqual(shown.stdout, Self.reply + "Hi", "thinking never reaches stdout")
        XCTAssertTrue(shown.stderr.contains("Thinking about it.\n"), shown.stderr)
        XCTAssertTrue(shown.stderr.contains("usage: 2 in + "), shown.stderr)
    }

    func testNoStreamSendsStreamFalseAndPrintsTheWholeAnswer() throws {
        let result = try run(["chat", "Hi", "--no-stream"])
        assertExit(result, 0)
        XCTAssertEqual(result.stdout, Self.reply + "Hi")
        XCTAssertEqual(chats[0].json?["stream"] as? Bool, false)
        XCTAssertNil(chats[0].json?["stream_options"])
    }

    func testDryRunPrintsTheBodyWithEveryFieldAndSendsNothing() throws {
        let result = try run(["chat", "hi", "--dry-run", "-s", "be brief", "--temperature", "0.5", "--top-p", "0.9",
                              "--max-tokens", "50", "--seed", "7", "--stop", "x", "--stop", "y", "--json-object",
                              "--thinking-budget", "100", "--search", "-m", "qwen3-max"])
        assertExit(result, 0)
        XCTAssertTrue(result.stdout.hasPrefix("POST \(mock.origin)/compatible-mode/v1/chat/completions\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("Bearer \(Self.redactedKey)"))
        let body = try XCTUnwrap(result.stdout.range(of: "\n{").map { String(result.stdout[$0.lowerBound...]) })
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        XCTAssertEqual(Set(json.keys), ["model", "messages", "stream", "stream_options", "temperature", "top_p", "max_tokens",
                                        "stop", "seed", "response_format", "enable_thinking", "thinking_budget", "enable_search"])
        XCTAssertEqual(json.string("model"), "qwen3-max")
        XCTAssertEqual(json.array("messages").count, 2)
        XCTAssertEqual((json.array("messages").first as? [String: Any])?.string("role"), "system")
        XCTAssertEqual(json["stop"] as? [String], ["x", "y"])
        XCTAssertEqual(json.object("response_format").string("type"), "json_object")
        XCTAssertEqual(json.int("thinking_budget"), 100)
        XCTAssertEqual(json["enable_thinking"] as? Bool, true, "a thinking budget implies thinking")
        let described = try run(["chat", "hi", "--dry-run", "--json"])
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(described.stdout.utf8)) as? [String: Any], described.stdout)
        XCTAssertEqual(document.object("body").string("model"), "qwen-plus", "--dry-run --json prints the request as JSON")
        XCTAssertTrue(mock.requests.isEmpty)
        XCTAssertEqual(files(), [], "a dry run keeps no conversation either")
    }

    // MARK: - Conversations

    func testConversationsContinueAndAreKeptPrivately() throws {
        assertExit(try run(["chat", "one"]), 0)
        assertExit(try run(["chat", "two", "--continue"]), 0)
        XCTAssertEqual(messages(1).map { $0.string("content") ?? "" }, ["one", Self.reply + "one", "two"])
        assertExit(try run(["chat", "a", "--conversation", "trip", "-s", "be brief"]), 0)
        assertExit(try run(["chat", "b", "--conversation", "trip"]), 0)
        XCTAssertEqual(messages(3).map { $0.string("role") ?? "" }, ["system", "user", "assistant", "user"])
        assertExit(try run(["chat", "c", "-c"]), 0)
        XCTAssertEqual(messages(4).count, 6, "--continue takes the newest conversation, trip")
        assertExit(try run(["chat", "fresh"]), 0)
        XCTAssertEqual(messages(5).count, 1, "without a flag a chat starts afresh")
        let directory = root.appendingPathComponent(".state/dashscope/conversations")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(), ["last.json", "trip.json"])
        for name in ["last.json", "trip.json"] {
            let mode = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name).path)[.posixPermissions]
            XCTAssertEqual(mode as? Int, 0o600, name)
        }
        let dirMode = try FileManager.default.attributesOfItem(atPath: directory.path)[.posixPermissions]
        XCTAssertEqual(dirMode as? Int, 0o700)
        for bad in ["../x", ".hidden", "a/b", "", String(repeating: "n", count: 65)] {
            let result = try run(["chat", "x", "--conversation", bad])
            assertExit(result, 64)
            XCTAssertTrue(result.stderr.contains("not a usable name"), result.stderr)
        }
        let missing = try run(["chat", "x", "--continue", "--conversation", "nope"])
        assertExit(missing, 64)
        XCTAssertTrue(missing.stderr.contains("no conversation named nope"), missing.stderr)
        XCTAssertEqual(chats.count, 6, "refused runs send nothing")
    }

    func testChatsWithTheBuiltInMockAreKeptApart() throws {
        assertExit(try run(["chat", "offline question", "--mock"]), 0)
        assertExit(try run(["chat", "and again", "--mock", "--continue"]), 0)
        let directory = root.appendingPathComponent(".state/dashscope/conversations")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("mock").path), ["last.json"])
        let result = try run(["chat", "x", "--continue"])
        assertExit(result, 64)
        XCTAssertTrue(result.stderr.contains("no conversation to continue"), "the mock's answers never reach the service: \(result.stderr)")
        XCTAssertTrue(chats.isEmpty, "nothing was sent to the (test's) service")
    }

    func testContinueWithNothingToContinueIsAUsageError() throws {
        let result = try run(["chat", "x", "--continue"])
        assertExit(result, 64)
        XCTAssertTrue(result.stderr.contains("no conversation to continue"), result.stderr)
    }

    // MARK: - Broken streams and readers

    func testAStreamThatBreaksExits69KeepsWhatWasPrintedAndIsNotResent() throws {
        try streamTokens(10, faults: ["stream-cut:4"])
        let result = try run(["chat", "count", "--conversation", "cut"])
        assertExit(result, 69)
        let lines = result.lines
        XCTAssertEqual(lines.map { $0.split(separator: " ").first.map(String.init) ?? "" }, ["0", "1", "2"],
                       "the three tokens before the cut stay printed: \(result.stdout)")
        XCTAssertTrue(result.stderr.contains("broke off"), result.stderr)
        XCTAssertTrue(result.stderr.contains("not sent again"), result.stderr)
        XCTAssertEqual(chats.count, 1, "a stream that may have started is never re-sent")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent(".state/dashscope/conversations/cut.json").path),
                       "a broken answer is not kept")
    }

    func testATimeoutEndsTheAnswerWith75KeepsWhatWasPrintedAndIsNotResent() throws {
        try streamTokens(80, delay: 0.1)
        let started = Date()
        let result = try run(["chat", "count", "--timeout", "2", "--conversation", "slow"])
        assertExit(result, 75)
        XCTAssertLessThan(Date().timeIntervalSince(started), 6, "given up at the limit, not at the answer's end (8 s)")
        XCTAssertGreaterThan(result.lines.count, 2, "what arrived stays printed: \(result.stdout)")
        XCTAssertLessThan(result.lines.count, 80)
        XCTAssertTrue(result.stderr.contains("ran out before the answer was complete"), result.stderr)
        XCTAssertTrue(result.stderr.contains("longer --timeout"), result.stderr)
        XCTAssertFalse(result.stderr.contains("task list"), "a chat is no task: \(result.stderr)")
        XCTAssertEqual(chats.count, 1, "an answer that may have started is never re-sent")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent(".state/dashscope/conversations/slow.json").path),
                       "an incomplete answer is not kept")
        for bad in ["-1", "soon", "inf"] {
            let refused = try run(["vl", "what is this", "--video", "https://example.com/v.mp4", "--timeout", bad])
            assertExit(refused, 64)
            XCTAssertTrue(refused.stderr.contains("--timeout takes a number"), refused.stderr)
        }
        XCTAssertEqual(chats.count, 1, "a bad --timeout sends nothing")
        let none = try run(["chat", "count", "--timeout", "0"])
        assertExit(none, 75)
        XCTAssertTrue(none.stderr.contains("ran out before the question was sent"), none.stderr)
        XCTAssertTrue(none.stderr.contains("nothing was sent (or billed)"), none.stderr)
        XCTAssertEqual(chats.count, 1, "a limit of 0 sends nothing")
    }

    func testAnErrorFrameMidStreamExits1WithTheServiceCode() throws {
        try streamTokens(10, faults: ["stream-error:3"])
        let result = try run(["chat", "count"])
        assertExit(result, 1)
        XCTAssertEqual(result.lines.count, 2, "two tokens came before the error frame: \(result.stdout)")
        XCTAssertTrue(result.stderr.contains("data_inspection_failed"), result.stderr)
        XCTAssertTrue(result.stderr.contains("(request "), "the request id is named: \(result.stderr)")
    }

    func testAReaderThatLeavesEndsTheAnswerQuietly() throws {
        try streamTokens(5000)
        for ignore in [false, true] {
            let result = try spawn(["chat", "count"], closeStdout: true, ignoreSIGPIPE: ignore).finish(timeout: 20)
            assertNoBacktrace(result)
            assertKeyHidden(result)
            assertExit(result, 0)
            XCTAssertFalse(result.stderr.contains("error"), result.stderr)
        }
    }

    func testALongStreamArrivesWhole() throws {
        try streamTokens(3000)
        let result = try run(["chat", "count"])
        assertExit(result, 0)
        XCTAssertEqual(result.lines.count, 3000)
        XCTAssertEqual(result.lines.last?.split(separator: " ").first, "2999")
    }

    /// The benchmark's baseline (`--chat-idle`): the same events arrive as comments, so the answer is complete and empty.
    func testAnIdleStreamArrivesAsCommentsAndPrintsNothing() throws {
        try streamTokens(50, idle: true)
        let result = try run(["chat", "count"])
        assertExit(result, 0)
        XCTAssertEqual(result.stdout, "")
    }

    // MARK: - Vision

    /// A PNG of `width` x `height` whose header is all the tool and the mock read.
    private func png(_ name: String, _ width: Int, _ height: Int) throws {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]
        for value in [width, height] { bytes += [24, 16, 8, 0].map { UInt8((value >> $0) & 0xFF) } }
        bytes += [8, 2, 0, 0, 0, 0, 0, 0, 0] + [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
        try Data(bytes).write(to: url(name))
    }

    func testVisionSendsImagesVideosAndTheQuestionAsContentItems() throws {
        try png("cat.png", 64, 48)
        let result = try run(["vl", "What is this?", "-i", "cat.png", "-i", "https://example.com/b.jpg",
                              "--video", "https://example.com/v.mp4"])
        assertExit(result, 0)
        XCTAssertEqual(result.stdout, Self.reply + "What is this? (looking at 2 image(s) and 1 video(s))")
        let body = chats[0].json ?? [:]
        XCTAssertEqual(body.string("model"), "qwen3-vl-plus")
        let content = (messages().last?["content"] as? [[String: Any]]) ?? []
        XCTAssertEqual(content.map { $0.string("type") ?? "" }, ["image_url", "image_url", "video_url", "text"])
        XCTAssertTrue(content[0].object("image_url").string("url")?.hasPrefix("data:image/png;base64,iVBORw0KGgo") ?? false)
        XCTAssertEqual(content[1].object("image_url").string("url"), "https://example.com/b.jpg")
        XCTAssertEqual(content[2].object("video_url").string("url"), "https://example.com/v.mp4")
        XCTAssertEqual(content[3].string("text"), "What is this?")
    }

    /// qwen-vl-plus is a real vision model one edit from qwen3-vl-plus: it is sent as it is, without a warning; a swap
    /// of two neighbouring letters (`qwen-plsu`) is a typo and refused before anything is sent.
    func testRealNamesNearOthersAreSentAndTranspositionsAreTypos() throws {
        let real = try run(["vl", "what is it?", "-i", "https://example.com/b.jpg", "-m", "qwen-vl-plus"])
        assertExit(real, 0)
        XCTAssertEqual(real.stderr, "")
        XCTAssertEqual(chats.last?.json?.string("model"), "qwen-vl-plus")
        let typo = try run(["chat", "hi", "-m", "qwen-plsu"])
        assertExit(typo, 64)
        XCTAssertTrue(typo.stderr.contains("Did you mean 'qwen-plus'"), typo.stderr)
        XCTAssertEqual(chats.count, 1, "the typo is not sent")
    }

    func testVisionRefusesTinyAndThinImagesAndNothingToLookAt() throws {
        try png("tiny.png", 5, 5)
        try png("thin.png", 2010, 10)
        try Data([0, 0, 0, 0x18] + Array("ftypisom".utf8) + [UInt8](repeating: 0, count: 32)).write(to: url("clip.mp4"))
        for (args, status, fragment) in [
            (["-i", "tiny.png"], Int32(65), "5x5 px"),
            (["-i", "thin.png"], 65, "200"),
            ([], 64, "something to look at"),
            (["--video", "clip.mp4"], 64, "not a URL"),
        ] {
            let result = try run(["vl", "what?"] + args)
            assertExit(result, status)
            XCTAssertTrue(result.stderr.contains(fragment), "\(args): \(result.stderr)")
        }
        XCTAssertTrue(mock.requests.isEmpty, "nothing may be sent")
    }

    func testVisionDryRunShowsAPlaceholderForALocalImage() throws {
        try png("cat.png", 64, 48)
        let result = try run(["vl", "what?", "-i", "cat.png", "--dry-run"])
        assertExit(result, 0)
        XCTAssertTrue(result.stdout.contains("\"url\": \"data:image/png;base64,…(cat.png"), result.stdout)
        XCTAssertTrue(mock.requests.isEmpty)
    }
}
