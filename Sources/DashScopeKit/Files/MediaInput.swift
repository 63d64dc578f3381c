#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Which option a media value came from: it decides the expected kind of file and how errors name the option.
public enum MediaRole: String, Sendable, CaseIterable {
    case image, mask, lastFrame, video, audio

    /// The option as the user types it.
    public var option: String {
        switch self {
        case .image: return "-i/--image"
        case .mask: return "--mask"
        case .lastFrame: return "--last-frame"
        case .video: return "--video"
        case .audio: return "--audio"
        }
    }

    /// The kind of file the option takes.
    public var kind: MediaKind {
        switch self {
        case .image, .mask, .lastFrame: return .image
        case .video: return .video
        case .audio: return .audio
        }
    }

    /// The formats the option can ever take, whatever the model.
    public var formats: [MediaFormat] { MediaFormat.allCases.filter { $0.kind == kind } }
}

/// Where a media value points: a local file, a web URL, an object already in DashScope's storage, or inline bytes.
public enum MediaSource: Sendable, Equatable {
    /// A local file: the absolute path, and its measured content.
    case local(LocalMedia)
    /// An `http://` or `https://` URL, passed on unchanged.
    case web(String)
    /// An `oss://` URL from an earlier upload, passed on unchanged (the call then needs the resolve header).
    case oss(String)
    /// A `data:<mime>;base64,...` URL, passed on unchanged; `format` is the one its MIME type names.
    case data(String, format: MediaFormat)
}

/// One media value of a command, checked and ready to resolve into a URL.
public struct MediaInput: Sendable, Equatable {
    /// The value as the user gave it (used, escaped, in messages).
    public var value: String
    /// The option it came from.
    public var role: MediaRole
    /// What it points to.
    public var source: MediaSource

    /// Creates an input.
    public init(value: String, role: MediaRole, source: MediaSource) {
        self.value = value
        self.role = role
        self.source = source
    }

    /// The value as it may appear in a message.
    public var shown: String { TerminalText.line(value) }
}

/// What a value looks like before any file is opened.
enum MediaReference: Equatable {
    case path(String)
    case web(String)
    case oss(String)
    case data(String)

    /// Classifies `value`: URLs by scheme (http, https, oss, data), anything else with `scheme://` refused, the rest
    /// a path (relative to `cwd`; a leading `~/` is `home`).
    static func parse(_ value: String, role: MediaRole, cwd: String, home: String) throws -> MediaReference {
        guard !value.isEmpty else {
            throw DashScopeError.usage("\(role.option) needs a value", hint: accepted)
        }
        if value.prefix(5).lowercased() == "data:" { return .data(value) }
        if let scheme = scheme(of: value) {
            let shown = TerminalText.line(String(value.prefix(200)))
            guard !value.unicodeScalars.contains(where: { TerminalText.isControl($0) || $0 == " " }) else {
                throw DashScopeError.usage("\(role.option) \(shown) is not a valid URL (it holds spaces or control characters)",
                                           hint: "percent-encode the URL (a space is %20)")
            }
            switch scheme {
            case "http", "https":
                guard let url = URL(string: value), url.host?.isEmpty == false else {
                    throw DashScopeError.usage("\(role.option) \(shown) is not a valid URL", hint: accepted)
                }
                return .web(value)
            case "oss":
                guard value.count > "oss://".count else {
                    throw DashScopeError.usage("\(role.option) \(shown) names no object", hint: accepted)
                }
                return .oss(value)
            default:
                let local = scheme == "file" ? "; for a local file give its path without file://" : ""
                throw DashScopeError.usage("\(role.option) does not take \(scheme):// URLs (\(shown))", hint: accepted + local)
            }
        }
        return .path(absolutePath(value, cwd: cwd, home: home))
    }

    /// The accepted forms, for hints.
    static let accepted = "give a local path, an http(s):// URL, an oss:// URL or a data:<mime>;base64,... URL"

    /// The lowercased scheme of a `scheme://...` value, or nil when the value has none.
    private static func scheme(of value: String) -> String? {
        guard let range = value.firstRange(of: "://") else { return nil }
        let scheme = value[..<range.lowerBound]
        guard let first = scheme.unicodeScalars.first, first.isASCII, first.isASCIILetter,
              scheme.unicodeScalars.allSatisfy({ $0.isASCII && ($0.isASCIIAlphanumeric || "+-.".unicodeScalars.contains($0)) })
        else { return nil }
        return scheme.lowercased()
    }

    /// `value` made absolute: `~` and `~/...` from `home`, relative paths from `cwd`.
    static func absolutePath(_ value: String, cwd: String, home: String) -> String {
        if value == "~" { return home }
        if value.hasPrefix("~/") { return join(home, String(value.dropFirst(2))) }
        if value.hasPrefix("/") { return value }
        return join(cwd, value)
    }

    private static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
