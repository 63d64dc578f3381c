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

/// What a file name template may use: `{date} {time} {model} {slug} {index} {ext} {task}`.
public struct NamingContext: Sendable {
    /// When the job started.
    public var date: Date
    /// The model name.
    public var model: String
    /// The prompt, shortened into `{slug}`.
    public var prompt: String
    /// The task id (or request id for sync calls).
    public var task: String

    /// Creates a context.
    public init(date: Date, model: String, prompt: String, task: String) {
        self.date = date
        self.model = model
        self.prompt = prompt
        self.task = task
    }
}

/// Turns `-o` (a directory, a file name, or a template) into the paths results are saved under.
public struct OutputPlan: Sendable {
    /// The name pattern used when `-o` names no file.
    public static let defaultPattern = "{date}-{time}-{slug}.{ext}"

    /// The directory pattern (may use date/time/model/slug).
    public var directoryPattern: String
    /// The file name pattern.
    public var filePattern: String
    /// Whether the pattern is the config file's `output` setting rather than `-o`: errors then say so and how to change it.
    public var fromConfig = false

    /// Reads `-o` (nil: the current directory) relative to `cwd`; `~` and a leading `~/` mean `home` (pass the run's `HOME`);
    /// `fromConfig` says the value is the config file's `output`, so that errors name it instead of `-o`.
    public init(option: String?, cwd: String, home: String = PathText.homeDirectory(), fromConfig: Bool = false) throws {
        self.fromConfig = fromConfig
        let named = fromConfig ? Self.configName : "-o"
        let given = Self.absolute(option: option ?? "", cwd: cwd, home: home)
        let absolute = given.count > 1 && given.hasSuffix("/") ? String(given.dropLast()) : given
        var info = stat()
        let exists = !given.hasSuffix("/") && stat(absolute, &info) == 0
        // A device, FIFO or socket is no place for files: `-o /dev/null` would otherwise save `/dev/null.png`.
        if exists, ![S_IFDIR, S_IFREG].contains(info.st_mode & S_IFMT) {
            throw DashScopeError.usage("\(named) \(TerminalText.line(absolute)) is neither a directory nor a regular file (a device, FIFO or socket)",
                                       hint: "-o takes a directory or a file name; only tts writes to stdout, with -o -")
        }
        if given.hasSuffix("/") || (exists && info.st_mode & S_IFMT == S_IFDIR) {
            directoryPattern = absolute
            filePattern = Self.defaultPattern
        } else {
            directoryPattern = PathText.deletingLastComponent(absolute)
            var file = PathText.lastComponent(absolute)
            if !file.contains("{ext}") && PathText.pathExtension(file).isEmpty { file += ".{ext}" }
            filePattern = file
        }
        // Only what the user wrote is read: braces in the working directory's own path are not placeholders.
        if let problem = Self.templateProblem(option ?? "", directory: directoryPattern) {
            throw DashScopeError.usage("\(named) " + problem.phrase, hint: problem.hint)
        }
    }

    /// What the config file's `output` is called in errors.
    private static let configName = "the config file's output"

    /// What is wrong with a template (`-o`, or the config file's `output`) as a phrase to follow its name, with the fix;
    /// nil when nothing is. `directory` is its directory part, where task, index and ext cannot be known yet.
    public static func templateProblem(_ template: String, directory: String) -> (phrase: String, hint: String)? {
        if let unknown = placeholders(in: template).first(where: { !placeholders.contains($0) }) {
            return ("uses an unknown placeholder {\(TerminalText.line(unknown))}",
                    "known placeholders: \(placeholders.map { "{\($0)}" }.joined(separator: " "))")
        }
        for variable in ["{task}", "{index}", "{ext}"] where directory.contains(variable) {
            return ("cannot use \(variable) in the directory part", "use it in the file name, e.g. -o out/{task}-{index}.{ext}")
        }
        return nil
    }

    /// The directory part of a template as written: all of it when it ends with `/`, else what comes before its last `/`.
    public static func directoryPart(of template: String) -> String {
        template.hasSuffix("/") ? template : PathText.deletingLastComponent(template)
    }

    /// The placeholders a template may use.
    public static let placeholders = ["date", "time", "model", "slug", "index", "ext", "task"]

