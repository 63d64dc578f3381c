import Foundation

/// The URLs a command's media inputs became, in order, and whether the model call must ask the service to resolve `oss://` URLs.
public struct ResolvedMedia: Sendable, Equatable {
    /// One URL per input: `data:`, `http(s)://` or `oss://`.
    public var urls: [String]
    /// Whether any URL is `oss://` (send `X-DashScope-OssResourceResolve: enable`).
    public var needsOssResolve: Bool

    /// Creates a result; `needsOssResolve` follows from the URLs.
    public init(urls: [String]) {
        self.urls = urls
        self.needsOssResolve = urls.contains { $0.hasPrefix("oss://") }
    }
}

/// The one entry point of commands for media options: `prepare` checks every value locally (nothing is sent),
/// `resolve` turns them into URLs (data URLs, or temporary uploads), `dryRun` shows what would be sent without
/// reading megabytes or uploading.
public enum MediaInputs {
    /// Parses and checks the values of one option against the model's limits: the count (64), each local file's
    /// existence (66), format, byte size and pixel size (65), each data URL's type and bytes (64/65). Paths are
    /// relative to `cwd`; `~/` is `home`. With nil `limits`, only the kind of file the role takes is checked.
    public static func prepare(values: [String], role: MediaRole, limits: InputLimits?, model: String,
                               cwd: String, home: String) throws -> [MediaInput] {
        if let limits { try checkCount(values.count, role: role, limits: limits, model: model) }
        return try values.map { value in
            let shown = TerminalText.line(value)
            switch try MediaReference.parse(value, role: role, cwd: cwd, home: home) {
            case let .path(path):
                let media = try MediaInspector.inspect(path: path, shown: shown, role: role)
                if let limits { try MediaInspector.check(media, shown: shown, against: limits, model: model) }
                return MediaInput(value: value, role: role, source: .local(media))
            case let .data(url):
                guard role.kind == .image else {
                    throw DashScopeError.usage("\(role.option) does not take data: URLs: \(role.kind.rawValue) files are uploaded, never sent inline",
                                               hint: "give the file's path (it is uploaded to DashScope's temporary store), or an http(s):// or oss:// URL")
                }
                let (format, byteCount) = try DataURL.check(url, role: role)
                let label = "the data URL of \(role.option)"
                if let limits {
                    guard limits.formats.contains(format) else {
                        throw DashScopeError("\(label) holds a \(format.label) \(format.kind.rawValue); \(model) takes "
                                             + MediaInspector.list(limits.formats.map(\.label)),
                                             hint: "convert it to \(limits.formats.first?.label ?? "another format") first", exit: .badInput)
                    }
                    try MediaInspector.check(LocalMedia(path: "", format: format, byteCount: byteCount,
                                                        dimensions: DataURL.dimensions(url, format: format)),
                                             shown: label, against: limits, model: model)
                }
                return MediaInput(value: value, role: role, source: .data(url, format: format))
            case let .web(url):
                return MediaInput(value: value, role: role, source: .web(url))
            case let .oss(url):
                return MediaInput(value: value, role: role, source: .oss(url))
            }
        }
    }

    /// Throws 64 unless `count` values of the role are within the model's range.
    public static func checkCount(_ count: Int, role: MediaRole, limits: InputLimits, model: String) throws {
        let range = limits.count
        guard !range.contains(count) else { return }
        let takes = range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
        let noun = range.upperBound == 1 ? role.kind.rawValue : role.kind.rawValue + (role.kind == .audio ? " files" : "s")
        let given = count == 0 ? "none was given" : count == 1 ? "1 was given" : "\(count) were given"
        throw DashScopeError.usage("\(model) takes \(takes) \(noun) (\(role.option)); \(given)",
                                   hint: count < range.lowerBound ? "add \(role.option) PATH or URL" : "pass at most \(range.upperBound) \(role.option) values")
    }

    /// The URLs to send, in the order of `inputs` (pass every input of one call together: one upload policy serves them
    /// all). Local images become data URLs unless `upload`; local videos and audio are always uploaded; remote values
    /// pass unchanged. Throws the upload's errors, or 66 when a file can no longer be read.
    public static func resolve(_ inputs: [MediaInput], upload: Bool, model: String, uploads: UploadsAPI?,
                               deadline: Date?) async throws -> ResolvedMedia {
        let toUpload = inputs.indices.compactMap { index -> (Int, UploadFile)? in
            guard case let .local(media) = inputs[index].source, inputs[index].needsUpload(upload) else { return nil }
            return (index, UploadFile(path: media.path, name: media.fileName, contentType: media.format.mime))
        }
        var urls = [String](repeating: "", count: inputs.count)
        if !toUpload.isEmpty {
            guard let uploads else {
                throw DashScopeError.usage("local files cannot be uploaded here", hint: "pass http(s):// URLs instead")
            }
            let uploaded = try await uploads.upload(toUpload.map(\.1), model: model, deadline: deadline)
            for ((index, _), url) in zip(toUpload, uploaded) { urls[index] = url }
        }
        for (index, input) in inputs.enumerated() {
            switch input.source {
            case let .local(media):
                guard !input.needsUpload(upload) else { continue }
                urls[index] = try DataURL.encode(path: media.path, format: media.format, shown: input.shown, expectedBytes: media.byteCount)
            case let .web(url), let .oss(url), let .data(url, _):
                urls[index] = url
            }
        }
        return ResolvedMedia(urls: urls)
    }

    /// What `resolve` would give, for `--dry-run`: local files shown as placeholders, nothing read or uploaded.
    public static func dryRun(_ inputs: [MediaInput], upload: Bool) -> ResolvedMedia {
        var resolved = ResolvedMedia(urls: inputs.map { $0.dryRunURL(upload: upload) })
        resolved.needsOssResolve = inputs.contains { input in
            switch input.source {
            case .oss: return true
            case .local: return input.needsUpload(upload)
            case .web, .data: return false
            }
        }
        return resolved
    }
}

extension MediaInput {
    /// The pixel size, when the input is a local image or a data URL of one (remote URLs are not fetched).
    public var dimensions: ImageSize? {
        switch source {
        case let .local(media): return media.dimensions
        case let .data(url, format): return DataURL.dimensions(url, format: format)
        case .web, .oss: return nil
        }
    }

    /// Whether resolving this input uploads it: a local file given `--upload`, or any local video or audio.
    public func needsUpload(_ upload: Bool) -> Bool {
        guard case .local = source else { return false }
        return upload || role.kind != .image
    }

    /// The URL as `--dry-run` shows it: `data:image/png;base64,…(cat.png, 1.2 MB)`, `oss://<upload of cat.png>`,
    /// a given data URL cut short, or the given URL.
    public func dryRunURL(upload: Bool) -> String {
        switch source {
        case let .local(media):
            if needsUpload(upload) { return "oss://<upload of \(TerminalText.line(media.fileName))>" }
            return DataURL.placeholder(format: media.format, name: media.fileName, byteCount: media.byteCount)
        case let .data(url, format):
            guard url.utf8.count > 120, let comma = url.firstIndex(of: ",") else { return url }
            let payload = url.utf8.count - url.utf8.distance(from: url.utf8.startIndex, to: comma) - 1
            return "data:\(format.mime);base64,…(\(MediaInspector.megabytes(payload / 4 * 3)))"
        case let .web(url), let .oss(url):
            return url
        }
    }
}
