#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Why a setting's value was refused: what is wrong and what to write instead.
public struct SettingProblem: Error, Sendable, Equatable {
    /// What is wrong, naming the setting (`region cannot be 'mars'`).
    public var message: String
    /// What to write instead.
    public var hint: String?

    /// Creates a problem.
    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }
}

/// One setting of the config file: its name, meaning, other spellings (flag, environment variable), default, and the
/// check its values pass. `config set|get|list`, the file reader, help and docs all read `Settings.all`.
public struct Setting: Sendable {
    /// The name in the config file (`region`); `COMMAND.model` stands for every `<command>.model`.
    public var name: String
    /// One line saying what it does.
    public var meaning: String
    /// The value's name in help (`REGION`).
    public var placeholder: String
    /// The command-line option that overrides it (long name without dashes), if any.
    public var flag: String?
    /// The environment variable that overrides it, if any.
    public var environment: String?
    /// The value used when nothing sets it, if any.
    public var defaultValue: String?
    /// Whether the value is a secret (the key): shown masked, never whole.
    public var secret: Bool
    /// Checks a value and returns it normalised (`Beijing` → `cn`), or says what is wrong.
    public var check: @Sendable (String) -> Result<String, SettingProblem>

    /// Creates a setting.
    public init(_ name: String, meaning: String, placeholder: String, flag: String? = nil, environment: String? = nil,
                default defaultValue: String? = nil, secret: Bool = false,
                check: @escaping @Sendable (String) -> Result<String, SettingProblem>) {
        self.name = name
        self.meaning = meaning
        self.placeholder = placeholder
        self.flag = flag
        self.environment = environment
        self.defaultValue = defaultValue
        self.secret = secret
        self.check = check
    }

    /// `value` as it may be shown: a secret masked as `sk-…abcd`.
    public func display(_ value: String) -> String { secret ? Redaction.key(value) : value }
}

/// The table of settings, and the lookups over it.
public enum Settings {
    /// The commands a `<command>.model` default may name: every generating command of the catalogue.
    public static var modelCommands: [String] {
        var seen: [String] = []
        for capability in Capability.allCases where !seen.contains(capability.command) { seen.append(capability.command) }
        return seen
    }

    /// The name standing for every `<command>.model` setting.
    public static let commandModel = "COMMAND.model"

    /// Every setting, in the order `config list` and the docs show them.
    public static let all: [Setting] = [
        Setting("api_key", meaning: "the API key (shown masked, never whole)", placeholder: "KEY", flag: "api-key",
                environment: "DASHSCOPE_API_KEY", secret: true, check: checkKey),
        Setting("region", meaning: "cn (beijing, cn-beijing), intl (singapore, ap-southeast-1) or us (virginia, us-east-1); keys work only in their own region",
                placeholder: "REGION", flag: "region", environment: "DASHSCOPE_REGION", default: Region.cn.rawValue, check: checkRegion),
        Setting("workspace", meaning: "a workspace id: calls go to its own host in the region (cn and intl only)",
                placeholder: "ID", flag: "workspace", environment: "DASHSCOPE_WORKSPACE", check: checkWorkspace),
        Setting("base_url", meaning: "the API origin (http[s]://host[:port]); the origin from the highest level (flag > environment > file) that sets it or a workspace; wins over a workspace at the same level",
                placeholder: "URL", flag: "base-url", environment: "DASHSCOPE_BASE_URL", check: checkBaseURL),
        Setting("allow_insecure_http", meaning: "true to allow a plain http:// base_url off this machine (sends the key in clear text)",
                placeholder: "BOOL", flag: "allow-insecure-http", default: "false", check: checkBool),
        Setting("output", meaning: "the default -o: a directory, file name or template", placeholder: "PATH", flag: "output",
                check: checkOutput),
        Setting("color", meaning: "colour on stderr: auto (a terminal, unless NO_COLOR or TERM=dumb), always or never",
                placeholder: "WHEN", flag: "color", default: "auto", check: checkColor),
        Setting("COMMAND.model", meaning: "the default model of a command, e.g. t2i.model = wan2.2-t2i-flash", placeholder: "MODEL",
                flag: "model", check: checkModel),
    ]

    /// The setting a file key names (`t2i.model` → `COMMAND.model`), nil for an unknown key.
    public static func named(_ key: String) -> Setting? {
        let key = key.lowercased()
        if key.hasSuffix(".model") {
            return modelCommands.contains(String(key.dropLast(".model".count))) ? all.first(where: { $0.name == commandModel }) : nil
        }
        return all.first(where: { $0.name == key && $0.name != commandModel })
    }

    /// Every key a file may hold, the `<command>.model` ones spelled out (for "did you mean" and completions).
    public static var keys: [String] {
        all.filter { $0.name != commandModel }.map(\.name) + modelCommands.map { "\($0).model" }
    }

    /// The setting for `key`, or a problem with "did you mean" and the list of keys.
    public static func lookup(_ key: String) -> Result<Setting, SettingProblem> {
        if let setting = named(key) { return .success(setting) }
        let printable = TerminalText.line(key)
        if key.lowercased().hasSuffix(".model") {
            let command = String(key.dropLast(".model".count))
            let near = Suggest.closest(command, among: modelCommands).map { ". Did you mean '\($0).model'?" } ?? ""
            return .failure(SettingProblem("'\(printable)' names no command\(near)",
                                           hint: "COMMAND.model takes one of: \(modelCommands.joined(separator: ", "))"))
        }
        let near = Suggest.closest(key, among: keys).map { ". Did you mean '\($0)'?" } ?? ""
        return .failure(SettingProblem("unknown setting '\(printable)'\(near)",
                                       hint: "settings: \(all.map(\.name).joined(separator: ", "))"))
    }

