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

/// The `key = value` config file at `$XDG_CONFIG_HOME/dashscope/config`, kept line by line so `config set|unset`
/// rewrite one setting and leave every other line and comment as it was.
///
/// The format: one `key = value` per line; blank lines; `#` starts a comment at the start of a line, or after a
/// value when whitespace stands before it (`api_key = sk-... # work`), so `a#b` keeps its `#`. A value may be quoted
/// with `"` or `'` to keep a leading or trailing space or a ` #`; there are no escapes, and only whitespace or a
/// comment may follow the closing quote. Keys are matched in any case; the last of a repeated key wins.
public struct ConfigFile: Sendable {
    /// One line of the file as read.
    public enum Line: Sendable, Equatable {
        /// A blank line or a comment, kept as written.
        case other(String)
        /// A setting: its key (lowercased), its value, the comment after it (with its `#`), and the text as written.
        case entry(key: String, value: String, comment: String?, text: String)
        /// A line that is not `key = value`, kept as written; `problem` says why.
        case invalid(text: String, problem: String)
    }

    /// A setting read from the file, with its line number (from 1).
    public struct Entry: Sendable, Equatable {
        /// The key, lowercased.
        public var key: String
        /// The value, unquoted.
        public var value: String
        /// The line it is on, from 1.
        public var line: Int
    }

    /// The file's path.
    public var path: String
    /// The lines, in order.
    public var lines: [Line]
    /// Whether the file existed when read.
    public var exists: Bool
    /// Its permission bits when read, if it existed.
    public var mode: Int?

    /// Creates a file from its text (nothing is read or written). A byte order mark at the start (Windows editors write
    /// one) is dropped, and not written back.
    public init(path: String, text: String = "", exists: Bool = false, mode: Int? = nil) {
        self.path = path
        self.exists = exists
        self.mode = mode
        let text = text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
        var rows = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        if rows.last == "" { rows.removeLast() }
        lines = rows.map(Self.parse)
    }

