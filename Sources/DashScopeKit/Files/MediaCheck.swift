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

/// A local file measured from its own bytes: format by magic bytes, size, and for images the pixel size of the header.
public struct LocalMedia: Sendable, Equatable {
    /// The absolute path.
    public var path: String
    /// The format its first bytes show.
    public var format: MediaFormat
    /// Its size in bytes.
    public var byteCount: Int
    /// The pixel size its header declares (images only).
    public var dimensions: ImageSize?
    /// How long it plays, in seconds, where its header says (WAV, MP4, MOV).
    public var duration: Double?

    /// Creates a measured file.
    public init(path: String, format: MediaFormat, byteCount: Int, dimensions: ImageSize?, duration: Double? = nil) {
        self.path = path
        self.format = format
        self.byteCount = byteCount
        self.dimensions = dimensions
        self.duration = duration
    }

    /// The last component of the path.
    public var fileName: String { PathText.lastComponent(path) }
}

/// Opens and measures local media files and checks them against a model's limits, before anything is sent.
public enum MediaInspector {
    /// Measures the file at `path` (absolute); `shown` names it in messages. Throws 66 when it is missing, unreadable
    /// or not a regular file, 65 when its bytes are not a readable file of the kind `role` takes.
    public static func inspect(path: String, shown: String, role: MediaRole) throws -> LocalMedia {
        // O_NONBLOCK: opening a FIFO named like a picture must not wait for a writer.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw openError(errno, path: path, shown: shown) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw openError(errno, path: path, shown: shown) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw DashScopeError("\(shown) is a directory, not a file", hint: "give the path of a file inside it", exit: .noInput)
        default: throw DashScopeError("\(shown) is not a regular file", hint: "give the path of an image or media file", exit: .noInput)
        }
        let byteCount = Int(info.st_size)
        let source = FileBytes(descriptor: descriptor)
        let head = source.bytes(at: 0, count: MediaSniffer.headLength)
        guard byteCount > 0, !head.isEmpty else {
            throw DashScopeError("\(shown) is empty", hint: "give a file with content", exit: .badInput)
        }
        let expected = role.formats.map(\.label).joined(separator: ", ")
        guard let format = MediaSniffer.format(of: head) else {
            throw DashScopeError("\(shown) is not \(article(role.kind)) (\(MediaSniffer.describe(head)))",
                                 hint: "\(role.option) takes \(expected) files; the format is read from the content, not the name",
                                 exit: .badInput)
        }
        guard format.kind == role.kind else {
            throw DashScopeError("\(shown) is \(article(format.kind)) (\(format.label)), not \(article(role.kind))",
                                 hint: "\(role.option) takes \(expected) files", exit: .badInput)
        }
        var dimensions: ImageSize?
        if format.kind == .image {
            guard let size = ImageHeader.dimensions(of: format, in: source) else {
                throw DashScopeError("\(shown) looks like a \(format.label) image but its header holds no usable size",
                                     hint: "the file may be truncated or damaged: open and save it again", exit: .badInput)
            }
            dimensions = size
        }
        return LocalMedia(path: path, format: format, byteCount: byteCount, dimensions: dimensions,
                          duration: MediaDuration.seconds(of: format, in: source, byteCount: byteCount))
    }

    /// Throws 65 when the file breaks one of the model's limits: format, byte size, side length, or playing time.
    public static func check(_ media: LocalMedia, shown: String, against limits: InputLimits, model: String) throws {
        guard limits.formats.contains(media.format) else {
            let labels = limits.formats.map(\.label)
            throw DashScopeError("\(shown) is a \(media.format.label) \(media.format.kind.rawValue); \(model) takes \(list(labels))",
                                 hint: "convert it to \(labels.first ?? "another format") first", exit: .badInput)
        }
        try checkBytes(media.byteCount, shown: shown, against: limits, model: model)
        if let sides = limits.sides, let size = media.dimensions,
           !sides.contains(size.width) || !sides.contains(size.height) {
            let range = sides.upperBound == Int.max ? "of at least \(sides.lowerBound)" : "of \(sides.lowerBound) to \(sides.upperBound)"
            let fix = sides.upperBound == Int.max ? "at least \(sides.lowerBound)" : "between \(sides.lowerBound) and \(sides.upperBound)"
            throw DashScopeError("\(shown) is \(size.width)x\(size.height) px; \(model) takes sides \(range) px",
                                 hint: "resize it so both sides are \(fix) px", exit: .badInput)
        }
        if let ratio = limits.maxAspectRatio, let size = media.dimensions, size.width > 0, size.height > 0,
           max(size.width, size.height) > ratio * min(size.width, size.height) {
            throw DashScopeError("\(shown) is \(size.width)x\(size.height) px; \(model) takes images at most \(ratio) times as long as they are wide",
                                 hint: "crop it or pad it to a ratio of at most \(ratio):1", exit: .badInput)
        }
        // Containers round and pad (audio priming makes a 30 s phone clip 30.02 s): within half a second of a limit,
        // the service judges.
        if let durations = limits.durations, let duration = media.duration,
           duration < durations.lowerBound - 0.5 || duration > durations.upperBound + 0.5 {
            let range = "\(seconds(durations.lowerBound)) to \(seconds(durations.upperBound)) s"
            let noun = media.format.kind == .audio ? "audio" : "videos"
            throw DashScopeError("\(shown) plays for \(seconds(duration)) s; \(model) takes \(noun) of \(range)",
                                 hint: duration < durations.lowerBound ? "give a longer one (at least \(seconds(durations.lowerBound)) s)"
                                     : "trim it to at most \(seconds(durations.upperBound)) s", exit: .badInput)
        }
    }

    /// Seconds for people, to the hundredth: `30`, `2.5`, `30.61`.
    private static func seconds(_ value: Double) -> String {
        var text = value.fixed(places: 2)
        while text.hasSuffix("0") { text.removeLast() }
        return text.hasSuffix(".") ? String(text.dropLast()) : text
    }

    /// Throws 65 when `byteCount` is over the model's limit.
    public static func checkBytes(_ byteCount: Int, shown: String, against limits: InputLimits, model: String) throws {
        guard byteCount > limits.maxBytes else { return }
        var (size, limit) = (megabytes(byteCount), megabytes(limits.maxBytes))
        if size == limit { (size, limit) = ("\(byteCount) bytes", "\(limits.maxBytes) bytes") }
        throw DashScopeError("\(shown) is \(size); \(model) takes files of at most \(limit)",
                             hint: "make it smaller (a lower resolution or stronger compression), or pass a URL to a smaller copy",
                             exit: .badInput)
    }

    /// Throws 65 unless a mask has exactly the size of the image it masks.
    public static func checkMask(_ mask: MediaInput, base: MediaInput) throws {
        guard let maskSize = mask.dimensions, let baseSize = base.dimensions, maskSize != baseSize else { return }
        throw DashScopeError("the mask \(mask.shown) is \(maskSize.width)x\(maskSize.height) px but the image \(base.shown) is "
                             + "\(baseSize.width)x\(baseSize.height) px",
                             hint: "a mask must have the same size as the image it masks: resize it to \(baseSize.width)x\(baseSize.height)",
                             exit: .badInput)
    }

    /// A byte count for people: `850 KB`, `1.2 MB`, `10 MB`.
    public static func megabytes(_ bytes: Int) -> String {
        let mb = Double(bytes) / 1_048_576
        if mb < 1 { return "\(max(1, Int((Double(bytes) / 1024).rounded()))) KB" }
        if mb >= 100 { return "\(Int(mb.rounded())) MB" }
        let text = mb.fixed(places: 1)
        return (text.hasSuffix(".0") ? String(text.dropLast(2)) : text) + " MB"
    }

    // MARK: Helpers

    private static func openError(_ code: Int32, path: String, shown: String) -> DashScopeError {
        switch code {
        case ENOENT, ENOTDIR:
            return DashScopeError("\(shown) does not exist", hint: "check the path (looked for \(TerminalText.line(path)))", exit: .noInput)
        case EACCES, EPERM:
            return DashScopeError("cannot read \(shown): permission denied", hint: "check the file's permissions", exit: .noInput)
        default:
            return DashScopeError("cannot read \(shown): \(String(cString: strerror(code)))", exit: .noInput)
        }
    }

    private static func article(_ kind: MediaKind) -> String {
        switch kind {
        case .image: return "an image"
        case .video: return "a video"
        case .audio: return "an audio file"
        case .text: return "a text"
        }
    }

    /// `A, B or C`.
    static func list(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " or " + items.last!
    }
}
