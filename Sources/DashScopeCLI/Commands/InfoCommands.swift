import DashScopeKit

/// `dashscope version` and `dashscope models`.
enum InfoCommands {
    /// Prints `dashscope <version>`.
    static func version(_ invocation: Invocation) async throws -> ExitCode {
        invocation.console.result("dashscope \(Version.current)")
        return .ok
    }

    /// The catalogue rows whose command exists in this build (the catalogue already knows the families still to come).
    static var listedModels: [ModelSpec] {
        let commands = Set(Commands.all.map(\.name))
        return Catalog.models.filter { commands.contains($0.capability.command) }
    }

    /// Lists the catalogue: name, command, call modes, sizes, image counts, prompt limit.
    static func models(_ invocation: Invocation) async throws -> ExitCode {
        let console = invocation.console
        if invocation.arguments.flag("json") {
            console.result(JSON.array(listedModels.map { model in
                JSON.object([
                    "name": .string(model.name), "command": .string(model.capability.rawValue), "summary": .string(model.summary),
                    "modes": .array(model.modes.map { .string(describe($0)) }),
                    "default_size": model.defaultSize.map { .string($0.description) } ?? .null,
                    "sizes": model.sizes.map { .string(describe($0)) } ?? .null,
                    "n": .string(describe(model.count)),
                    "prompt_limit": model.promptLimit.map { .number(Double($0)) } ?? .null,
                ])
            }).pretty)
            return .ok
        }
        let rows = listedModels.map { model in
            [model.name, model.capability.rawValue, model.modes.map(describe).joined(separator: ","),
             model.sizes.map(describe) ?? "-", describe(model.count),
             model.promptLimit.map(String.init) ?? "-", model.summary]
        }
        let header = ["MODEL", "COMMAND", "MODES", "SIZES", "N", "PROMPT", "ABOUT"]
        for line in Table.render([header] + rows) { console.result(line) }
        return .ok
    }

    private static func describe(_ count: ClosedRange<Int>) -> String {
        count.count == 1 ? "\(count.lowerBound)" : "\(count.lowerBound)-\(count.upperBound)"
    }

    private static func describe(_ mode: CallMode) -> String { mode.async ? "async" : "sync" }

    private static func describe(_ rule: SizeRule) -> String {
        switch rule {
        case let .pixels(minPixels, maxPixels, _, _):
            return "\(Int(Double(minPixels).squareRoot()))²–\(Int(Double(maxPixels).squareRoot()))² px, 1:4–4:1"
        case let .sides(min, max): return "sides \(min)–\(max)"
        case let .fixed(sizes): return sizes.map { "\($0.width)x\($0.height)" }.joined(separator: " ")
        }
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

/// `dashscope completions SHELL` and the man page.
enum GeneratedDocs {
    /// Prints the completion script for a shell.
    static func completions(_ invocation: Invocation) async throws -> ExitCode {
        let shell = invocation.arguments.positional ?? ""
        guard Completions.shells.contains(shell) else {
            throw DashScopeError.usage("completions for '\(shell)' are not available\(Suggest.phrase(shell, among: Completions.shells))",
                                       hint: "use one of: \(Completions.shells.joined(separator: ", "))")
        }
        invocation.console.result(Completions.render(shell: shell, table: Commands.all), newline: false)
        return .ok
    }

    /// Prints the man page (roff).
    static func man(_ invocation: Invocation) async throws -> ExitCode {
        invocation.console.result(ManPage.render(table: Commands.all), newline: false)
        return .ok
    }
}
