#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where each setting came from, for `--verbose`, `config list`, `auth status` and error messages.
public enum SettingSource: String, Sendable {
    case flag, environment, configFile = "config file", builtIn = "default"

    /// The layer's rank in precedence: flag > environment > config file > default.
    var rank: Int {
        switch self {
        case .flag: return 3
        case .environment: return 2
        case .configFile: return 1
        case .builtIn: return 0
        }
    }
}

/// One setting's effective value and where it came from, as `config list` shows it.
public struct ResolvedSetting: Sendable, Equatable {
    /// The key (`region`, `t2i.model`).
    public var key: String
    /// The value, checked and normalised (the key unmasked: show it with `Setting.display`).
    public var value: String
    /// The layer it came from.
    public var source: SettingSource
    /// The flag or variable it came from (`--region`, `DASHSCOPE_REGION`), or the file and line (`path, line 3`).
    public var origin: String?

    /// Creates a resolved setting.
    public init(key: String, value: String, source: SettingSource, origin: String?) {
        self.key = key
        self.value = value
        self.source = source
        self.origin = origin
    }
}

/// The resolved settings of one run: key, region, endpoints, and per-command defaults.
public struct Configuration: Sendable {
    /// The API key, if any was found.
    public var apiKey: String?
    /// Where the key came from.
    public var apiKeySource: SettingSource?
    /// The region (`cn` unless told otherwise).
    public var region: Region
    /// The workspace whose host the calls go to, if one is set (and no base URL of a higher layer overrides it).
    public var workspace: String?
    /// The origin the API paths hang from, e.g. `https://dashscope.aliyuncs.com` or `http://127.0.0.1:8089`.
    public var origin: String
    /// The default output (`-o`) when none is given on the command line.
    public var output: String?
    /// The config file's `color` (auto, always or never), if it sets one: `--color` wins over it.
    public var color: String?
    /// `<command>.model` defaults from the config file.
    public var commandModels: [String: String]
    /// Warnings found while reading the configuration (e.g. a world-readable config file).
    public var warnings: [String]
    /// Every setting that has a value, in the order of `Settings.all`, with where it came from.
    public var settings: [ResolvedSetting] = []
    /// The config file's path (it may not exist).
    public var configPath: String = ""

    /// The native API base, `{origin}/api/v1`.
    public var nativeBase: String { origin + "/api/v1" }
    /// The OpenAI-compatible base, `{origin}/compatible-mode/v1`.
    public var compatibleBase: String { origin + "/compatible-mode/v1" }
    /// The API host name, the only host the key is ever sent to.
    public var apiHost: String { URL(string: origin)?.host ?? region.host }

    /// Creates resolved settings directly (tests, and the in-process mock).
    public init(apiKey: String? = nil, apiKeySource: SettingSource? = nil, region: Region = .cn, workspace: String? = nil,
                origin: String? = nil, output: String? = nil, commandModels: [String: String] = [:], warnings: [String] = []) {
        self.apiKey = apiKey
        self.apiKeySource = apiKeySource
        self.region = region
        self.workspace = workspace
        self.origin = origin ?? region.origin
        self.output = output
        self.commandModels = commandModels
        self.warnings = warnings
    }

    /// The settings given on the command line, the first layer of precedence.
    public struct Flags: Sendable {
        /// `--api-key`.
        public var apiKey: String?
        /// `--region`.
        public var region: String?
        /// `--base-url`.
        public var baseURL: String?
        /// `--workspace`.
        public var workspace: String?
        /// `--allow-insecure-http`: a plain `http://` origin that is not loopback is accepted.
        public var allowInsecureHTTP: Bool
        /// Creates the flag layer.
        public init(apiKey: String? = nil, region: String? = nil, baseURL: String? = nil, workspace: String? = nil,
                    allowInsecureHTTP: Bool = false) {
            self.apiKey = apiKey
            self.region = region
            self.baseURL = baseURL
            self.workspace = workspace
            self.allowInsecureHTTP = allowInsecureHTTP
        }

        /// The values by the long name of their option, as `Setting.flag` names them.
        var byOption: [String: String] {
            var values: [String: String] = [:]
            values["api-key"] = apiKey
            values["region"] = region
            values["base-url"] = baseURL
            values["workspace"] = workspace
            values["allow-insecure-http"] = allowInsecureHTTP ? "true" : nil
            return values
        }
    }

