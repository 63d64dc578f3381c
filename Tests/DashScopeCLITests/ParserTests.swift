import XCTest
import DashScopeKit
@testable import DashScopeCLI

private struct NotACommand: Error {}

final class ParserTests: XCTestCase {
    private func parse(_ argv: [String]) throws -> ParseOutcome {
        try Parser.parse(argv, table: Commands.all, globals: Options.global)
    }

    private func run(_ argv: [String], file: StaticString = #filePath, line: UInt = #line) throws -> ParsedArguments {
        switch try parse(argv) {
        case let .run(arguments): return arguments
        case let .help(path): XCTFail("expected a command, got help \(path)", file: file, line: line)
        }
        throw NotACommand()
    }

    private func help(_ argv: [String], file: StaticString = #filePath, line: UInt = #line) throws -> [String]? {
        if case let .help(path) = try parse(argv) { return path }
        return nil
    }

    /// Asserts argv is a usage error (exit 64) whose message and hint mention every fragment.
    private func refuse(_ argv: [String], _ fragments: String..., file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try parse(argv)
            XCTFail("\(argv) should be refused", file: file, line: line)
        } catch let error as DashScopeError {
            XCTAssertEqual(error.exitCode, .usage, "\(argv)", file: file, line: line)
            for fragment in fragments {
                XCTAssertTrue(error.description.contains(fragment), "\(argv): \(error.description.debugDescription) lacks \(fragment)",
                              file: file, line: line)
            }
        } catch {
            XCTFail("\(argv): unexpected \(error)", file: file, line: line)
        }
    }

    // MARK: Values

    /// An option the command lacks but a sibling takes is named as such, never matched to a near name of the command's own.
    func testAnOptionOfASiblingCommandIsExplainedNotGuessed() {
        refuse(["i2v", "x", "-i", "a.png", "--ratio", "16:9"], "unknown option '--ratio' for dashscope i2v: the shape follows the image; use --resolution")
        refuse(["i2v", "x", "-i", "a.png", "--size", "1280*720"], "unknown option '--size' for dashscope i2v: the shape follows the image; use --resolution")
        refuse(["tts", "x", "--seed", "3"], "unknown option '--seed' for dashscope tts: it is an option of t2i, ")
        refuse(["i2v", "x", "--modle", "m"], "Did you mean '--model'?")
    }

    /// A value that is no number gets an example the model on the line takes, never a made-up one (`--duration 1`).
    func testNumberHintsComeFromTheModel() {
        refuse(["t2v", "x", "--duration", "abc"], "e.g. --duration 5")
        refuse(["r2v", "x", "--duration", "abc"], "e.g. --duration 5")
        refuse(["t2i", "x", "-n", "many"], "e.g. -n 1")
    }

    func testOptionValueSpellings() throws {
        let table: [([String], String, String)] = [
            (["t2i", "a cat", "--model", "wan2.2-t2i-flash"], "model", "wan2.2-t2i-flash"),
            (["t2i", "a cat", "--model=wan2.2-t2i-flash"], "model", "wan2.2-t2i-flash"),
            (["t2i", "a cat", "-m", "qwen-image"], "model", "qwen-image"),
            (["t2i", "a cat", "-mqwen-image"], "model", "qwen-image"),
            (["t2i", "a cat", "-n", "4"], "n", "4"),
            (["t2i", "a cat", "-n4"], "n", "4"),
            (["t2i", "a cat", "-n=4"], "n", "4"),
            (["t2i", "a cat", "--n", "3"], "n", "3"),
            (["t2i", "a cat", "--size=16:9"], "size", "16:9"),
            (["t2i", "a cat", "--negative=a=b"], "negative", "a=b"),
            (["t2i", "a cat", "--negative", "-blurry"], "negative", "-blurry"),
            (["t2i", "a cat", "--seed", "-1"], "seed", "-1"),
            (["t2i", "a cat", "--timeout", "2.5"], "timeout", "2.5"),
            (["t2i", "a cat", "--region", "intl"], "region", "intl"),
            (["t2i", "a cat", "-o", "out/{index}.png"], "output", "out/{index}.png"),
        ]
        for (argv, long, value) in table {
            let parsed = try run(argv)
            XCTAssertEqual(parsed.path, ["t2i"], "\(argv)")
            XCTAssertEqual(parsed.string(long), value, "\(argv)")
            XCTAssertEqual(parsed.positionals, ["a cat"], "\(argv)")
        }
    }

    func testFlags() throws {
        let parsed = try run(["t2i", "x", "--no-wait", "--watermark", "-q"])
        XCTAssertTrue(parsed.flag("no-wait"))
        XCTAssertTrue(parsed.flag("watermark"))
        XCTAssertTrue(parsed.flag("quiet"))
        XCTAssertFalse(parsed.flag("verbose"))
        XCTAssertFalse(parsed.flag("dry-run"))
    }

    /// -q, --color and -h work with every command but help, before or after its name (help lists them as global).
    func testQuietAndColorWorkWithEveryCommand() throws {
        for path in Completions.leaves(Commands.all).map(\.0) where !["__complete", "help"].contains(path) {
            let words = path.split(separator: " ").map(String.init)
            let spec = try XCTUnwrap(Completions.leaves(Commands.all).first { $0.0 == path }?.1)
            let positional = spec.positional?.required == true ? ["bash"] : []
            XCTAssertTrue(try run(["-q"] + words + positional + ["--color", "never"]).flag("quiet"), path)
            XCTAssertEqual(try help(words + ["-h"]), words, path)
        }
    }

    func testCombinedShortFlags() throws {
        let both = try run(["t2i", "x", "-qv"])
        XCTAssertTrue(both.flag("quiet"))
        XCTAssertTrue(both.flag("verbose"))
        let withValue = try run(["t2i", "x", "-vn", "2"])
        XCTAssertTrue(withValue.flag("verbose"))
        XCTAssertEqual(withValue.int("n"), 2)
        let glued = try run(["t2i", "x", "-qn3"])
        XCTAssertTrue(glued.flag("quiet"))
        XCTAssertEqual(glued.int("n"), 3)
    }

    func testALaterValueReplacesAnEarlierOne() throws {
        let parsed = try run(["t2i", "x", "-m", "a", "--model", "b", "-n", "1", "-n", "2"])
        XCTAssertEqual(parsed.all("model"), ["b"])
        XCTAssertEqual(parsed.int("n"), 2)
    }

    func testRepeatableOptionsKeepEveryValue() throws {
        let table = [CommandSpec("i2i", summary: "s", positional: PositionalSpec("PROMPT", help: "p", fromStdin: true),
                                 options: [OptionSpec("image", short: "i", .text, placeholder: "FILE", repeatable: true, help: "h")]
                                     + Options.global)]
        guard case let .run(parsed) = try Parser.parse(["i2i", "-i", "a.png", "x", "--image=b.png", "-ic.png"],
                                                      table: table, globals: Options.global) else { return XCTFail("expected run") }
        XCTAssertEqual(parsed.all("image"), ["a.png", "b.png", "c.png"])
        XCTAssertEqual(parsed.positional, "x")
    }

    // MARK: Positionals

    func testOptionsBeforeAndAfterThePositional() throws {
        let before = try run(["t2i", "-n", "2", "--model", "qwen-image", "a cat"])
        let after = try run(["t2i", "a cat", "-n", "2", "--model", "qwen-image"])
        let around = try run(["t2i", "-n", "2", "a cat", "--model", "qwen-image"])
        for parsed in [before, after, around] {
            XCTAssertEqual(parsed.positionals, ["a cat"])
            XCTAssertEqual(parsed.int("n"), 2)
            XCTAssertEqual(parsed.string("model"), "qwen-image")
        }
    }

    func testDoubleDashEndsOptions() throws {
        let parsed = try run(["t2i", "-n", "2", "--", "-a cat with --flags"])
        XCTAssertEqual(parsed.positionals, ["-a cat with --flags"])
        XCTAssertEqual(parsed.int("n"), 2)
        XCTAssertEqual(try run(["t2i", "--", "--help"]).positionals, ["--help"], "--help after -- is a prompt")
    }

    func testDashIsAPositional() throws {
        XCTAssertEqual(try run(["t2i", "-", "-n", "2"]).positionals, ["-"])
    }

    func testNegativeNumberIsAPositional() throws {
        XCTAssertEqual(try run(["t2i", "-5"]).positionals, ["-5"])
    }

    func testNoPositionalIsFine() throws {
        XCTAssertNil(try run(["t2i", "--dry-run"]).positional)
    }

    func testTooManyPositionalsForATaskIDAreRefused() {
        refuse(["task", "status", "id1", "id2"], "unexpected argument 'id2'")
        refuse(["task", "list", "extra"], "unexpected argument 'extra'")
    }

    // MARK: Globals, subcommands, help

    func testGlobalOptionsBeforeTheCommand() throws {
        let parsed = try run(["-v", "t2i", "x"])
        XCTAssertTrue(parsed.flag("verbose"))
        XCTAssertEqual(parsed.positionals, ["x"])
        let more = try run(["--region", "intl", "--api-key=sk-1", "-q", "task", "status", "t-1"])
        XCTAssertEqual(more.path, ["task", "status"])
        XCTAssertEqual(more.string("region"), "intl")
        XCTAssertEqual(more.string("api-key"), "sk-1")
        XCTAssertTrue(more.flag("quiet"))
        XCTAssertEqual(more.positionals, ["t-1"])
    }

    func testGlobalOptionsBeforeTheCommandAreStillChecked() {
        refuse(["--region", "mars", "t2i", "x"], "'mars'")
        refuse(["--model", "x", "t2i", "y"], "before the command")
    }

    func testSubcommands() throws {
        let parsed = try run(["task", "wait", "abc-123", "-o", "out/", "--timeout", "30"])
        XCTAssertEqual(parsed.path, ["task", "wait"])
        XCTAssertEqual(parsed.command.name, "wait")
        XCTAssertEqual(parsed.positional, "abc-123")
        XCTAssertEqual(parsed.number("timeout"), 30)
        XCTAssertEqual(parsed.commandLine, "dashscope task wait")
        XCTAssertNil(try run(["task", "wait"]).positional)
        XCTAssertEqual(try run(["task", "list", "--status", "RUNNING", "--page-size", "5"]).int("page-size"), 5)
    }

    func testHelpAnywhere() throws {
        let table: [([String], [String])] = [
            ([], []), (["--help"], []), (["-h"], []), (["-v", "--help"], []),
            (["help"], []), (["help", "t2i"], ["t2i"]), (["help", "task", "wait"], ["task", "wait"]),
            (["t2i", "--help"], ["t2i"]), (["t2i", "a cat", "-h"], ["t2i"]), (["t2i", "-n", "2", "--help", "x"], ["t2i"]),
            (["task", "--help"], ["task"]), (["task", "-h"], ["task"]),
            (["task", "wait", "--help"], ["task", "wait"]), (["task", "wait", "id", "-h"], ["task", "wait"]),
            (["t2i", "x", "-qh"], ["t2i"]), (["-v", "t2i", "--help"], ["t2i"]),
            (["-h", "t2i"], ["t2i"]), (["--help", "task"], ["task"]), (["-h", "nonsense"], []),
        ]
        for (argv, path) in table {
            XCTAssertEqual(try help(argv), path, "\(argv)")
        }
    }

    func testHelpDoesNotValidateTheRestOfTheLine() throws {
        XCTAssertEqual(try help(["t2i", "--bogus", "--help"]), ["t2i"])
        XCTAssertEqual(try help(["t2i", "a", "b", "c", "-h"]), ["t2i"])
    }

    func testGlobalOptionsWithoutACommandAreRefused() {
        refuse(["--region", "intl"], "no command after --region intl", "dashscope help")
        refuse(["--api-key"], "--api-key needs a value")
        refuse(["-v"], "no command after -v")
    }

    func testVersion() throws {
        XCTAssertEqual(try run(["--version"]).path, ["version"])
        XCTAssertEqual(try run(["version"]).path, ["version"])
    }

    // MARK: Errors

    func testUnknownCommandSuggests() {
        refuse(["t2"], "unknown command 't2'", "Did you mean 't2i'?", "dashscope help")
        refuse(["tsk", "list"], "Did you mean 'task'?")
        refuse(["modles"], "Did you mean 'models'?")
        refuse(["zzzzzzzz"], "unknown command 'zzzzzzzz'")
    }

    func testUnknownSubcommandSuggests() {
        refuse(["task", "wayt"], "unknown subcommand 'wayt' of task", "Did you mean 'wait'?")
        refuse(["task", "stats", "x"], "Did you mean 'status'?")
        refuse(["task"], "needs a subcommand", "status", "wait", "cancel", "list")
        refuse(["task", "--json"], "needs a subcommand")
    }

    func testUnknownOptionSuggests() {
        refuse(["t2i", "x", "--modle", "m"], "unknown option '--modle'", "Did you mean '--model'?", "dashscope t2i --help")
        refuse(["t2i", "x", "--negtive=y"], "Did you mean '--negative'?")
        refuse(["t2i", "x", "--no-wiat"], "Did you mean '--no-wait'?")
        refuse(["t2i", "x", "-z"], "unknown option '-z'")
        refuse(["t2i", "x", "-qz"], "unknown option '-z'")
        refuse(["task", "status", "x", "--model", "m"], "unknown option '--model'", "dashscope task status")
        refuse(["--bogus", "t2i", "x"], "unknown option '--bogus'")
    }

    func testMissingValue() {
        refuse(["t2i", "x", "--model"], "--model needs a value", "MODEL")
        refuse(["t2i", "x", "-n"], "-n needs a value")
        refuse(["t2i", "x", "-o"], "-o needs a value", "PATH")
    }

    func testBadNumbers() {
        refuse(["t2i", "x", "-n", "four"], "-n takes a whole number, not 'four'")
        refuse(["t2i", "x", "-n", "2.5"], "whole number")
        refuse(["t2i", "x", "--seed=1e3"], "--seed takes a whole number")
        refuse(["t2i", "x", "--timeout", "soon"], "--timeout takes a number, not 'soon'")
        refuse(["t2i", "x", "--timeout", "inf"], "--timeout takes a number")
        refuse(["t2i", "x", "--timeout", "nan"], "--timeout takes a number")
        refuse(["task", "list", "--page", "x"], "--page takes a whole number")
        refuse(["t2i", "x", "--seed", "99999999999999999999"], "--seed 99999999999999999999 is out of range")
        refuse(["t2i", "x", "-n", "-99999999999999999999"], "-n -99999999999999999999 is out of range")
        refuse(["chat", "x", "--temperature", "warm"], "--temperature takes a number", "e.g. --temperature 1")
    }

    func testChoiceNotAllowed() {
        refuse(["t2i", "x", "--region", "mars"], "--region cannot be 'mars'", "cn, intl, us")
        refuse(["t2i", "x", "--region=eu"], "cannot be 'eu'")
        refuse(["task", "list", "--status", "RUNING"], "Did you mean 'RUNNING'?")
    }

    func testAFlagGivenAValue() {
        refuse(["t2i", "x", "--watermark=yes"], "--watermark takes no value")
        refuse(["t2i", "x", "--json=true"], "--json takes no value")
    }
}
