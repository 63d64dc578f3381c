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
        let model = resolve(invocation, configuration: configuration, for: capability)
        if let regions = model.regions, !regions.contains(configuration.region), configuration.origin == configuration.region.origin,
           !invocation.arguments.flag("mock") {
            throw DashScopeError.usage("\(model.name) is served in \(regions.map(\.rawValue).joined(separator: ", ")) only, not in \(configuration.region.rawValue)",
                                       hint: "pass --region \(regions[0].rawValue) (with a key of that region)")
        }
        return Start(prompt: prompt, configuration: configuration, model: model, mode: try callMode(invocation.arguments, model: model))
    }

    /// The catalogue row for the chosen model, warning when the name is not in the catalogue.
    static func resolve(_ invocation: Invocation, configuration: Configuration, for capability: Capability) -> ModelSpec {
        let name = invocation.arguments.string("model") ?? configuration.commandModels[capability.command]
            ?? Catalog.defaultModel(for: capability)
        let model = Catalog.resolve(name, for: capability)
        if model.inferred {
            invocation.console.warn("model '\(name)' is not in the catalogue; sending it anyway with the \(model.modes[0].wire.rawValue) protocol, limits unchecked")
        }
        return model
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