    /// Checks `value` for `key`: the normalised value, or the problem (unknown key or bad value).
    public static func check(key: String, value: String) -> Result<String, SettingProblem> {
        lookup(key).flatMap { $0.check(value) }.flatMap { checked in
            guard key.lowercased().hasSuffix(".model"), let family = Capability(rawValue: String(key.lowercased().dropLast(".model".count))) else {
                return .success(checked)
            }
            return checkModel(checked, for: family)
        }
    }

    /// The default `-o`: a template checked as `-o` is (placeholders, and none of task, index, ext among the directories).
    private static func checkOutput(_ value: String) -> Result<String, SettingProblem> {
        if let problem = OutputPlan.templateProblem(value, directory: OutputPlan.directoryPart(of: value)) {
            return .failure(SettingProblem("output " + problem.phrase, hint: problem.hint))
        }
        return checkText(value)
    }

    /// A `<command>.model` value must not be a catalogued model of another command (it would start another kind of
    /// billed job). A name the catalogue does not know passes here (it may be newer than the tool: the command refuses it
    /// at use unless `--any-model`, and `config set` asks for `--any-model` too, see `unknownModel`).
    private static func checkModel(_ name: String, for family: Capability) -> Result<String, SettingProblem> {
        guard let model = Catalog.model(named: name), model.capability.command != family.command else { return .success(name) }
        return .failure(SettingProblem("\(name) is a model of \(model.capability.command), not of \(family.command)",
                                       hint: "\(family.command).model takes one of: \(Catalog.models(for: family).map(\.name).joined(separator: ", "))"))
    }

    /// For `config set KEY VALUE`: the problem with a `<command>.model` the catalogue does not know in a closed family
    /// (likely a typo, with the nearest name), or nil.
    public static func unknownModel(key: String, value: String) -> SettingProblem? {
        guard key.lowercased().hasSuffix(".model"), let family = Capability(rawValue: String(key.lowercased().dropLast(".model".count))),
              Catalog.model(named: value) == nil, !Catalog.openFamilies.contains(family) else { return nil }
        let names = Catalog.models(for: family).map(\.name)
        let near = Suggest.closest(value, among: names).map { ". Did you mean '\($0)'?" } ?? ""
        return SettingProblem("unknown model '\(TerminalText.line(value))' for \(family.command)\(near)",
                              hint: "\(family.command).model takes one of: \(names.joined(separator: ", ")); for a model newer than this tool's catalogue, add --any-model")
    }

    // MARK: Checks

    private static func checkKey(_ value: String) -> Result<String, SettingProblem> {
        if value.isEmpty { return .failure(SettingProblem("api_key is empty", hint: "give the key the Model Studio console shows (sk-...)")) }
        if value.unicodeScalars.contains(where: TerminalText.isControl) {
            return .failure(SettingProblem("api_key contains a line break or another control character",
                                           hint: "copy the key again without line breaks or other invisible characters"))
        }
        return .success(value)
    }

    private static func checkRegion(_ value: String) -> Result<String, SettingProblem> {
        guard let region = Region(name: value) else {
            return .failure(SettingProblem("unknown region '\(TerminalText.line(value))'", hint: "use one of: \(Region.spelled)"))
        }
        return .success(region.rawValue)
    }

    /// A workspace id becomes part of a host name: one DNS label (letters, digits, `-`; 1 to 63; no `-` at either end), lowercased.
    private static func checkWorkspace(_ value: String) -> Result<String, SettingProblem> {
        let id = value.lowercased()
        let allowed = id.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        guard (1...63).contains(id.count), allowed, !id.hasPrefix("-"), !id.hasSuffix("-") else {
            return .failure(SettingProblem("'\(TerminalText.line(value))' is not a workspace id",
                                           hint: "a workspace id is letters, digits and '-' (1 to 63, no '-' at either end), as the console shows it"))
        }
        return .success(id)
    }

    private static func checkBaseURL(_ value: String) -> Result<String, SettingProblem> {
        do {
            return .success(try Configuration.normalizedOrigin(value))
        } catch let error as DashScopeError {
            return .failure(SettingProblem(error.message, hint: error.hint))
        } catch {
            return .failure(SettingProblem("invalid base URL"))
        }
    }

    private static let truths = ["true": "true", "yes": "true", "1": "true", "on": "true",
                                 "false": "false", "no": "false", "0": "false", "off": "false"]

    private static func checkBool(_ value: String) -> Result<String, SettingProblem> {
        guard let truth = truths[value.lowercased()] else {
            return .failure(SettingProblem("'\(TerminalText.line(value))' is not true or false", hint: "write true or false"))
        }
        return .success(truth)
    }

    private static func checkColor(_ value: String) -> Result<String, SettingProblem> {
        let word = value.lowercased()
        guard ["auto", "always", "never"].contains(word) else {
            return .failure(SettingProblem("color cannot be '\(TerminalText.line(value))'", hint: "write auto, always or never"))
        }
        return .success(word)
    }

    private static func checkText(_ value: String) -> Result<String, SettingProblem> {
        guard !value.isEmpty, !value.unicodeScalars.contains(where: TerminalText.isControl) else {
            return .failure(SettingProblem("the value is empty or holds a control character", hint: "give a path"))
        }
        return .success(value)
    }

    private static func checkModel(_ value: String) -> Result<String, SettingProblem> {
        guard !value.isEmpty, !value.unicodeScalars.contains(where: { TerminalText.isControl($0) || $0 == " " }) else {
            return .failure(SettingProblem("'\(TerminalText.line(value))' is not a model name", hint: "`dashscope models` lists them"))
        }
        return .success(value)
    }
}
