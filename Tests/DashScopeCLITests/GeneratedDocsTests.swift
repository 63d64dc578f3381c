import Foundation
import XCTest
@testable import DashScopeCLI
import DashScopeKit

/// The committed completions and man page must match what the command table generates (run scripts/generate-docs.sh).
final class GeneratedDocsTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private func committed(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    func testCommittedCompletionsMatchTheTable() throws {
        let files = ["bash": "completions/dashscope.bash", "zsh": "completions/_dashscope", "fish": "completions/dashscope.fish"]
        for (shell, path) in files {
            XCTAssertEqual(try committed(path), Completions.render(shell: shell, table: Commands.all),
                           "\(path) is stale: run scripts/generate-docs.sh")
        }
    }

    func testCommittedManPageMatchesTheTable() throws {
        XCTAssertEqual(try committed("man/dashscope.1"), ManPage.render(table: Commands.all),
                       "man/dashscope.1 is stale: run scripts/generate-docs.sh")
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
    }

    func testBashCompletionParsesAndCompletes() throws {
        let script = Completions.render(shell: "bash", table: Commands.all)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dashscope-completion-\(UUID().uuidString).bash")
        try script.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let probe = """
            source '\(file.path)'
            COMP_WORDS=(dashscope t2); COMP_CWORD=1; _dashscope; echo "${COMPREPLY[*]}"
            COMP_WORDS=(dashscope task w); COMP_CWORD=2; _dashscope; echo "${COMPREPLY[*]}"
            COMP_WORDS=(dashscope t2i x --regi); COMP_CWORD=3; _dashscope; echo "${COMPREPLY[*]}"
            COMP_WORDS=(dashscope t2i x --region ''); COMP_CWORD=4; _dashscope; echo "${COMPREPLY[*]}"
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", probe]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(output.split(separator: "\n").map(String.init), ["t2i t2v", "wait", "--region", "cn intl us"])
    }

    func testFishCompletionCompletes() throws {
        let output = try runShell("fish", script: "fish", probe: { file in """
            source '\(file)'
            complete -C 'dashscope t2'
            complete -C 'dashscope task w'
            complete -C 'dashscope t2i x --regi'
            complete -C 'dashscope t2i x --region '
            """ })
        let words = output.split(separator: "\n").map { String($0.split(separator: "\t").first ?? "") }
        XCTAssertEqual(words, ["t2i", "t2v", "wait", "--region", "cn", "intl", "us"], output)
    }

    func testZshCompletionParses() throws {
        let output = try runShell("zsh", script: "zsh", probe: { file in "zsh -n '\(file)' && echo parsed" })
        XCTAssertEqual(output, "parsed\n")
    }

    /// Writes the generated script for `script`, runs `probe` in `shell`, and returns its stdout; skips when the shell is absent.
    private func runShell(_ shell: String, script: String, probe: (String) -> String) throws -> String {
        guard let path = ["/usr/bin/\(shell)", "/bin/\(shell)", "/usr/local/bin/\(shell)"]
            .first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw XCTSkip("\(shell) is not installed (apt install \(shell) to run this test)")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dashscope-completion-\(UUID().uuidString).\(shell)")
        try Completions.render(shell: script, table: Commands.all).write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-c", probe(file.path)]
        process.environment = ["HOME": FileManager.default.temporaryDirectory.path, "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "\(shell) failed")
        return output
    }
}