    /// The `{name}` placeholders written in a pattern, in order, read as `expand` reads them: a `{` with no `}` after
    /// it, or followed by another `{` first, is plain text (`{{task}}` is a brace around `{task}`).
    static func placeholders(in pattern: String) -> [String] {
        var names: [String] = []
        var rest = pattern[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            let name = rest[rest.index(after: open)..<close]
            if name.contains("{") {
                rest = rest[rest.index(after: open)...]
                continue
            }
            names.append(String(name))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    /// Where files go, unexpanded (`/abs/dir/{date}-{time}-{slug}.{ext}`), as `--dry-run --json` shows it.
    public var template: String {
        (directoryPattern.hasSuffix("/") ? directoryPattern : directoryPattern + "/") + filePattern
    }

    /// A warning when `-o` fixes a file extension other than the one of the output's format (`-o cat.jpg` for a PNG,
    /// `-o x.png` for a video); nil when the name uses `{ext}` or the extensions agree (`jpg` and `jpeg` are one).
    public func extensionWarning(actual: String) -> String? {
        let fixed = PathText.pathExtension(filePattern).lowercased()
        guard !fixed.isEmpty, !fixed.contains("{"), !actual.isEmpty else { return nil }
        let same = { (ext: String) in ext == "jpeg" ? "jpg" : ext }
        guard same(fixed) != same(actual.lowercased()) else { return nil }
        return "-o names a .\(fixed) file but the output is .\(actual.lowercased()); it is saved under the name you gave, "
            + "with its .\(actual.lowercased()) content (use {ext} in -o to get the right extension)"
    }

    /// The absolute form of an `-o` value, as the journal records it and resume lines repeat it: `~` and a leading `~/`
    /// mean `home`, a relative path hangs from `cwd`, `.` and `..` are resolved, and a value naming a directory
    /// (a trailing `/`, `.`, `..`, `~`, or nothing) ends in `/`.
    public static func absolute(option: String, cwd: String, home: String) -> String {
        let raw = option.isEmpty ? "." : option
        let expanded = raw == "~" ? home + "/" : raw.hasPrefix("~/") ? home + raw.dropFirst(1) : raw
        var path = lexical(expanded.hasPrefix("/") ? expanded : cwd + "/" + expanded)
        let namesDirectory = expanded.hasSuffix("/") || [".", ".."].contains(PathText.lastComponent(raw))
        if namesDirectory && !path.hasSuffix("/") { path += "/" }
        return path
    }

    /// `path` with `.`, `..` and repeated slashes resolved by their text alone. Unlike `standardizingPath`, it never
    /// follows a symlink: `-o cat.png` where cat.png links elsewhere must name cat.png itself, not the link's target.
    static func lexical(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// " (the config file's output)" when the pattern came from there.
    private var origin: String { fromConfig ? " (\(Self.configName))" : "" }
    /// How to change the config file's `output`, when the pattern came from there.
    private var configFix: String { fromConfig ? ", or change the default: dashscope config set output DIR" : "" }

    /// Why no file can be created in `directory` (`strerror`), or nil when one can: found by creating and removing one.
    /// `access(2)` says yes to root for any directory (`/proc` too) and knows nothing of what a mount refuses, so a job
    /// would be billed before its first save failed.
    public static func createProblem(in directory: String) -> String? {
        let probe = directory + "/.dashscope-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        close(descriptor)
        unlink(probe)
        return nil
    }

    /// The output directory for a job.
    public func directory(_ context: NamingContext) -> String {
        Self.expand(directoryPattern, context, index: 1, ext: "")
    }

    /// Creates the output directory if needed and checks it can be written; exit 73 otherwise. Runs before any request.
    public func prepare(_ context: NamingContext) throws -> String {
        let dir = directory(context)
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw DashScopeError("cannot create the output directory \(dir)\(origin)", hint: "pick another place with -o" + configFix, exit: .cannotWrite)
        }
        if let problem = Self.createProblem(in: dir) {
            throw DashScopeError("cannot write to the output directory \(dir)\(origin): \(problem)", hint: "fix its permissions or pick another place with -o" + configFix,
                                 exit: .cannotWrite)
        }
        return dir
    }

    /// The wanted path of output `index` (1-based) of `count`; `-{index}` is added when there are several and the pattern has none.
    public func path(index: Int, count: Int, ext: String, context: NamingContext) -> String {
        var pattern = filePattern
        if count > 1 && !pattern.contains("{index}") {
            let dot = pattern.hasSuffix(".{ext}") ? pattern.index(pattern.endIndex, offsetBy: -6)
                : pattern.lastIndex(of: ".") ?? pattern.endIndex
            pattern.insert(contentsOf: "-{index}", at: dot)
        }
        let directory = directory(context)
        return (directory.hasSuffix("/") ? directory : directory + "/") + Self.expand(pattern, context, index: index, ext: ext)
    }

    /// Replaces every template variable in one pass (a value is never read as a variable), each value made one path component.
    static func expand(_ pattern: String, _ context: NamingContext, index: Int, ext: String) -> String {
        let date = ClockZone.process.format(context.date, "%Y%m%d")
        let time = ClockZone.process.format(context.date, "%H%M%S")
        let values: [Substring: String] = [
            "date": date, "time": time, "index": String(index),
            "model": component(context.model, fallback: "model"),
            "slug": component(slug(context.prompt), fallback: "output"),
            "ext": component(ext, fallback: "bin"),
            "task": component(context.task, fallback: "task"),
        ]
        var out = ""
        var rest = pattern[...]
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}"),
                  let value = values[rest[rest.index(after: open)..<close]] else {
                out.append("{")
                rest = rest[rest.index(after: open)...]
                continue
            }
            out += value
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// The longest placeholder value, in UTF-8 bytes (file names may have 255).
    public static let maxComponentBytes = 100

    /// `value` made safe as (part of) one path component: `/`, backslash, NUL and control characters become `_`, a value of
    /// only dots (`.`, `..`) becomes underscores, it is cut to `maxComponentBytes` bytes, and an empty value is `fallback`.
    public static func component(_ value: String, fallback: String) -> String {
        var out = ""
        var bytes = 0
        for character in value {
            let unsafe = character.unicodeScalars.contains { $0 == "/" || $0 == "\\" || TerminalText.isControl($0) }
            let piece = unsafe ? "_" : String(character)
            bytes += piece.utf8.count
            guard bytes <= maxComponentBytes else { break }
            out += piece
        }
        if out.allSatisfy({ $0 == "." }) { out = String(repeating: "_", count: out.count) }
        return out.isEmpty ? fallback : out
    }

    /// A file-name-safe short form of a prompt: letters and digits of any script, other runs become `-`, at most 32
    /// characters, cut at a word boundary where one leaves at least 12 (`a-red-fox-in` rather than `a-red-fox-in-the-sn`).
    public static func slug(_ prompt: String) -> String {
        let limit = 32
        var words: [String] = []
        var word = ""
        for ch in prompt.prefix(limit * 8).lowercased() {
            if ch.isLetter || ch.isNumber {
                word.append(ch)
            } else if !word.isEmpty {
                words.append(word)
                word = ""
            }
        }
        if !word.isEmpty { words.append(word) }
        let full = words.joined(separator: "-")
        guard full.count > limit else { return full.isEmpty ? "output" : full }
        var cut = String(full.prefix(limit))
        let next = full[full.index(full.startIndex, offsetBy: limit)]
        if next != "-", let dash = cut.lastIndex(of: "-"), cut.distance(from: cut.startIndex, to: dash) >= 12 {
            cut = String(cut[..<dash])
        }
        while cut.hasSuffix("-") { cut.removeLast() }
        return cut
    }

    /// `path` if free, else the first free `name-2.ext`, `name-3.ext`, ...
    public static func freePath(_ path: String, attempt: Int) -> String {
        guard attempt > 1 else { return path }
        let ext = PathText.pathExtension(path)
        let stem = ext.isEmpty ? path : PathText.deletingPathExtension(path)
        return stem + "-\(attempt)" + (ext.isEmpty ? "" : "." + ext)
    }

    /// `path` relative to `cwd` when it lies below it, else unchanged: printed paths read like the `-o` the user typed.
    public static func display(_ path: String, cwd: String) -> String {
        let base = cwd.hasSuffix("/") ? cwd : cwd + "/"
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
    }

    /// The extension of a result URL when it names a known media type, else `fallback`.
    public static func fileExtension(of url: String, fallback: String) -> String {
        let ext = (URL(string: url)?.pathExtension ?? "").lowercased()
        return ["png", "jpg", "jpeg", "webp", "bmp", "mp4", "mov", "wav", "mp3", "pcm"].contains(ext) ? ext : fallback
    }
}
