import Foundation
import XCTest
@testable import DashScopeCLI
import DashScopeKit
import DashScopeMock

/// The committed completions and man pages must match what the table generates (run scripts/generate-docs.sh);
/// the man pages must be clean roff; the Makefile must install exactly the generated files. The scripts themselves
/// are driven in the real shells by EndToEndTests/CompletionShellTests.
final class GeneratedDocsTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private func committed(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    private static let files = ["bash": "completions/dashscope.bash", "zsh": "completions/_dashscope", "fish": "completions/dashscope.fish"]

    func testCommittedCompletionsMatchTheTable() throws {
        for (shell, path) in Self.files {
            XCTAssertEqual(try committed(path), Completions.render(shell: shell, table: Commands.all), "\(path) is stale: run scripts/generate-docs.sh")
        }
    }

    func testCommittedManPagesMatchTheTables() throws {
        XCTAssertEqual(try committed("man/dashscope.1"), ManPage.render(table: Commands.all), "man/dashscope.1 is stale: run scripts/generate-docs.sh")
        XCTAssertEqual(try committed("man/dashscope-mock.1"), MockManPage.render(), "man/dashscope-mock.1 is stale: run scripts/generate-docs.sh")
    }

    func testEveryCommandAndOptionIsDocumentedAndCompleted() {
        let man = ManPage.render(table: Commands.all)
        let scripts = Completions.shells.map { Completions.render(shell: $0, table: Commands.all) }
        for (path, spec) in Completions.leaves(Commands.all) {
            XCTAssertTrue(man.contains(ManPage.escape("dashscope \(path)")), "man page lacks \(path)")
            for option in spec.options where option.long.count > 1 {
                XCTAssertTrue(man.contains(ManPage.escape("--\(option.long)")), "man page lacks --\(option.long) of \(path)")
                for script in scripts { XCTAssertTrue(script.contains(option.long), "a completion script lacks --\(option.long) of \(path)") }
            }
        }
        for code in DashScopeKit.ExitCode.allCases { XCTAssertTrue(man.contains(".B \(code.rawValue)\n"), "man page lacks exit code \(code.rawValue)") }
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "ENVIRONMENT", "FILES", "BEHAVIOUR", "EXIT STATUS", "EXAMPLES", "SEE ALSO"] {
            XCTAssertTrue(man.contains("\n.SH \(section)\n"), "dashscope(1) lacks \(section)")
        }
        XCTAssertFalse(man.contains("__complete\n"), "the internal command has no entry of its own")
        for script in scripts { XCTAssertFalse(script.contains("_dashscope___complete"), "the internal command is not completed") }
    }

    /// The README names every command that takes no `--json`, and only those (its JSON section's promise).
    func testTheReadmeNamesTheCommandsWithoutJSON() throws {
        let readme = try committed("README.md")
        let sentence = try XCTUnwrap(readme.range(of: "The commands whose answer is their exit status or one plain line take no `--json`:")
            .map { readme[$0.upperBound...].prefix { $0 != "(" } }.map(String.init))
        let without = Set(Completions.leaves(Commands.all).filter { $0.1.option(long: "json") == nil }.map(\.0))
        // Each `...` names one command, or several sharing a first word: `config get|set|unset|path`.
        let quoted = sentence.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        let named = Set(quoted.flatMap { entry -> [String] in
            let words = entry.split(separator: " ", maxSplits: 1).map(String.init)
            guard words.count == 2 else { return [entry] }
            return words[1].split(separator: "|").map { "\(words[0]) \($0)" }
        })
        XCTAssertEqual(named, without, "the README's list of commands without --json: \(sentence)")
    }

    func testTheMockPageListsEveryFlagAndFault() {
        let page = MockManPage.render()
        for flag in MockCommand.flags { XCTAssertTrue(page.contains(ManPage.escape(flag.names)), flag.names) }
        for kind in Fault.Kind.allCases {
            XCTAssertTrue(MockCommand.faultHelp.contains { $0.spec == kind.rawValue || $0.spec.hasPrefix(kind.rawValue + "=") || $0.spec.hasPrefix(kind.rawValue + ":")
                || $0.spec.hasPrefix(kind.rawValue + "[") }, "faultHelp lacks \(kind.rawValue)")
        }
        for route in Fault.Route.allCases { XCTAssertTrue(page.contains(route.rawValue), route.rawValue) }
        for flag in MockCommand.flags { XCTAssertTrue(MockCommand.usage.contains(flag.help[0]), "--help lacks \(flag.names)") }
    }

    func testManPagesAreCleanRoff() throws {
        let pages = [ManPage.render(table: Commands.all), MockManPage.render()]
        for page in pages {
            XCTAssertFalse(page.contains("`"), "a man page shows a literal backtick")
            for line in page.split(separator: "\n") where !line.hasPrefix(".") {
                XCTAssertFalse(line.hasPrefix("'"), "a text line starts with a quote (a roff control line): \(line)")
            }
        }
        guard let groff = ["/usr/bin/groff", "/bin/groff", "/usr/local/bin/groff"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            if ProcessInfo.processInfo.environment["CI"].map({ !$0.isEmpty }) == true { XCTFail("groff is missing on CI: .ci/run installs groff-base") }
            throw XCTSkip("groff is not installed (apt install groff-base)")
        }
        for page in ["man/dashscope.1", "man/dashscope-mock.1"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: groff)
            process.arguments = ["-k", "-Tutf8", "-ww", "-z", "-man", root.appendingPathComponent(page).path]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(output, "", "groff warns about \(page)")
            XCTAssertEqual(process.terminationStatus, 0, page)
        }
    }

    /// `make install` installs exactly the generated files: both man pages and the three scripts, each at its standard place.
    func testTheMakefileInstallsEveryGeneratedFile() throws {
        let makefile = try committed("Makefile")
        for (source, variable, directory, name) in [
            ("completions/dashscope.bash", "bashdir", "share/bash-completion/completions", "dashscope"),
            ("completions/_dashscope", "zshdir", "share/zsh/site-functions", "_dashscope"),
            ("completions/dashscope.fish", "fishdir", "share/fish/vendor_completions.d", "dashscope.fish"),
            ("man/dashscope.1", "mandir", "share/man/man1", "dashscope.1"),
            ("man/dashscope-mock.1", "mandir", "share/man/man1", "dashscope-mock.1"),
        ] {
            XCTAssertTrue(makefile.contains("\(variable) := $(DESTDIR)$(PREFIX)/\(directory)\n"), "the Makefile lacks \(variable)")
            XCTAssertTrue(makefile.contains("install -m 644 \(source) $(\(variable))/\(name)\n"), "the Makefile does not install \(source)")
            XCTAssertTrue(makefile.contains("$(\(variable))/\(name) ") || makefile.contains("$(\(variable))/\(name)\n"),
                          "make uninstall does not remove \(name)")
            XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent(source).path), source)
        }
        let generated = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("completions").path)
            + FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("man").path)
        for file in generated { XCTAssertTrue(makefile.contains(file), "the Makefile does not install \(file)") }
    }

    func testHelpJSONDumpsTheTable() throws {
        let json = try JSON.parse(Data(try Help.render(["--json"], table: Commands.all).utf8))
        let commands = json["commands"]?.items ?? []
        XCTAssertEqual(commands.compactMap { $0["name"]?.string }, Commands.all.filter { !$0.hidden }.map(\.name))
        let t2i = commands.first { $0["name"]?.string == "t2i" }
        let model = t2i?["options"]?.items.first { $0["long"]?.string == "--model" }
        XCTAssertEqual(model?["short"]?.string, "-m")
        XCTAssertEqual(model?["default"]?.string, Catalog.defaultModel(for: .textToImage))
        XCTAssertEqual(model?["values"]?["source"]?.string, "models")
        let size = t2i?["options"]?.items.first { $0["long"]?.string == "--size" }
        XCTAssertEqual(size?["values"]?["source"]?.string, "sizes")
        let region = t2i?["options"]?.items.first { $0["long"]?.string == "--region" }
        XCTAssertEqual(region?["choices"]?.items.compactMap(\.string), ["cn", "intl", "us"])
        XCTAssertEqual(t2i?["positional"]?["name"]?.string, "PROMPT")
        let wait = commands.first { $0["name"]?.string == "task" }?["subcommands"]?.items.first { $0["name"]?.string == "wait" }
        XCTAssertEqual(wait?["path"]?.string, "task wait")
        XCTAssertEqual(wait?["positional"]?["values"]?["source"]?.string, "task-ids")
        let one = try JSON.parse(Data(try Help.render(["task", "wait", "--json"], table: Commands.all).utf8))
        XCTAssertEqual(one["path"]?.string, "task wait")
        XCTAssertThrowsError(try Help.render(["t2j", "--json"], table: Commands.all))
    }

    func testValueSourcesAreInferredFromTheTable() {
        let t2i = Commands.all.first { $0.name == "t2i" }!
        XCTAssertEqual(t2i.option(long: "model")?.values, .models)
        XCTAssertEqual(t2i.option(long: "size")?.values, .sizes)
        XCTAssertEqual(t2i.option(long: "output")?.values, .files)
        XCTAssertEqual(t2i.option(long: "region")?.values, .words(["cn", "intl", "us"]))
        XCTAssertEqual(t2i.option(long: "seed")?.values, ValueSource.none)
        XCTAssertEqual(OptionSpec("voice", .text, placeholder: "VOICE", help: "").values, .voices)
        XCTAssertEqual(OptionSpec("resolution", .choice(["480P", "720P"]), placeholder: "TIER", help: "").values, .resolutions,
                       "a model-dependent name wins over the choice words")
        XCTAssertEqual(OptionSpec("batch", .text, placeholder: "FILE", help: "").values, .files)
        XCTAssertEqual(OptionSpec("force", help: "").values, ValueSource.none)
        XCTAssertEqual(PositionalSpec("TASK_ID", help: "").values, .taskIDs)
    }

    func testCompleteValuesFollowTheModel() {
        func values(_ source: ValueSource, _ command: String, _ model: String?) -> [String] {
            CompletionValues.values(source, command: command, model: model, table: Commands.all, environment: [:]).map(\.0)
        }
        XCTAssertEqual(values(.sizes, "t2i", nil).first, "1280x1280", "the default model's default size first")
        XCTAssertEqual(values(.sizes, "t2i", "wan2.2-t2i-flash").first, "1024x1024")
        XCTAssertTrue(values(.sizes, "t2i", "qwen-image").contains("1328x1328"))
        XCTAssertTrue(values(.sizes, "t2i", "no-such-model").contains("16:9"), "an unknown model still gets the ratios")
        XCTAssertEqual(values(.voices, "tts", "qwen-tts"), ["Cherry", "Serena", "Ethan", "Chelsie"])
        XCTAssertEqual(values(.resolutions, "t2v", "wanx2.1-t2v-turbo"), ["480P", "720P"])
        XCTAssertEqual(values(.durations, "t2v", "wan2.6-t2v"), ["5", "10", "15"])
        XCTAssertEqual(values(.models, "task list", nil).count, InfoCommands.listedModels(Commands.all).count)
    }
}