    /// Resolves flag > environment > config file > default. Throws a usage error (64) for a bad flag or variable, a config
    /// error (78) naming the file and line for a bad config file, and refuses a plain `http://` origin off this machine
    /// without `--allow-insecure-http`. The origin is the base URL or the workspace host of the highest layer that sets
    /// either (the base URL when both are in one layer), else the region's host.
    public static func resolve(flags: Flags, environment: [String: String], fileSystem: FileManager = .default) throws -> Configuration {
        let file = try ConfigFile.read(environment: environment, fileSystem: fileSystem)
        let fromFile = try file.checked()
        let options = flags.byOption
        func layered(_ setting: Setting) throws -> ResolvedSetting? {
            if let option = setting.flag, let text = options[option] {
                return ResolvedSetting(key: setting.name, value: try checked(text, setting, from: "--\(option)"), source: .flag, origin: "--\(option)")
            }
            if let name = setting.environment, let text = environment[name], !text.isEmpty {
                return ResolvedSetting(key: setting.name, value: try checked(text, setting, from: name), source: .environment, origin: name)
            }
            if let entry = fromFile[setting.name] {
                return ResolvedSetting(key: setting.name, value: entry.value, source: .configFile, origin: file.place(entry.line))
            }
            return setting.defaultValue.map { ResolvedSetting(key: setting.name, value: $0, source: .builtIn, origin: nil) }
        }
        var resolved: [String: ResolvedSetting] = [:]
        for setting in Settings.all where setting.name != Settings.commandModel {
            resolved[setting.name] = try layered(setting)
        }
        let modelEntries = fromFile.values.filter { $0.key.hasSuffix(".model") }.sorted { $0.line < $1.line }
        // Every setting with a default resolves to one, so region is always there and already checked.
        let region = resolved["region"].flatMap { Region(name: $0.value) } ?? .cn
        var configuration = Configuration(apiKey: resolved["api_key"]?.value, apiKeySource: resolved["api_key"]?.source, region: region,
                                          output: fromFile["output"]?.value,
                                          commandModels: Dictionary(modelEntries.map { (String($0.key.dropLast(".model".count)), $0.value) }) { $1 },
                                          warnings: file.exposureWarning.map { [$0] } ?? [])
        configuration.configPath = file.path
        configuration.color = fromFile["color"]?.value
        configuration.settings = Settings.all.compactMap { resolved[$0.name] }
            + modelEntries.map { ResolvedSetting(key: $0.key, value: $0.value, source: .configFile, origin: file.place($0.line)) }
        let base = resolved["base_url"]
        let workspace = resolved["workspace"]
        if let base, base.source.rank >= (workspace?.source.rank ?? 0) {
            configuration.origin = base.value
            try SettingChecks.checkTransportSecurity(origin: base.value, source: base.source,
                                                     allowInsecureHTTP: resolved["allow_insecure_http"]?.value == "true")
        } else if let workspace {
            guard let origin = region.workspaceOrigin(workspace.value) else {
                let hint = "workspaces have their own hosts in cn (beijing) and intl (singapore): choose one of those regions, or drop the workspace"
                let message = "region \(region.rawValue) has no workspace hosts (workspace from \(workspace.origin ?? "the config file"))"
                throw DashScopeError(message, hint: hint, exit: workspace.source == .configFile ? .noKey : .usage)
            }
            configuration.workspace = workspace.value
            configuration.origin = origin
        }
        return configuration
    }

    /// `text` checked by `setting`; a usage error naming the flag or variable it came from. A secret is never quoted.
    private static func checked(_ text: String, _ setting: Setting, from place: String) throws -> String {
        switch setting.check(text) {
        case let .success(value): return value
        case let .failure(problem):
            // "api_key contains ..." reads "DASHSCOPE_API_KEY contains ..."; other problems follow the place.
            let message = problem.message.hasPrefix(setting.name + " ")
                ? place + problem.message.dropFirst(setting.name.count) : "\(place): \(problem.message)"
            throw DashScopeError.usage(message, hint: problem.hint)
        }
    }

    /// Accepts `http://host:port`, with or without a trailing `/api/v1` or `/compatible-mode/v1`, and returns the bare origin.
    public static func normalizedOrigin(_ text: String) throws -> String {
        var s = text.trimmingBlanks()
        while s.hasSuffix("/") { s.removeLast() }
        for suffix in ["/api/v1", "/compatible-mode/v1"] where s.hasSuffix(suffix) { s.removeLast(suffix.count) }
        // Only an origin: a path, query, fragment or user part would end up around the API path (or leak).
        guard let parts = URLComponents(string: s), let scheme = parts.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = parts.host, !host.isEmpty, parts.path.isEmpty, parts.query == nil, parts.fragment == nil,
              parts.user == nil, parts.password == nil else {
            throw DashScopeError.usage("invalid base URL '\(TerminalText.line(text))'",
                                       hint: "give an origin only, such as https://dashscope.aliyuncs.com or http://127.0.0.1:8089")
        }
        return s
    }
}
