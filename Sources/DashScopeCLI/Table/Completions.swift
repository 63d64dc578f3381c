import DashScopeKit

/// Writes shell completion scripts from the command table and the catalogue (one file per shell beside this one).
public enum Completions {
    /// The shells a script can be written for.
    public static let shells = ["bash", "zsh", "fish"]

    /// The script for `shell` (one of `shells`).
    public static func render(shell: String, table: [CommandSpec]) -> String {
        switch shell {
        case "bash": return bash(table)
        case "zsh": return zsh(table)
        default: return fish(table)
        }
    }

    /// Every visible (command path, spec) pair that runs something.
    static func leaves(_ table: [CommandSpec]) -> [(String, CommandSpec)] {
        table.filter { !$0.hidden }.flatMap { command in
            command.subcommands.isEmpty ? [(command.name, command)] : command.subcommands.map { ("\(command.name) \($0.name)", $0) }
        }
    }

    /// The visible commands that have subcommands.
    static func groups(_ table: [CommandSpec]) -> [CommandSpec] {
        table.filter { !$0.hidden && !$0.subcommands.isEmpty }
    }

    /// The spellings of an option: `--model`, `-m`.
    static func words(_ option: OptionSpec) -> [String] {
        [option.long.count > 1 ? "--\(option.long)" : nil, option.short.map { "-\($0)" }].compactMap { $0 }
    }

    /// The global options that take a value, which scripts skip (with their value) when looking for the command.
    static var valueGlobals: [String] {
        Options.global.filter { $0.kind != .flag }.flatMap(words)
    }

    /// A path as a shell function name part: `task wait` → `task_wait`.
    static func identifier(_ path: String) -> String {
        String(path.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
}
