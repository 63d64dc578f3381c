import Foundation
import XCTest

/// The committed completion scripts, driven in the real shells against the built binary (which answers
/// `dashscope __complete`): bash through bash-completion's own word splitting, zsh through a pseudo-terminal
/// (zpty) with compinit and a `compadd` that records what is offered, fish through `complete -C`.
/// A missing shell skips a test only off CI; `.ci/run` installs bash-completion, zsh and fish.
final class CompletionShellTests: XCTestCase {
    /// What a completion must offer.
    enum Expect {
        /// Exactly these, in any order.
        case exactly([String])
        /// At least these, and none of `excluding`.
        case including([String], excluding: [String] = [])
    }

    /// One completion request: the words on the line (the last is the one being completed) and what it must offer.
    struct Case {
        var words: [String]
        var expect: Expect
        /// The line as typed, when bash would split it differently from `words` joined by spaces (`16:`, `--region=`).
        var bashWords: [String]?
    }

    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private var directory: URL!
    private let newest = "0385dc79-5ff8-4d82-bcb6-000000000002"
    private let older = "0385dc79-5ff8-4d82-bcb6-000000000001"
    private let other = "7f1e2d3c-0000-4000-8000-000000000003"

    override func setUpWithError() throws {
        try super.setUpWithError()
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("dashscope-complete-\(UUID().uuidString.prefix(8))")
        let files = FileManager.default
        try files.createDirectory(at: directory.appendingPathComponent("clips"), withIntermediateDirectories: true)
        try files.createDirectory(at: directory.appendingPathComponent("state/dashscope"), withIntermediateDirectories: true)
        for name in ["cat.png", "mask.png", "prompts.txt"] { try Data("x".utf8).write(to: directory.appendingPathComponent(name)) }
        let journal = [
            #"{"event":"submitted","task_id":"\#(older)","model":"wan2.6-t2i","command":"t2i","prompt":"一只猫","origin":"http://127.0.0.1:1","submitted_at":"2026-11-26T08:00:00Z"}"#,
            #"{"event":"submitted","task_id":"\#(other)","model":"wan2.2-t2i-flash","command":"t2i","prompt":"a\tfox","origin":"http://127.0.0.1:1","submitted_at":"2026-11-26T08:01:00Z"}"#,
            #"{"event":"finished","task_id":"\#(other)","outcome":"SUCCEEDED"}"#,
            #"{"event":"submitted","task_id":"\#(newest)","model":"wan2.6-t2i","command":"t2i","prompt":"a dog","origin":"http://127.0.0.1:1","submitted_at":"2026-11-26T08:02:00Z"}"#,
            #"{"event":"submitted","task_id":"bad id; rm -rf ~","model":"x","command":"t2i","prompt":"","origin":"o","submitted_at":""}"#,
        ]
        try (journal.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("state/dashscope/tasks.jsonl"), atomically: true, encoding: .utf8)
        let conversations = directory.appendingPathComponent("state/dashscope/conversations")
        try files.createDirectory(at: conversations.appendingPathComponent("mock"), withIntermediateDirectories: true)
        for name in ["trip-plans", "last", "mock/offline", ".hidden", "bad name"] {
            try Data(#"{"messages":[]}"#.utf8).write(to: conversations.appendingPathComponent(name + ".json"))
        }
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
        try super.tearDownWithError()
    }

    // MARK: - The cases every shell must pass

    private var cases: [Case] {
        let subcommands = ["status", "wait", "cancel", "list"]
        return [
            Case(words: ["dashscope", "t2"], expect: .including(["t2i", "t2v"], excluding: ["i2i", "task"])),
            Case(words: ["dashscope", ""], expect: .including(["t2i", "i2i", "edit", "task", "models", "completions", "help"], excluding: ["__complete"])),
            Case(words: ["dashscope", "task", ""], expect: .including(subcommands, excluding: ["t2i", "--help"])),
            Case(words: ["dashscope", "task", "w"], expect: .exactly(["wait"])),
            Case(words: ["dashscope", "help", ""], expect: .including(["t2i", "task", "models"], excluding: ["__complete"])),
            Case(words: ["dashscope", "help", "task", ""], expect: .including(subcommands, excluding: ["t2i"])),
            Case(words: ["dashscope", "completions", ""], expect: .exactly(["bash", "zsh", "fish"])),
            Case(words: ["dashscope", "man", ""], expect: .exactly(["dashscope", "dashscope-mock"])),
            Case(words: ["dashscope", "t2i", "--model", ""],
                 expect: .including(["wan2.6-t2i", "wan2.2-t2i-flash", "qwen-image"], excluding: ["--model", "--size", "wan2.6-image", "qwen-image-edit"])),
            Case(words: ["dashscope", "t2i", "-m", "wan"],
                 expect: .exactly(["wan2.6-t2i", "wan2.5-t2i-preview", "wan2.2-t2i-flash", "wan2.2-t2i-plus", "wanx2.1-t2i-turbo",
                                   "wanx2.1-t2i-plus", "wanx2.0-t2i-turbo"])),
            Case(words: ["dashscope", "edit", "-m", ""], expect: .exactly(["qwen-image-edit-plus", "qwen-image-edit", "wanx2.1-imageedit"])),
            Case(words: ["dashscope", "t2i", "\"一只猫\"", "--mo"], expect: .exactly(["--model", "--mock"])),
            Case(words: ["dashscope", "t2i", "-m", "wan2.2-t2i-flash", "--size", ""],
                 expect: .including(["1024x1024", "1360x768", "16:9", "1:1"], excluding: ["1280x1280", "--size"])),
            Case(words: ["dashscope", "t2i", "--size", ""], expect: .including(["1280x1280", "16:9"], excluding: ["1024x1024"])),
            Case(words: ["dashscope", "t2i", "--model=qwen-image", "--size", "1"], expect: .including(["1664x928", "1328x1328", "1:1", "16:9"], excluding: ["1280x1280"]),
                 bashWords: ["dashscope", "t2i", "--model", "=", "qwen-image", "--size", "1"]),
            Case(words: ["dashscope", "t2i", "--region", ""], expect: .exactly(["cn", "intl", "us"])),
            Case(words: ["dashscope", "--region", "cn", "ta"], expect: .exactly(["task"])),
            Case(words: ["dashscope", "--color", ""], expect: .exactly(["auto", "always", "never"])),
            Case(words: ["dashscope", "chat", "--conversation", ""], expect: .exactly(["trip-plans", "last"])),
            Case(words: ["dashscope", "--region", ""], expect: .exactly(["cn", "intl", "us"])),
            Case(words: ["dashscope", "edit", "--function", "desc"], expect: .exactly(["description_edit", "description_edit_with_mask"])),
            Case(words: ["dashscope", "task", "list", "--status", "S"], expect: .exactly(["SUSPENDED", "SUCCEEDED"])),
            Case(words: ["dashscope", "task", "wait", ""], expect: .exactly([newest, other, older])),
            Case(words: ["dashscope", "task", "status", "0385"], expect: .exactly([newest, older])),
            Case(words: ["dashscope", "task", "cancel", "7f"], expect: .exactly([other])),
            Case(words: ["dashscope", "task", "forget", "0385"], expect: .exactly([newest, older])),
            Case(words: ["dashscope", "i2i", "x", "-i", "c"], expect: .including(["cat.png", "clips"], excluding: ["mask.png"])),
            Case(words: ["dashscope", "edit", "--mask", "m"], expect: .including(["mask.png"], excluding: ["cat.png"])),
            Case(words: ["dashscope", "t2i", "x", "-o", "cl"], expect: .including(["clips"], excluding: ["cat.png"])),
            Case(words: ["dashscope", "t2i", "--seed", ""], expect: .exactly([])),
            Case(words: ["dashscope", "t2i", "--negative", "blur", "--si"], expect: .exactly(["--size"])),
            Case(words: ["dashscope", "models", "wanx2.1-im"], expect: .exactly(["wanx2.1-imageedit"])),
            Case(words: ["dashscope", "t2v", "-m", "wanx2.1-t2v-turbo", "--resolution", ""], expect: .exactly(["480P", "720P"])),
            Case(words: ["dashscope", "t2v", "--duration", ""], expect: .exactly(["5", "10", "15"])),
            Case(words: ["dashscope", "t2v", "--ratio", "4"], expect: .exactly(["4:3"])),
            Case(words: ["dashscope", "tts", "hello", "-m", "qwen-tts", "--voice", ""], expect: .exactly(["Cherry", "Serena", "Ethan", "Chelsie"])),
            Case(words: ["dashscope", "t2i", "--size", "16:"], expect: .exactly(["16:9"]), bashWords: ["dashscope", "t2i", "--size", "16", ":"]),
        ]
    }

    // MARK: - bash

    func testBash() throws {
        let bash = try shell("bash")
        let library = "/usr/share/bash-completion/bash_completion"
        guard FileManager.default.fileExists(atPath: library) || isCI else {
            throw XCTSkip("bash-completion is not installed (apt install bash-completion)")
        }
        var script = "source '\(library)'\nsource '\(Self.root.path)/completions/dashscope.bash'\n"
        // t LINE WORDS...: COMP_LINE as typed, COMP_WORDS as bash splits it (at ':' and '=' too).
        script += "t() { COMP_LINE=$1; shift; COMP_WORDS=(\"$@\"); COMP_CWORD=$(( $# - 1 )); COMP_POINT=${#COMP_LINE}; COMPREPLY=(); "
            + "_dashscope; printf '%s\\x1f' \"${COMPREPLY[@]}\"; printf '\\n'; }\n"
        let cases = self.cases
        for c in cases { script += "t " + ([c.words.joined(separator: " ")] + (c.bashWords ?? c.words)).map(quote).joined(separator: " ") + "\n" }
        let lines = try run(bash, ["-c", script])
        XCTAssertEqual(lines.count, cases.count, lines.joined(separator: "\n"))
        for (c, line) in zip(cases, lines) {
            var offered = line.split(separator: "\u{1f}").map(String.init)
            // bash replaces only the text after the last ':' (a word break): the script strips that prefix, as it must.
            if let bashWords = c.bashWords, bashWords.last == ":" { offered = offered.map { "16:" + $0 } }
            check(c, offered, shell: "bash")
        }
    }

    /// Every value-taking option of every command, from `help --json`: bash offers its values, files, or nothing, but
    /// never option names (the old script offered options after `--model`). New commands are covered with no new test.
    func testBashOffersValuesForEveryOptionOfTheTable() throws {
        let bash = try shell("bash")
        let table = try JSONSerialization.jsonObject(with: Data(try run(try EndToEndCase.binary().path, ["help", "--json"]).joined(separator: "\n").utf8)) as? [String: Any]
        var probes: [(path: String, option: String, source: String, words: [String])] = []
        func walk(_ command: [String: Any]) {
            let path = command["path"] as? String ?? ""
            for option in command["options"] as? [[String: Any]] ?? [] where option["kind"] as? String != "flag" {
                let values = option["values"] as? [String: Any] ?? [:]
                probes.append((path, option["long"] as? String ?? "", values["source"] as? String ?? "", values["words"] as? [String] ?? []))
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] { walk(sub) }
        }
        for command in table?["commands"] as? [[String: Any]] ?? [] { walk(command) }
        XCTAssertGreaterThan(probes.count, 30, "help --json lists the options")
        var script = "source '\(Self.root.path)/completions/dashscope.bash'\n"
        script += "t() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=(); _dashscope; printf '%s\\x1f' \"${COMPREPLY[@]}\"; printf '\\n'; }\n"
        for probe in probes { script += "t dashscope \(probe.path) \(probe.option) ''\n" }
        let lines = try run(bash, ["-c", script])
        XCTAssertEqual(lines.count, probes.count)
        for (probe, line) in zip(probes, lines) {
            let offered = line.split(separator: "\u{1f}").map(String.init)
            let what = "\(probe.path) \(probe.option) (\(probe.source))"
            XCTAssertFalse(offered.contains { $0.hasPrefix("-") }, "\(what) offered option names: \(offered)")
            switch probe.source {
            case "words": XCTAssertEqual(offered, probe.words, what)
            case "files": XCTAssertTrue(offered.contains("cat.png") && offered.contains("clips"), "\(what): \(offered)")
            case "none": XCTAssertEqual(offered, [], what)
            default: XCTAssertFalse(offered.isEmpty, "\(what) offered nothing")
            }
        }
    }

    // MARK: - zsh

    func testZsh() throws {
        let zsh = try shell("zsh")
        let functions = directory.appendingPathComponent("functions")
        try FileManager.default.createDirectory(at: functions, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("completions/_dashscope"), to: functions.appendingPathComponent("_dashscope"))
        let capture = directory.appendingPathComponent("capture.zsh")
        try Self.zshCapture.write(to: capture, atomically: true, encoding: .utf8)
        for c in cases {
            let line = c.words.map { $0.isEmpty ? "" : $0 }.joined(separator: " ")
            let offered = try run(zsh, ["-f", capture.path, functions.path, line])
            check(c, offered, shell: "zsh")
        }
    }

    /// `path` and `commands` are zsh specials (`path` is tied to $PATH): the old function's `local path=...` broke
    /// every command run inside completion.
    func testZshAssignsNoSpecialParameter() throws {
        let script = try String(contentsOf: Self.root.appendingPathComponent("completions/_dashscope"), encoding: .utf8)
        for assignment in ["local path", "local -a path", " path=", "local commands", "local -a commands", " commands=("] {
            XCTAssertFalse(script.contains(assignment), "the zsh function assigns a special parameter: \(assignment)")
        }
    }

    /// Starts an interactive `zsh -f` on a pseudo-terminal, loads compinit with the script on $fpath, replaces `compadd`
    /// with one that prints what it adds, types the line and a TAB, and prints the offered words one per line.
    static let zshCapture = #"""
        zmodload zsh/zpty || exit 2
        zpty z zsh -f -i
        zpty -w z "fpath=($1 \$fpath); PROMPT=''; autoload -U compinit; compinit -u -D"
        zpty -w z 'zstyle ":completion:*" list-grouped false; zstyle ":completion:*" insert-tab false'
        zpty -w z 'bindkey "^I" complete-word; null-line() { echo -E - $'"'"'\0'"'"' }; compprefuncs=(null-line); comppostfuncs=(null-line exit)'
        zpty -w z 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi; typeset -a __hits; builtin compadd -A __hits "$@"; local h; for h in $__hits; do echo -E - "<$h>"; done; }'
        zpty -w z "$2"$'\t'
        integer tog=0
        local line
        while zpty -r z line; do
          [[ $line == *$'\0'* ]] && { (( tog++ )) && break || continue }
          (( tog )) && [[ $line == *'<'*'>'* ]] && echo -E - ${${line#*<}%>*}
        done
        zpty -d z
        """#

    // MARK: - fish

    func testFish() throws {
        let fish = try shell("fish")
        var script = "source '\(Self.root.path)/completions/dashscope.fish'\n"
        let cases = self.cases
        for c in cases {
            let line = c.words.joined(separator: " ")
            script += "complete -C \(quote(line)); echo '@@'\n"
        }
        let output = try run(fish, ["--no-config", "-c", script])
        let groups = output.split(separator: "@@", omittingEmptySubsequences: false).map { Array($0) }
        XCTAssertEqual(groups.count, cases.count + 1, output.joined(separator: "\n"))
        for (c, lines) in zip(cases, groups) {
            var offered = lines.map { String($0.split(separator: "\t", omittingEmptySubsequences: false).first ?? "") }
            // fish offers a word completed after `--model=` with its option.
            offered = offered.map { $0.hasPrefix("--model=") || $0.hasPrefix("--size=") ? String($0.drop(while: { $0 != "=" }).dropFirst()) : $0 }
            check(c, offered.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }, shell: "fish")
        }
    }

    // MARK: - Helpers

    private var isCI: Bool { ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "false" } ?? false }

    /// The shell's path; skips off CI when it is missing, fails on CI.
    private func shell(_ name: String) throws -> String {
        if let path = ["/usr/bin/\(name)", "/bin/\(name)", "/usr/local/bin/\(name)"].first(where: FileManager.default.isExecutableFile(atPath:)) {
            return path
        }
        if isCI { XCTFail("\(name) is missing on CI: .ci/run installs it") }
        throw XCTSkip("\(name) is not installed (apt install \(name) to run this test)")
    }

    /// Runs a program in the test directory with the built binary first on PATH and the journal in XDG_STATE_HOME; its stdout lines.
    private func run(_ program: String, _ arguments: [String]) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = [
            "PATH": try EndToEndCase.binary().deletingLastPathComponent().path + ":/usr/bin:/bin",
            "HOME": directory.path, "XDG_STATE_HOME": directory.appendingPathComponent("state").path,
            "XDG_CONFIG_HOME": directory.appendingPathComponent("config").path, "TERM": "dumb", "LANG": "C.UTF-8",
        ]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "\(program) \(arguments.last ?? "") failed")
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map { String($0).replacingOccurrences(of: "\r", with: "") }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    private func check(_ c: Case, _ offered: [String], shell: String, file: StaticString = #filePath, line: UInt = #line) {
        let what = "\(shell): \(c.words.joined(separator: " "))<TAB> offered \(offered)"
        switch c.expect {
        case let .exactly(words):
            XCTAssertEqual(Set(offered), Set(words), what, file: file, line: line)
        case let .including(words, excluding):
            for word in words { XCTAssertTrue(offered.contains(word), "\(what); \(word) missing", file: file, line: line) }
            for word in excluding { XCTAssertFalse(offered.contains(word), "\(what); \(word) should not be there", file: file, line: line) }
        }
    }

    private func quote(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
