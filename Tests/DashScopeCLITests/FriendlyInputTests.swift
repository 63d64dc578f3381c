import Foundation
import XCTest
import DashScopeKit
@testable import DashScopeCLI

/// Table tests for unquoted prompts, any-case choices, `--color`, folded poll traces, task times and model suggestions.
final class FriendlyInputTests: XCTestCase {
    private func parsed(_ argv: [String]) throws -> ParsedArguments {
        guard case let .run(arguments) = try Parser.parse(argv, table: Commands.all, globals: Options.global) else {
            throw DashScopeError.usage("help, not a command")
        }
        return arguments
    }

    // MARK: Words join into the prompt

    func testUnquotedWordsJoinIntoThePromptWhereverOptionsStand() throws {
        let table: [([String], String, [String: String])] = [
            (["t2i", "a", "red", "fox"], "a red fox", [:]),
            (["t2i", "a", "red", "fox", "-n", "2"], "a red fox", ["n": "2"]),
            (["t2i", "-n", "2", "a", "red", "fox"], "a red fox", ["n": "2"]),
            (["t2i", "a", "red", "-o", "out/", "fox"], "a red fox", ["output": "out/"]),
            (["t2i", "a  red", "fox"], "a  red fox", [:]),
            (["t2i", "一只", "猫", "--seed", "3"], "一只 猫", ["seed": "3"]),
            (["t2i", "a", "--", "-n", "2"], "a -n 2", [:]),
            (["--region", "intl", "t2i", "a", "fox", "-v"], "a fox", ["region": "intl"]),
            (["edit", "make", "it", "pink", "-i", "x.png"], "make it pink", ["image": "x.png"]),
            (["t2i", "cats", "-5"], "cats -5", [:]),
        ]
        for (argv, prompt, values) in table {
            let arguments = try parsed(argv)
            XCTAssertEqual(arguments.positionals, [prompt], "\(argv)")
            for (long, value) in values { XCTAssertEqual(arguments.string(long), value, "\(argv) --\(long)") }
        }
    }

    func testADashAmongWordsAndExtraTaskIDsAreRefused() {
        for argv in [["t2i", "-", "more"], ["task", "status", "id1", "id2"], ["task", "wait", "a", "b"]] {
            XCTAssertThrowsError(try parsed(argv), "\(argv)") { error in
                XCTAssertEqual((error as? DashScopeError)?.exitCode, .usage, "\(argv)")
            }
        }
    }

    // MARK: Choices in any case

    func testChoicesAcceptAnyCaseAndKeepTheTableSpelling() throws {
        let table: [([String], String, String)] = [
            (["task", "list", "--status", "succeeded"], "status", "SUCCEEDED"),
            (["task", "list", "--status", "Running"], "status", "RUNNING"),
            (["task", "list", "--status=canceled"], "status", "CANCELED"),
            (["t2i", "x", "--color", "NEVER"], "color", "never"),
            (["edit", "x", "--function", "Expand"], "function", "expand"),
        ]
        for (argv, long, value) in table {
            XCTAssertEqual(try parsed(argv).string(long), value, "\(argv)")
        }
        XCTAssertThrowsError(try parsed(["task", "list", "--status", "done"])) { error in
            XCTAssertTrue((error as? DashScopeError)?.description.contains("SUCCEEDED") ?? false, "\(error)")
        }
    }

    // MARK: Colour

    func testColourIsOneDecision() {
        let table: [(ColorChoice, Bool, [String: String], Bool)] = [
            (.auto, true, [:], true),
            (.auto, false, [:], false),
            (.auto, true, ["NO_COLOR": "1"], false),
            (.auto, true, ["NO_COLOR": ""], true),
            (.auto, true, ["TERM": "dumb"], false),
            (.always, false, ["NO_COLOR": "1", "TERM": "dumb"], true),
            (.never, true, [:], false),
        ]
        for (choice, terminal, environment, expected) in table {
            XCTAssertEqual(choice.decide(stderrIsTerminal: terminal, environment: environment), expected, "\(choice) \(terminal) \(environment)")
        }
        XCTAssertEqual(ColorChoice.scan(["t2i", "--color", "always", "x"]), .always)
        XCTAssertEqual(ColorChoice.scan(["t2i", "--color=NEVER"]), .never)
        XCTAssertEqual(ColorChoice.scan(["t2i", "--", "--color=never"]), .auto)
    }

