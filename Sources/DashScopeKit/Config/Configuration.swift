#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where each setting came from, for `--verbose` and error messages.
public enum SettingSource: String, Sendable {
    case flag, environment, configFile = "config file", builtIn = "default"
}

/// The resolved settings of one run: key, region, endpoints, and per-command defaults.
public struct Configuration: Sendable {
    /// The API key, if any was found.
    public var apiKey: String?
    /// Where the key came from.
    public var apiKeySource: SettingSource?
    /// The region (`cn` unless told otherwise).
    public var region: Region
    /// The origin the API paths hang from, e.g. `https://dashscope.aliyuncs.com` or `http://127.0.0.1:8089`.
    public var origin: String
    /// The default output (`-o`) when none is given on the command line.
    public var output: String?
    /// `<command>.model` defaults from the config file.
    public var commandModels: [String: String]
    /// Warnings found while reading the configuration (e.g. a world-readable config file).
    public var warnings: [String]

    /// The native API base, `{origin}/api/v1`.
    public var nativeBase: String { origin + "/api/v1" }
    /// The OpenAI-compatible base, `{origin}/compatible-mode/v1`.
    public var compatibleBase: String { origin + "/compatible-mode/v1" }
    /// The API host name, the only host the key is ever sent to.
    public var apiHost: String { URL(string: origin)?.host ?? region.host }

    /// The settings given on the command line, the first layer of precedence.
    public struct Flags: Sendable {
        /// `--api-key`.
        public var apiKey: String?
        /// `--region`.
        public var region: String?
        /// `--base-url`.
        public var baseURL: String?
        /// `--allow-insecure-http`: a plain `http://` origin that is not loopback is accepted.
        public var allowInsecureHTTP: Bool
        /// Creates the flag layer.
        public init(apiKey: String? = nil, region: String? = nil, baseURL: String? = nil, allowInsecureHTTP: Bool = false) {
            self.apiKey = apiKey
            self.region = region
            self.baseURL = baseURL
            self.allowInsecureHTTP = allowInsecureHTTP
        }
    }

    /// Resolves flag > environment > config file > default; throws on an unknown region, a malformed base URL,
    /// a key with control characters, or a plain `http://` origin off this machine without `--allow-insecure-http`.
    public static func resolve(flags: Flags, environment: [String: String], fileSystem: FileManager = .default) throws -> Configuration {
        let file = ConfigFile.load(environment: environment, fileSystem: fileSystem)
        let env = { (name: String) in environment[name].flatMap { $0.isEmpty ? nil : $0 } }

        var apiKey: String?
        var keySource: SettingSource?
        if let k = flags.apiKey { (apiKey, keySource) = (k, .flag) }
        else if let k = env("DASHSCOPE_API_KEY") { (apiKey, keySource) = (k, .environment) }
        else if let k = file.values["api_key"] { (apiKey, keySource) = (k, .configFile) }
        if let apiKey, let keySource {
            try SettingChecks.checkKey(apiKey, source: keySource, file: ConfigFile.path(environment: environment), line: file.lines["api_key"])
        }

        let regionName = flags.region ?? env("DASHSCOPE_REGION") ?? file.values["region"] ?? Region.cn.rawValue
        guard let region = Region(rawValue: regionName.lowercased()) else {
            throw DashScopeError.usage("unknown region '\(regionName)'",
                                       hint: "use one of: \(Region.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var origin = region.origin
        let base: (String, SettingSource)? = flags.baseURL.map { ($0, .flag) } ?? env("DASHSCOPE_BASE_URL").map { ($0, .environment) }
            ?? file.values["base_url"].map { ($0, .configFile) }
        if let (text, source) = base {
            origin = try normalizedOrigin(text)
            let allowed = flags.allowInsecureHTTP || ["1", "true", "yes"].contains(file.values["allow_insecure_http"]?.lowercased() ?? "")
            try SettingChecks.checkTransportSecurity(origin: origin, source: source, allowInsecureHTTP: allowed)
        }
        var models: [String: String] = [:]
        for (key, value) in file.values where key.hasSuffix(".model") {
            models[String(key.dropLast(".model".count))] = value
        }
        return Configuration(apiKey: apiKey, apiKeySource: keySource, region: region, origin: origin,
                             output: file.values["output"], commandModels: models, warnings: file.warnings)
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

/// The `key = value` config file at `$XDG_CONFIG_HOME/dashscope/config`.
public struct ConfigFile: Sendable {
    /// The settings read, keys lowercased.
    public var values: [String: String] = [:]
    /// The line (from 1) each setting was read from.
    public var lines: [String: Int] = [:]
    /// Problems worth telling the user about.
    public var warnings: [String] = []

    /// The config file path for an environment.
    public static func path(environment: [String: String]) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? PathText.homeDirectory()) + "/.config"
        return base + "/dashscope/config"
    }

    /// Reads the file if present; a missing file is not an error.
    public static func load(environment: [String: String], fileSystem: FileManager) -> ConfigFile {
        let path = path(environment: environment)
        guard let data = fileSystem.contents(atPath: path) else { return ConfigFile() }
        var file = parse(String(decoding: data, as: UTF8.self))
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & 0o044 != 0,
           file.values["api_key"] != nil {
            file.warnings.append("\(path) holds an API key and is readable by others: run `chmod 600 \(path)`")
        }
        return file
    }

    /// Parses `key = value` lines; `#` starts a comment; values may be quoted.
    public static func parse(_ text: String) -> ConfigFile {
        var file = ConfigFile()
        for (number, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingBlanks()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                file.warnings.append("config line \(number + 1) is not `key = value`; ignored")
                continue
            }
            let key = line[..<eq].trimmingBlanks().lowercased()
            var value = line[line.index(after: eq)...].trimmingBlanks()
            if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
                value = String(value.dropFirst().dropLast())
            }
            file.values[key] = value
            file.lines[key] = number + 1
        }
        return file
    }
}
