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

/// Path text as `NSString`'s path methods read it, and the home and temporary directories, without Foundation.
public enum PathText {
    /// The path without trailing slashes (but `/` stays `/`).
    private static func trimmed(_ path: String) -> Substring {
        var text = Substring(path)
        while text.count > 1 && text.hasSuffix("/") { text = text.dropLast() }
        return text
    }

    /// The last component: `b` for `/a/b` and `/a/b/`, `/` for `/`, empty for empty (`lastPathComponent`).
    public static func lastComponent(_ path: String) -> String {
        let text = trimmed(path)
        guard text != "/", let slash = text.lastIndex(of: "/") else { return String(text) }
        return String(text[text.index(after: slash)...])
    }

    /// The path without its last component: `/a` for `/a/b`, `/` for `/a`, empty for `a` (`deletingLastPathComponent`).
    public static func deletingLastComponent(_ path: String) -> String {
        let text = trimmed(path)
        guard text != "/", let slash = text.lastIndex(of: "/") else { return text == "/" ? "/" : "" }
        var parent = text[..<slash]
        while parent.hasSuffix("/") { parent = parent.dropLast() }
        return parent.isEmpty ? "/" : String(parent)
    }

    /// The extension of the last component without its dot: `png` for `a/b.png`, empty for `.profile` or `b`.
    public static func pathExtension(_ path: String) -> String {
        let name = lastComponent(path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...])
    }

    /// The path without the extension of its last component and its dot (`deletingPathExtension`).
    public static func deletingPathExtension(_ path: String) -> String {
        let ext = pathExtension(path)
        let text = String(trimmed(path))
        return ext.isEmpty ? text : String(text.dropLast(ext.count + 1))
    }

    /// `component` appended to `base` with one slash between them (`appendingPathComponent`).
    public static func appending(_ component: String, to base: String) -> String {
        base.isEmpty ? component : base.hasSuffix("/") ? base + component : base + "/" + component
    }

    /// The XDG state directory of an environment: `XDG_STATE_HOME` when set and not empty, else `~/.local/state` (the
    /// journal and the conversations live below it).
    public static func stateHome(_ environment: [String: String]) -> String {
        environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (environment["HOME"] ?? homeDirectory()) + "/.local/state"
    }

    /// The user's home directory: `HOME` when set and not empty, else the password database's entry, else `/`
    /// (what `NSHomeDirectory()` answers).
    public static func homeDirectory() -> String {
        if let home = getenv("HOME").map({ String(cString: $0) }), !home.isEmpty { return home }
        if let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir { return String(cString: directory) }
        return "/"
    }

    /// The directory for temporary files, ending in `/`: `TMPDIR` when set, else `/tmp/` (`NSTemporaryDirectory()`).
    public static func temporaryDirectory() -> String {
        guard let value = getenv("TMPDIR").map({ String(cString: $0) }), !value.isEmpty else { return "/tmp/" }
        return value.hasSuffix("/") ? value : value + "/"
    }
}