    func testADumbTerminalGetsNoSpinnerAndNoColour() {
        func console(_ environment: [String: String]) -> Console {
            Console(context: RunContext(arguments: [], environment: environment, cwd: "/", stdinIsTerminal: true, stdoutIsTerminal: true,
                                        stderrIsTerminal: true, readStdin: { Data() }, writeStdout: { _ in }, writeStderr: { _ in }))
        }
        XCTAssertTrue(console(["TERM": "xterm"]).showsProgress)
        XCTAssertTrue(console(["TERM": "xterm"]).color)
        XCTAssertFalse(console(["TERM": "dumb"]).showsProgress)
        XCTAssertFalse(console(["TERM": "dumb"]).color)
        XCTAssertFalse(console(["NO_COLOR": "1"]).color)
        XCTAssertTrue(console(["NO_COLOR": "1"]).showsProgress, "NO_COLOR is about colour only")
    }

    // MARK: Poll traces

    func testRepeatedPollsAreFoldedAndStatusChangesShown() {
        let folder = TraceFolder()
        let poll = ["> GET http://h/api/v1/tasks/t1", "> Authorization: Bearer sk-…abcd"]
        func answer(_ status: String) -> String { #"< HTTP 200 (1 ms) {"output":{"task_id":"t1","task_status":"\#(status)"}}"# }
        var shown: [String] = []
        shown += folder.fold("> POST http://h/api/v1/services/x")
        shown += folder.fold("< HTTP 200 (3 ms) {}")
        for status in ["PENDING"] + Array(repeating: "RUNNING", count: 50) + ["SUCCEEDED"] {
            for line in poll { shown += folder.fold(line) }
            shown += folder.fold(answer(status))
        }
        shown += folder.fold("> GET http://h/files/t1/0.png")
        shown += folder.flush()
        XCTAssertEqual(shown.filter { $0.hasPrefix("> GET http://h/api/v1/tasks/") }.count, 3, shown.joined(separator: "\n"))
        XCTAssertTrue(shown.contains("… 49 more polls (RUNNING)"), shown.joined(separator: "\n"))
        XCTAssertTrue(shown.contains(answer("SUCCEEDED")))
        XCTAssertEqual(shown.last, "> GET http://h/files/t1/0.png")
        XCTAssertLessThan(shown.count, 20)
    }

    func testAPollWithoutAnAnswerIsShownInFull() {
        let folder = TraceFolder()
        var shown: [String] = []
        for _ in 0..<2 {
            shown += folder.fold("> GET http://h/api/v1/tasks/t1")
            shown += folder.fold(#"< HTTP 200 (1 ms) {"output":{"task_status":"RUNNING"}}"#)
        }
        shown += folder.fold("> GET http://h/api/v1/tasks/t1")
        shown += folder.fold("> User-Agent: x")
        shown += folder.flush()
        XCTAssertEqual(shown, ["> GET http://h/api/v1/tasks/t1", #"< HTTP 200 (1 ms) {"output":{"task_status":"RUNNING"}}"#,
                               "> GET http://h/api/v1/tasks/t1", "> User-Agent: x", "… 1 more poll (RUNNING)"])
    }

    // MARK: Task times

    func testTimesAreReadWithTheirZoneOrAsLocalTime() throws {
        let tokyo = TaskTimes.localZone(["TZ": "Asia/Tokyo"])
        let table: [(String, String)] = [
            ("2026-11-23T10:00:00Z", "20261123180000"),
            ("2026-11-23T10:00:00+01:00", "20261123170000"),
            ("2026-11-23 10:00:00+08:00", "20261123100000"),
            ("2026-11-23", "20261122230000"),
            ("2026-11-23 10:00:00", "20261123090000"),
            ("2026-11-23 10:00", "20261123090000"),
            ("20261123100000", "20261123090000"),
        ]
        for (text, stamp) in table {
            XCTAssertEqual(TaskTimes.serviceStamp(try TaskTimes.parse(text, option: "--since", zone: tokyo)), stamp, text)
        }
        for bad in ["yesterday", "2026-13-40", "2026-11", "10:00"] {
            XCTAssertThrowsError(try TaskTimes.parse(bad, option: "--since", zone: tokyo), bad)
        }
    }

    func testTimesAreShownInLocalTimeWithTheOffset() {
        let paris = TaskTimes.localZone(["TZ": "Europe/Paris"])
        XCTAssertEqual(TaskTimes.show(journal: "2026-11-23T10:00:00Z", in: paris), "2026-11-23 11:00:00 +01:00")
        XCTAssertEqual(TaskTimes.show(service: "2026-11-23 18:00:00.123", in: paris), "2026-11-23 11:00:00 +01:00")
        XCTAssertEqual(TaskTimes.show(journal: "garbage", in: paris), "garbage")
        XCTAssertEqual(TaskTimes.localZone(["TZ": "UTC"]).secondsFromGMT(), 0)
    }

    func testDurations() throws {
        XCTAssertEqual(try TaskTimes.duration("7d", option: "--older-than"), 7 * 86_400)
        XCTAssertEqual(try TaskTimes.duration("12h", option: "--older-than"), 12 * 3600)
        XCTAssertEqual(try TaskTimes.duration("30m", option: "--older-than"), 1800)
        for bad in ["7", "d", "-1d", "7y", ""] {
            XCTAssertThrowsError(try TaskTimes.duration(bad, option: "--older-than"), bad)
        }
    }

    func testWorstOutcomeOrder() {
        let worst = { (codes: [ExitCode]) in codes.max(by: { TaskCommands.severity($0) < TaskCommands.severity($1) }) }
        XCTAssertEqual(worst([.ok, .partial, .ok]), .partial)
        XCTAssertEqual(worst([.partial, .failed]), .failed)
        XCTAssertEqual(worst([.failed, .tryLater, .ok]), .tryLater)
    }

    // MARK: Models and sizes

    func testNearestModelsComeFromTheCommandsFamily() {
        XCTAssertEqual(ModelChoice.nearest("wan2.6", for: .textToImage).first, "wan2.6-t2i")
        XCTAssertEqual(ModelChoice.nearest("wan2.6-t2", for: .textToImage).first, "wan2.6-t2i")
        XCTAssertEqual(ModelChoice.nearest("qwen-imag", for: .textToImage).first, "qwen-image")
        XCTAssertTrue(ModelChoice.nearest("wan2.6", for: .textToImage).allSatisfy { Catalog.model(named: $0)?.capability == .textToImage })
        XCTAssertEqual(ModelChoice.nearest("gpt-4o", for: .textToImage), [])
    }

    func testWhichUnknownModelsAreRefused() {
        let table: [(String, Capability, Bool, Bool)] = [
            ("wan2.6", .textToImage, false, true),
            ("wan9-t2i-ultra", .textToImage, false, true),
            ("wan9-t2i-ultra", .textToImage, true, false),
            ("wan2.7-t2v", .textToVideo, false, true),
            ("qwen-plus-2025-01-25", .chat, false, false),
            ("deepseek-r1", .chat, false, false),
            ("qwen-plu", .chat, false, true),
            ("qwen-plsu", .chat, false, true),
            ("qwne-max", .chat, false, true),
            ("Qwen-Plus-Latest", .chat, false, true),
            ("qwen-plu", .chat, true, false),
            ("qwen-vl-mx", .vision, false, true),
        ]
        for (name, capability, anyModel, refused) in table {
            XCTAssertEqual(ModelChoice.refuses(name, for: capability, anyModel: anyModel), refused, "\(name) \(capability) \(anyModel)")
        }
    }

    /// Every `--size` the help of an image command shows (examples and option help) is valid for the model the example runs.
    func testHelpSizesAreValidForTheirModels() throws {
        var checked = 0
        for command in Commands.all where command.option(long: "size") != nil {
            guard let capability = Capability.allCases.first(where: { $0.command == command.name }), capability.output == .image else { continue }
            let texts = command.examples + [command.option(long: "size")!.help]
            for text in texts {
                let words = text.split(separator: " ").map(String.init)
                let model = words.firstIndex(where: { $0 == "-m" || $0 == "--model" }).map { words[$0 + 1] }
                    ?? Catalog.defaultModel(for: capability)
                let spec = try XCTUnwrap(Catalog.model(named: model), model)
                var sizes = words.indices.filter { words[$0] == "--size" }.map { words[$0 + 1] }
                if text == command.option(long: "size")!.help {
                    sizes = words.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "(),")) }
                        .filter { $0.contains("x") || $0.contains("*") || $0.contains(":") }.filter { $0.first?.isNumber ?? false }
                }
                for size in sizes {
                    XCTAssertNoThrow(try TextToImage.resolveSize(SizeRequest.parse(size), model: spec), "\(command.name): \(text)")
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 3)
    }
}
