import DashScopeKit

/// Which model and call mode a generating command uses: `-m`, then `<command>.model` in the config, then the default.
enum ModelChoice {
    /// What every generating command reads first: the prompt, the settings, the model and the call mode (nothing is sent).
    struct Start {
        let prompt: String
        let configuration: Configuration
        let model: ModelSpec
        let mode: CallMode
    }

    /// Reads the prompt, resolves the settings and picks the model and mode of `capability`.
    static func start(_ invocation: Invocation, for capability: Capability) throws -> Start {
        let prompt = try PromptInput.read(invocation)
        let configuration = try Session.configuration(invocation)
        let model = try resolve(invocation, configuration: configuration, for: capability)
        if let regions = model.regions, !regions.contains(configuration.region), configuration.origin == configuration.region.origin,
           !invocation.arguments.flag("mock") {
            throw DashScopeError.usage("\(model.name) is served in \(regions.map(\.rawValue).joined(separator: ", ")) only, not in \(configuration.region.rawValue)",
                                       hint: "pass --region \(regions[0].rawValue) (with a key of that region)")
        }
        return Start(prompt: prompt, configuration: configuration, model: model, mode: try callMode(invocation.arguments, model: model))
    }

    /// The catalogue row for the chosen model. A name the catalogue does not know is refused before anything is sent,
    /// with the family's nearest names (a typo must not cost a round trip or money); `--any-model` sends it anyway,
    /// with a warning, for a model newer than the catalogue. In an open family only a likely typo is refused.
    static func resolve(_ invocation: Invocation, configuration: Configuration, for capability: Capability) throws -> ModelSpec {
        let given = invocation.arguments.string("model")
        let name = given ?? configuration.commandModels[capability.command] ?? Catalog.defaultModel(for: capability)
        let model = Catalog.resolve(name, for: capability)
        guard model.inferred else {
            try Validation.family(model, capability)
            return model
        }
        guard !refuses(name, for: capability, anyModel: invocation.arguments.flag("any-model")) else {
            let source = given == nil ? " (from \(capability.command).model in the config file)" : ""
            let near = nearest(name, for: capability)
            throw DashScopeError.usage("unknown model '\(name)'\(source) for \(capability.command)"
                                           + (near.isEmpty ? "" : ". Did you mean \(near.map { "'\($0)'" }.joined(separator: ", "))?"),
                                       hint: "`dashscope models` lists the models; to send a model newer than this tool's catalogue, add --any-model")
        }
        invocation.console.warn("model '\(name)' is not in the catalogue; sending it anyway with the \(model.modes[0].wire.rawValue) protocol, limits unchecked")
        return model
    }

    /// Whether an uncatalogued `name` is refused: always without `--any-model`, except in an open family, where only a
    /// name one edit from a catalogued one (`qwen-plu`, or `qwen-plsu`: a swap of two neighbours is one edit) or differing in
    /// case is; a real name one edit from another (`qwen-vl-plus`, `qwen3-vl-plus`) is in the catalogue, so it is never refused.
    static func refuses(_ name: String, for capability: Capability, anyModel: Bool) -> Bool {
        guard !anyModel else { return false }
        guard Catalog.openFamilies.contains(capability) else { return true }
        return Catalog.models(for: capability).contains { Suggest.distance(name.lowercased(), $0.name.lowercased()) <= 1 }
    }

    /// Up to three models of the family nearest `name`: those it begins (`wan2.6` → `wan2.6-t2i`) first, then by edit distance.
    static func nearest(_ name: String, for capability: Capability) -> [String] {
        let typed = name.lowercased()
        let names = Catalog.models(for: capability).map(\.name)
            + Catalog.aliases.filter { alias in Catalog.model(named: alias.value)?.capability == capability }.map(\.key).sorted()
        let prefixed = names.filter { $0.lowercased().hasPrefix(typed) && typed.count >= 3 }
        let limit = max(2, typed.count / 3)
        let close = names.map { ($0, Suggest.distance(typed, $0.lowercased())) }
            .filter { $0.1 <= limit && !prefixed.contains($0.0) }
            .sorted { $0.1 < $1.1 }.map(\.0)
        return Array((prefixed + close).prefix(3))
    }

    /// The call mode: `--async`, `--sync`, `--no-wait` (needs a task), or the model's default.
    static func callMode(_ args: ParsedArguments, model: ModelSpec) throws -> CallMode {
        if args.flag("sync") && (args.flag("async") || args.flag("no-wait")) {
            throw DashScopeError.usage("--sync cannot go with \(args.flag("async") ? "--async" : "--no-wait")", hint: "pick one")
        }
        let wantAsync: Bool? = args.flag("async") || args.flag("no-wait") ? true : args.flag("sync") ? false : nil
        guard let mode = model.mode(async: wantAsync) else {
            let what = wantAsync == true ? "as an async task (--async/--no-wait)" : "synchronously (--sync)"
            throw DashScopeError.usage("\(model.name) cannot run \(what)", hint: "drop the flag")
        }
        return mode
    }
}
