import XCTest
import DashScopeKit
@testable import DashScopeCLI

final class HelpTests: XCTestCase {
    /// Every command path in the table: groups, their subcommands, and plain commands.
    private var paths: [([String], CommandSpec)] {
        Commands.all.flatMap { command in
            [([command.name], command)] + command.subcommands.map { ([command.name, $0.name], $0) }
        }
    }

    private func spelling(_ option: OptionSpec) -> String {
        option.long.count > 1 ? "--\(option.long)" : "-\(option.short!)"
    }

    func testEveryCommandAndSubcommandRenders() throws {
        XCTAssertGreaterThan(paths.count, 5)
        for (path, command) in paths {
            let text = try Help.render(path, table: Commands.all)
            XCTAssertTrue(text.hasPrefix("dashscope \(path.joined(separator: " ")) — \(command.summary)"), text)
            XCTAssertTrue(text.contains("USAGE\n  dashscope \(path.joined(separator: " "))"), text)
            if let positional = command.positional { XCTAssertTrue(text.contains(positional.name), "\(path)") }
            for example in command.examples { XCTAssertTrue(text.contains(example), "\(path): \(example)") }
            for sub in command.subcommands { XCTAssertTrue(text.contains(sub.name) && text.contains(sub.summary), "\(path): \(sub.name)") }
        }
    }

    func testEveryOptionOfACommandAppearsInItsHelp() throws {
        for (path, command) in paths {
            let text = try Help.render(path, table: Commands.all)
            for option in command.options {
                XCTAssertTrue(text.contains(spelling(option)), "\(path) help lacks \(spelling(option))")
                XCTAssertTrue(text.contains(option.help), "\(path) help lacks the help of \(spelling(option))")
                if let short = option.short, option.long.count > 1 {
                    XCTAssertTrue(text.contains("-\(short), --\(option.long)"), "\(path): -\(short), --\(option.long)")
                }
                if option.kind != .flag, !option.placeholder.isEmpty, option.long.count > 1 {
                    XCTAssertTrue(text.contains("\(spelling(option)) \(option.placeholder)"), "\(path): \(option.placeholder)")
                }
            }
        }
    }

    func testChoicesAndDefaultsAreShown() throws {
        let list = try Help.render(["task", "list"], table: Commands.all)
        XCTAssertTrue(list.contains("PENDING, RUNNING, SUSPENDED, SUCCEEDED, FAILED, CANCELED, UNKNOWN"), list)
        XCTAssertTrue(list.contains("[default: 10]"), list)
        let t2i = try Help.render(["t2i"], table: Commands.all)
        XCTAssertTrue(t2i.contains("[default: wan2.6-t2i]"), t2i)
        XCTAssertTrue(t2i.contains("[default: cn]"), t2i)
    }

    func testOverviewListsEveryCommandAndEveryExitCode() throws {
        let text = try Help.render([], table: Commands.all)
        let lines = text.components(separatedBy: "\n")
        for command in Commands.all {
            if command.hidden {
                XCTAssertFalse(lines.contains { $0.hasPrefix("  \(command.name) ") }, "the internal \(command.name) is not listed")
                continue
            }
            if command.subcommands.isEmpty {
                XCTAssertTrue(lines.contains { $0.hasPrefix("  \(command.name) ") && $0.hasSuffix(command.summary) }, command.name)
            }
            for sub in command.subcommands {
                XCTAssertTrue(lines.contains { $0.hasPrefix("  \(command.name) \(sub.name) ") && $0.hasSuffix(sub.summary) },
                              "\(command.name) \(sub.name)")
            }
        }
        let exitSection = try XCTUnwrap(text.components(separatedBy: "EXIT CODES\n").last)
        for code in ExitCode.allCases {
            XCTAssertTrue(exitSection.components(separatedBy: "\n").contains { line in
                line.hasPrefix("  \(code.rawValue) ") && line.hasSuffix(code.meaning)
            }, "exit \(code.rawValue) is documented")
        }
        for option in Options.global { XCTAssertTrue(text.contains(spelling(option)), spelling(option)) }
        for (name, _) in Help.environment { XCTAssertTrue(text.contains(name), name) }
    }

    func testUnknownHelpTopicIsAUsageError() {
        let cases: [([String], String)] = [
            (["t2"], "Did you mean 't2i'?"),
            (["nothing-like-it"], "no help for 'nothing-like-it'"),
            (["task", "wayt"], "Did you mean 'wait'?"),
            (["t2i", "extra"], "unknown subcommand 'extra' of t2i"),
        ]
        for (path, fragment) in cases {
            XCTAssertThrowsError(try Help.render(path, table: Commands.all), "\(path)") { error in
                XCTAssertEqual((error as? DashScopeError)?.exitCode, .usage)
                XCTAssertTrue((error as? DashScopeError)?.message.contains(fragment) ?? false, "\(error)")
            }
        }
    }

    func testSignatures() {
        XCTAssertEqual(OptionSpec("model", short: "m", .text, placeholder: "MODEL", help: "h").signature, "-m, --model MODEL")
        XCTAssertEqual(OptionSpec("json", help: "h").signature, "    --json")
        let n = OptionSpec("n", short: "n", .integer, placeholder: "N", help: "h").signature
        XCTAssertTrue(n.hasPrefix("-n ") && n.hasSuffix(" N") && !n.contains("--n"), n)
        XCTAssertTrue(OptionSpec("xx", .text, help: "h").signature.hasSuffix("--xx VALUE"), "a value without a placeholder reads VALUE")
    }

    func testSuggestions() {
        XCTAssertEqual(Suggest.closest("t2", among: ["t2i", "task"]), "t2i")
        XCTAssertEqual(Suggest.closest("--modle", among: ["--model", "--json"]), "--model")
        XCTAssertNil(Suggest.closest("xyz", among: ["t2i", "task"]))
        XCTAssertEqual(Suggest.closest("comp", among: ["completions", "models"]), "completions", "a long enough prefix suggests")
        XCTAssertEqual(Suggest.phrase("zzz", among: ["t2i"]), "")
        XCTAssertEqual(Suggest.distance("kitten", "sitting"), 3)
        XCTAssertEqual(Suggest.distance("", "abc"), 3)
        XCTAssertEqual(Suggest.distance("qwen-plsu", "qwen-plus"), 1, "a swap of neighbours is one edit")
        XCTAssertEqual(Suggest.distance("ab", "ba"), 1)
        XCTAssertEqual(Suggest.distance("abc", "ca"), 3, "optimal string alignment: no edit of a swapped pair")
    }

    /// The documented rules match the code: the origin's precedence by level (Configuration.resolve), and the commands
    /// a bad config line does not stop.
    func testOriginRuleAndBadConfigLineAreStatedExactly() throws {
        let rule = "the base URL or the workspace host from the highest level (flag > environment > config file) that sets either, "
            + "a base URL winning within a level"
        let baseURL = try XCTUnwrap(Options.global.first { $0.long == "base-url" })
        XCTAssertTrue(baseURL.help.contains(rule), baseURL.help)
        XCTAssertFalse(baseURL.help.contains("wins over"), baseURL.help)
        let page = ManPage.render(table: Commands.all).replacingOccurrences(of: "\\-", with: "-")
        XCTAssertTrue(page.contains(rule), "man page states the origin rule")
        XCTAssertFalse(page.contains("A bad line stops every command with"), "not every command stops")
        XCTAssertTrue(page.contains("config set, unset and path"), "names the commands that still run")
    }
}
