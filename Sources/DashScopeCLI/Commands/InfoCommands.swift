import DashScopeKit

/// `dashscope version` and `dashscope models`.
enum InfoCommands {
    /// Prints `dashscope <version>`.
    static func version(_ invocation: Invocation) async throws -> ExitCode {
        invocation.console.result("dashscope \(Version.current)")
        return .ok
    }

    /// The commands the catalogue has models for, in catalogue order (`models --command` completes them).
    static let modelCommands: [String] = Capability.allCases.map(\.command).reduce(into: []) { list, command in
        if !list.contains(command) { list.append(command) }
    }

    /// The catalogue rows whose command exists in `table` (the catalogue already knows the families still to come).
    static func listedModels(_ table: [CommandSpec]) -> [ModelSpec] {
        let commands = Set(table.filter { !$0.hidden }.map(\.name))
        return Catalog.models.filter { commands.contains($0.capability.command) }
    }

    /// `dashscope models [NAME] [--command C] [--json]`: the catalogue as a table, one model in full, or JSON.
    static func models(_ invocation: Invocation) async throws -> ExitCode {
        let arguments = invocation.arguments
        let console = invocation.console
        var models = listedModels(Commands.all)
        if let name = arguments.positional {
            guard let model = Catalog.model(named: name) else {
                let shown = TerminalText.field(name)
                throw DashScopeError.usage("unknown model '\(shown)'\(Suggest.phrase(name, among: Catalog.models.map(\.name)))",
                                           hint: "run `dashscope models` to list the models")
            }
            models = [model]
        }
        if let command = arguments.string("command") {
            let commands = Array(Set(models.map(\.capability.command))).sorted()
            guard commands.contains(command) else {
                throw DashScopeError.usage("no models for command '\(TerminalText.field(command))'\(Suggest.phrase(command, among: commands))",
                                           hint: "use one of: \(commands.joined(separator: ", "))")
            }
            models = models.filter { $0.capability.command == command }
        }
        if arguments.flag("json") {
            let rows = models.map(ModelDetails.json)
            console.result((arguments.positional == nil ? JSON.array(rows) : rows[0]).pretty)
        } else if arguments.positional != nil {
            for line in ModelDetails.lines(models[0]) { console.result(line) }
        } else {
            for line in ModelDetails.table(models) { console.result(line) }
        }
        return .ok
    }
}

/// Left-aligned text columns.
enum Table {
    /// Pads every column to its widest cell.
    static func render(_ rows: [[String]]) -> [String] {
        guard let columns = rows.map(\.count).max() else { return [] }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }
    }
}

/// `dashscope completions SHELL`, `dashscope man [PAGE]` and `dashscope help --json`.
enum GeneratedDocs {
    /// Prints the completion script for a shell.
    static func completions(_ invocation: Invocation) async throws -> ExitCode {
        let supported = Completions.shells.joined(separator: ", ")
        guard let shell = invocation.arguments.positional else {
            throw DashScopeError.usage("`dashscope completions` needs a shell: \(supported)",
                                       hint: "e.g. source <(dashscope completions bash); run `dashscope help completions` for where each goes")
        }
        guard Completions.shells.contains(shell) else {
            throw DashScopeError.usage("no completions for '\(TerminalText.field(shell))'\(Suggest.phrase(shell, among: Completions.shells)): "
                                       + "dashscope completes \(supported)", hint: "use one of: \(supported)")
        }
        invocation.console.result(Completions.render(shell: shell, table: Commands.all), newline: false)
        return .ok
    }

    /// Prints a man page (roff): dashscope(1), or dashscope-mock(1) for `dashscope man dashscope-mock`.
    static func man(_ invocation: Invocation) async throws -> ExitCode {
        let pages = ["dashscope": { ManPage.render(table: Commands.all) }, "dashscope-mock": { MockManPage.render() }]
        let name = invocation.arguments.positional ?? "dashscope"
        guard let page = pages[name] else {
            throw DashScopeError.usage("no man page '\(TerminalText.field(name))'\(Suggest.phrase(name, among: Array(pages.keys)))",
                                       hint: "use dashscope or dashscope-mock")
        }
        invocation.console.result(page(), newline: false)
        return .ok
    }
}
