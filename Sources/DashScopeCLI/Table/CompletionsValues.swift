import DashScopeKit

/// The values completions offer, from the command table, the catalogue and the journal. The scripts embed the static
/// ones and ask `dashscope __complete KIND --command C --model M` for the rest: it is local and fast (no network).
public enum CompletionValues {
    /// The ratios offered for `--size` of every model with a size rule.
    static let ratios: [(Int, Int)] = [(1, 1), (16, 9), (9, 16), (4, 3), (3, 4)]

    /// The kinds `dashscope __complete` answers: the dynamic sources, and `models` and `commands` for scripts by hand.
    static let kinds: [String: ValueSource] = ValueSource.dynamic.merging(["models": .models, "commands": .commands]) { a, _ in a }

    /// The command at a path such as `t2i` or `task wait`.
    static func command(_ path: String, table: [CommandSpec]) -> CommandSpec? {
        let names = path.split(separator: " ").map(String.init)
        guard let first = names.first, var command = table.first(where: { $0.name == first }) else { return nil }
        for name in names.dropFirst() {
            guard let sub = command.subcommand(name) else { return nil }
            command = sub
        }
        return command
    }

    /// The words a static source offers at a path; nil for dynamic sources, files and nothing.
    static func staticWords(_ source: ValueSource, path: String, table: [CommandSpec]) -> [String]? {
        switch source {
        case let .words(words): return words
        case .models: return models(for: path, table: table).map(\.name)
        case .commands: return table.filter { !$0.hidden }.map(\.name)
        default: return nil
        }
    }

    /// The models `-m` offers at a path: the command's family, or every listed model where the command has none.
    static func models(for path: String, table: [CommandSpec]) -> [ModelSpec] {
        let listed = InfoCommands.listedModels(table)
        let first = path.split(separator: " ").first.map(String.init) ?? ""
        let family = listed.filter { $0.capability.command == first }
        return family.isEmpty ? listed : family
    }

    /// (value, description) pairs of a source at a path, for the model on the line, else the config file's
    /// `<command>.model`, else the command's default.
    public static func values(_ source: ValueSource, command path: String, model: String?, table: [CommandSpec],
                              environment: [String: String]) -> [(String, String)] {
        let first = path.split(separator: " ").first.map(String.init) ?? ""
        let configured = { (try? Configuration.resolve(flags: .init(), environment: environment))?.commandModels[first] }
        let chosen = (model?.isEmpty == false ? model : nil) ?? configured() ?? command(path, table: table)?.option(long: "model")?.defaultText
        let spec = chosen.flatMap(Catalog.model(named:))
        switch source {
        case .sizes: return spec.map(sizes) ?? ratios.map { ("\($0.0):\($0.1)", "") }
        case .voices: return (spec?.voices ?? []).map { ($0, "") }
        case .resolutions:
            return (spec?.video?.tiers ?? []).map { ($0.rawValue, $0 == spec?.video?.defaultTier ? "default" : "") }
        case .durations:
            return (spec?.video?.durations ?? []).map { ("\($0)", $0 == spec?.video?.defaultDuration ? "seconds, default" : "seconds") }
        case .taskIDs: return taskIDs(environment)
        case .conversations: return ConversationStore(environment: environment).names().map { ($0, "conversation") }
        case .models: return models(for: path, table: table).map { ($0.name, $0.summary) }
        default: return (staticWords(source, path: path, table: table) ?? []).map { ($0, "") }
        }
    }

    /// The default size, the sizes the common ratios map to, the fixed sizes, then the ratios, written `WxH`
    /// (a `*` would need quoting in the shell).
    static func sizes(_ model: ModelSpec) -> [(String, String)] {
        guard let rule = model.sizes else { return [] }
        var out: [(String, String)] = []
        func add(_ size: ImageSize, _ note: String) {
            let text = "\(size.width)x\(size.height)"
            if !out.contains(where: { $0.0 == text }) { out.append((text, note)) }
        }
        if let size = model.defaultSize { add(size, "default") }
        var mapped: [(String, String)] = []
        for (w, h) in ratios {
            guard let size = ratioSize(w, h, model: model) else { continue }
            add(size, "\(w):\(h)")
            mapped.append(("\(w):\(h)", "\(size.width)x\(size.height)"))
        }
        if case let .fixed(sizes) = rule { for size in sizes { add(size, "") } }
        return out + mapped
    }

    /// The size `--size W:H` becomes for `model`, resolved as its command resolves it: a video model's ratio takes its
    /// default resolution's size, an image model's the recommended one.
    static func ratioSize(_ w: Int, _ h: Int, model: ModelSpec) -> ImageSize? {
        let resolved = model.video == nil ? try? TextToImage.resolveSize(.ratio(w, h), model: model)
                                          : try? VideoSize.resolve(.ratio(w, h), tier: nil, model: model)
        return resolved ?? nil
    }

    /// The journal's task ids, newest first, described by command, model, outcome and the prompt's start.
    static func taskIDs(_ environment: [String: String]) -> [(String, String)] {
        var seen = Set<String>()
        return Journal(environment: environment).entries().reversed().filter { entry in
            // An id starting with `-` would be read as options (`task status -rf`); it can still be typed after `--`.
            TaskID.isValid(entry.taskID) && !entry.taskID.hasPrefix("-") && seen.insert(entry.taskID).inserted
        }.prefix(100).map { entry in
            let prompt = TerminalText.field(String(entry.prompt.prefix(40)))
            return (entry.taskID, "\(entry.command) \(entry.model) \(entry.outcome ?? "unfinished"): \(prompt)")
        }
    }

    /// `dashscope __complete KIND [--command C] [--model M]`: prints `value<TAB>description` lines (internal, for the scripts).
    static func run(_ invocation: Invocation) async throws -> ExitCode {
        let arguments = invocation.arguments
        let kind = arguments.positional ?? ""
        guard let source = kinds[kind] else {
            throw DashScopeError.usage("__complete cannot list '\(kind)'\(Suggest.phrase(kind, among: Array(kinds.keys)))",
                                       hint: "use one of: \(kinds.keys.sorted().joined(separator: ", "))")
        }
        let pairs = values(source, command: arguments.string("command") ?? "", model: arguments.string("model"),
                           table: Commands.all, environment: invocation.context.environment)
        for (value, description) in pairs { invocation.console.result(description.isEmpty ? value : "\(value)\t\(description)") }
        return .ok
    }
}