    /// The config file path for an environment.
    public static func path(environment: [String: String]) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? PathText.homeDirectory()) + "/.config"
        return base + "/dashscope/config"
    }

    /// Reads the file of an environment; a missing file reads as empty, an unreadable one is a config error (exit 78).
    public static func read(environment: [String: String], fileSystem: FileManager = .default) throws -> ConfigFile {
        try read(path: path(environment: environment), fileSystem: fileSystem)
    }

    /// Reads the file at `path`; a missing file reads as empty, an unreadable one is a config error (exit 78).
    public static func read(path: String, fileSystem: FileManager = .default) throws -> ConfigFile {
        guard fileSystem.fileExists(atPath: path) else { return ConfigFile(path: path) }
        guard let data = fileSystem.contents(atPath: path) else {
            throw DashScopeError("cannot read the config file \(path)", hint: "check its permissions (chmod 600 \(path))", exit: .noKey)
        }
        var info = stat()
        let mode = stat(path, &info) == 0 ? Int(info.st_mode & 0o7777) : nil
        return ConfigFile(path: path, text: String(decoding: data, as: UTF8.self), exists: true, mode: mode)
    }

    // MARK: Reading

    /// Every setting in file order, with its line.
    public var entries: [Entry] {
        lines.enumerated().compactMap { index, line in
            guard case let .entry(key, value, _, _) = line else { return nil }
            return Entry(key: key, value: value, line: index + 1)
        }
    }

    /// The last entry for `key`, which is the one that counts.
    public func entry(_ key: String) -> Entry? { entries.last(where: { $0.key == key.lowercased() }) }

    /// `path, line N`, as errors name a place in the file.
    public func place(_ line: Int) -> String { "\(path), line \(line)" }

    /// The first problem of the file: a line that is not `key = value`, an unknown key, or a value its setting refuses;
    /// a config error (exit 78) naming the file and line. The settings are returned checked and normalised.
    public func checked() throws -> [String: Entry] {
        var settings: [String: Entry] = [:]
        for (index, line) in lines.enumerated() {
            let number = index + 1
            switch line {
            case .other: continue
            case let .invalid(_, problem):
                throw DashScopeError("\(place(number)): \(problem)",
                                     hint: "write `key = value` (settings: \(Settings.all.map(\.name).joined(separator: ", "))), or start the line with # to keep it as a comment",
                                     exit: .noKey)
            case let .entry(key, value, _, _):
                switch Settings.check(key: key, value: value) {
                case let .success(normalised): settings[key] = Entry(key: key, value: normalised, line: number)
                case let .failure(problem):
                    throw DashScopeError("\(place(number)): \(problem.message)",
                                         hint: (problem.hint.map { $0 + "; " } ?? "") + "fix or remove that line (`dashscope config unset \(TerminalText.line(key))`)",
                                         exit: .noKey)
                }
            }
        }
        return settings
    }

    /// The warning due when the file holds a key and others may read it.
    public var exposureWarning: String? {
        guard let mode, mode & 0o044 != 0, entry("api_key") != nil else { return nil }
        return "\(path) holds an API key and is readable by others: run `chmod 600 \(path)`"
    }

    // MARK: Changing

    /// Sets `key` to `value`: the last line for the key is rewritten in place (keeping its comment), earlier ones are
    /// removed, and a new key is appended. The value must already be checked.
    public mutating func set(_ key: String, to value: String) {
        let key = key.lowercased()
        let text = "\(key) = \(Self.quoted(value))"
        if let last = lines.lastIndex(where: { $0.key == key }) {
            if case let .entry(_, _, comment, _) = lines[last] {
                lines[last] = .entry(key: key, value: value, comment: comment, text: text + (comment.map { " " + $0 } ?? ""))
            }
            lines = lines.enumerated().filter { $0.offset == last || $0.element.key != key }.map(\.element)
        } else {
            lines.append(.entry(key: key, value: value, comment: nil, text: text))
        }
    }

    /// Removes every line of `key`; returns whether there was one.
    @discardableResult
    public mutating func unset(_ key: String) -> Bool {
        let key = key.lowercased()
        let before = lines.count
        lines.removeAll { $0.key == key }
        return lines.count != before
    }

    /// The file's text: every line as written, changed lines as rewritten.
    public var text: String {
        lines.map { line in
            switch line {
            case let .other(text), let .entry(_, _, _, text), let .invalid(text, _): return text
            }
        }.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
    }

    /// Writes the file atomically (a temporary file in the same directory, then a rename) with mode 600, creating its
    /// directory with mode 700; an existing directory keeps its mode, and a symlinked file (dotfiles) is written
    /// through the link (a chain of links to its last target). Failures are exit 73.
    public func write(fileSystem: FileManager = .default) throws {
        var directory = PathText.deletingLastComponent(path)
        do {
            let target = try Self.lastTarget(of: path, fileSystem: fileSystem)
            directory = PathText.deletingLastComponent(target)
            if !fileSystem.fileExists(atPath: directory) {
                try fileSystem.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            let temporary = directory + "/.config.\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard descriptor >= 0 else { throw StreamWriter.Failure(code: errno) }
            do {
                defer { close(descriptor) }
                try StreamWriter.write(Data(text.utf8), to: descriptor)
                guard fsync(descriptor) == 0, rename(temporary, target) == 0 else { throw StreamWriter.Failure(code: errno) }
            } catch {
                unlink(temporary)
                throw error
            }
        } catch {
            let reason = SystemErrorText.describe(error)
            throw DashScopeError("cannot write the config file \(path): \(reason)",
                                 hint: "check that \(directory) is writable, or set XDG_CONFIG_HOME to a directory that is", exit: .cannotWrite)
        }
    }

    /// The file a chain of symlinks at `path` ends at (`path` itself when it is no link), each relative link read
    /// from its own directory; more than `maxLinks` links (a loop) is an error (ELOOP).
    static func lastTarget(of path: String, fileSystem: FileManager) throws -> String {
        var target = path
        for _ in 0...maxLinks {
            guard let link = try? fileSystem.destinationOfSymbolicLink(atPath: target) else { return target }
            target = link.hasPrefix("/") ? link : PathText.appending(link, to: PathText.deletingLastComponent(target))
        }
        throw StreamWriter.Failure(code: ELOOP)
    }

    /// The most symlinks followed from the config path to its file.
    static let maxLinks = 32

    // MARK: The format

    /// Reads one line.
    static func parse(_ raw: String) -> Line {
        let line = raw.trimmingBlanks()
        if line.isEmpty || line.hasPrefix("#") { return .other(raw) }
        guard let eq = line.firstIndex(of: "=") else {
            return .invalid(text: raw, problem: "this line is not `key = value`")
        }
        let key = line[..<eq].trimmingBlanks().lowercased()
        guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || "_.-".contains($0) }), key.unicodeScalars.allSatisfy(\.isASCII) else {
            return .invalid(text: raw, problem: "'\(TerminalText.line(key))' is not a setting name")
        }
        let rest = line[line.index(after: eq)...].trimmingBlanks()
        switch value(of: rest) {
        case let .success((value, comment)): return .entry(key: key, value: value, comment: comment, text: raw)
        case let .failure(problem): return .invalid(text: raw, problem: problem.message)
        }
    }

    /// Splits what follows `=` into the value and its comment.
    private static func value(of rest: String) -> Result<(String, String?), SettingProblem> {
        if let quote = rest.first, quote == "\"" || quote == "'" {
            let body = rest.dropFirst()
            guard let end = body.firstIndex(of: quote) else {
                return .failure(SettingProblem("the quote \(quote) is not closed"))
            }
            let after = body[body.index(after: end)...].trimmingBlanks()
            guard after.isEmpty || after.hasPrefix("#") else {
                return .failure(SettingProblem("text after the closing quote \(quote): put a comment after a #"))
            }
            return .success((String(body[..<end]), after.isEmpty ? nil : after))
        }
        var previous: Character = " "
        for index in rest.indices {
            if rest[index] == "#", previous.isWhitespace {
                let value = rest[..<index].trimmingBlanks()
                return .success((value, String(rest[index...])))
            }
            previous = rest[index]
        }
        return .success((rest, nil))
    }

    /// Whether a value can be written so it reads back the same (no value holds both kinds of quote and a ` #`).
    public static func canWrite(_ value: String) -> Bool {
        if case let .entry(_, read, nil, _) = parse("k = " + quoted(value)) { return read == value }
        return false
    }

    /// A value as written back: bare when it reads back the same, else in the quotes it does not contain.
    static func quoted(_ value: String) -> String {
        if case let .entry(_, read, nil, _) = parse("k = " + value), read == value { return value }
        return value.contains("\"") ? "'\(value)'" : "\"\(value)\""
    }
}

extension ConfigFile.Line {
    /// The key of an entry line.
    var key: String? {
        if case let .entry(key, _, _, _) = self { return key }
        return nil
    }
}
