#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// `dashscope config set|get|unset|list|path`: the config file, one setting at a time, checked against `Settings.all`.
enum ConfigCommands {
    /// Checks a value and writes it to the file (created 600, directory 700), keeping every other line and comment.
    static func set(_ invocation: Invocation) async throws -> ExitCode {
        let console = invocation.console
        let words = invocation.arguments.positionals
        guard words.count == 2 else {
            throw DashScopeError.usage("dashscope config set needs KEY and VALUE", hint: "e.g. dashscope config set region intl (a VALUE of - reads it from stdin)")
        }
        let key = words[0].lowercased()
        let setting = try lookup(key)
        var value = words[1]
        if value == "-" {
            value = String(decoding: try invocation.context.readStdin(), as: UTF8.self).trimmingBlanksAndLineBreaks()
        }
        if setting.secret { console.protect(secret: value) }
        let normalised: String
        switch Settings.check(key: key, value: value) {
        case let .success(checked): normalised = checked
        case let .failure(problem): throw DashScopeError.usage(problem.message, hint: problem.hint)
        }
        let uncatalogued = Settings.unknownModel(key: key, value: normalised)
        if !invocation.arguments.flag("any-model"), let problem = uncatalogued {
            throw DashScopeError.usage(problem.message, hint: problem.hint)
        }
        guard ConfigFile.canWrite(normalised) else {
            throw DashScopeError.usage("the value holds both kinds of quote and ' #', which the config file cannot keep")
        }
        var file = try ConfigFile.read(environment: invocation.context.environment)
        file.set(key, to: normalised)
        try file.write()
        console.info("\(key) = \(setting.display(normalised)) written to \(file.path)")
        // The catalogue still does not know it: every run that uses it is refused unless it too says --any-model.
        if uncatalogued != nil {
            console.warn("the catalogue does not know '\(TerminalText.line(normalised))': runs that use it need --any-model as well")
        }
        if let mode = file.mode, mode & 0o077 != 0 {
            console.info("\(file.path) was open to others (mode \(String(mode, radix: 8))); it is now private (600)")
        }
        if let name = setting.environment, invocation.context.environment[name].map({ !$0.isEmpty }) == true {
            console.warn("\(name) is set in the environment and wins over the config file")
        }
        return .ok
    }

    /// Prints the effective value (flag > environment > file > default) on stdout, the key masked; where it comes
    /// from on stderr. A setting that nothing sets exits 1.
    static func get(_ invocation: Invocation) async throws -> ExitCode {
        let key = try oneKey(invocation, verb: "get", example: "region; `dashscope config list` shows them all")
        let setting = try lookup(key)
        let configuration = try Session.configuration(invocation)
        guard let found = configuration.settings.first(where: { $0.key == key }) ?? commandDefault(key) else {
            throw DashScopeError("\(key) is not set", hint: "dashscope config set \(key) \(setting.placeholder)", exit: .failed)
        }
        invocation.console.result(setting.display(found.value))
        invocation.console.info("from \(describe(found))")
        return .ok
    }

    /// Removes a setting from the file (any key the file holds, even an unknown one, so a broken file can be mended).
    static func unset(_ invocation: Invocation) async throws -> ExitCode {
        let key = try oneKey(invocation, verb: "unset", example: "workspace")
        var file = try ConfigFile.read(environment: invocation.context.environment)
        guard file.entry(key) != nil else {
            _ = try lookup(key)
            invocation.console.info("\(key) is not set in \(file.path)")
            return .ok
        }
        file.unset(key)
        try file.write()
        invocation.console.info("\(key) removed from \(file.path)")
        return .ok
    }

    /// The one KEY `config VERB` was given, lowercased; a usage error naming `example` otherwise.
    private static func oneKey(_ invocation: Invocation, verb: String, example: String) throws -> String {
        let words = invocation.arguments.positionals
        guard words.count == 1 else {
            throw DashScopeError.usage("dashscope config \(verb) needs one KEY", hint: "e.g. dashscope config \(verb) \(example)")
        }
        return words[0].lowercased()
    }

    /// Prints every setting that has a value as `key = value  # where from` (the key masked), or as JSON.
    static func list(_ invocation: Invocation) async throws -> ExitCode {
        let configuration = try Session.configuration(invocation)
        let console = invocation.console
        let shown = configuration.settings.map { found in (found, Settings.named(found.key)?.display(found.value) ?? found.value) }
        if invocation.arguments.flag("json") {
            console.result(JSON.object([
                "config_file": .string(configuration.configPath),
                "settings": .array(shown.map { found, value in
                    .object(["key": .string(found.key), "value": .string(value), "source": .string(jsonName(found.source)),
                             "origin": found.origin.map(JSON.string) ?? .null])
                }),
            ]).pretty)
            return .ok
        }
        for line in Table.render(shown.map { found, value in ["\(found.key) = \(value)", "# \(describe(found))"] }) {
            console.result(line)
        }
        return .ok
    }

    /// Prints the config file's path (whether or not it exists yet).
    static func path(_ invocation: Invocation) async throws -> ExitCode {
        let path = ConfigFile.path(environment: invocation.context.environment)
        invocation.console.result(path)
        if !FileManager.default.fileExists(atPath: path) {
            invocation.console.info("(it does not exist yet: `dashscope config set KEY VALUE` creates it)")
        }
        return .ok
    }

    // MARK: Helpers

    /// The setting a key names, or a usage error with "did you mean" (exit 64).
    private static func lookup(_ key: String) throws -> Setting {
        switch Settings.lookup(key) {
        case let .success(setting): return setting
        case let .failure(problem): throw DashScopeError.usage(problem.message, hint: problem.hint)
        }
    }

    /// The catalogue's default model of a command, for `config get t2i.model` when nothing sets it.
    private static func commandDefault(_ key: String) -> ResolvedSetting? {
        guard key.hasSuffix(".model"),
              let capability = Capability.allCases.first(where: { $0.command == String(key.dropLast(".model".count)) }) else { return nil }
        return ResolvedSetting(key: key, value: Catalog.defaultModel(for: capability), source: .builtIn, origin: nil)
    }

    /// `DASHSCOPE_REGION`, `--region`, `path, line 3` or `default`.
    static func describe(_ found: ResolvedSetting) -> String {
        found.origin ?? found.source.rawValue
    }

    /// The source as `--json` names it: `flag`, `environment`, `file` or `default`.
    static func jsonName(_ source: SettingSource) -> String {
        source == .configFile ? "file" : source.rawValue
    }

    /// The settings with their variables and flags, for `help config`.
    static var settingsHelp: String {
        "Settings: " + Settings.all.map { setting in
            let others = [setting.environment.map { "$" + $0 }, setting.flag.map { "--" + $0 }].compactMap { $0 }
            return setting.name + (others.isEmpty ? "" : " (\(others.joined(separator: ", ")))")
        }.joined(separator: ", ") + "; e.g. t2i.model = wan2.2-t2i-flash."
    }
}
