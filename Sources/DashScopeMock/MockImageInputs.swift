#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Judges the image URLs of one request the way the service does: `http(s)://`, a base64 `data:image/...` URL holding
/// a real image, or an `oss://` file this mock stored, resolved only when the request asked for it.
struct ImageURLCheck: Sendable {
    /// Whether the request carried `X-DashScope-OssResourceResolve: enable`.
    let resolvesOSS: Bool
    /// The model an uploaded object's policy was issued for, by object key; nil when no such object was stored.
    let uploadModel: @Sendable (String) -> String?

    /// Throws the service's 400 unless `value` is an image URL the model `model` can read; `field` names it.
    func check(_ value: Any?, field: String, model: String) throws(ServiceError) {
        guard let value else {
            throw .invalidParameter("Missing required field: \(field).")
        }
        guard let url = value as? String else {
            throw .invalidParameter("Field \(field) must be a string holding an image URL.")
        }
        let lowered = url.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
            guard url.count > (lowered.hasPrefix("https") ? 8 : 7) else {
                throw .invalidParameter("Field \(field) is not a valid URL: \(Self.shown(url)).")
            }
            return
        }
        if lowered.hasPrefix("data:") {
            try DataImageURL.check(url, field: field)
            return
        }
        if lowered.hasPrefix("oss://") {
            try checkOSS(url, field: field, model: model)
            return
        }
        throw .invalidParameter(
            "Field \(field) cannot be accessed: \(Self.shown(url)) is not an http(s)://, oss:// or data: URL."
        )
    }

    private func checkOSS(_ url: String, field: String, model: String) throws(ServiceError) {
        guard resolvesOSS else {
            throw .invalidParameter(
                "The url \(Self.shown(url)) of \(field) cannot be resolved: oss:// urls need the header "
                    + "X-DashScope-OssResourceResolve: enable."
            )
        }
        let key = String(url.dropFirst("oss://".count))
        guard let owner = uploadModel(key) else {
            throw .invalidParameter(
                "The url \(Self.shown(url)) of \(field) cannot be accessed: no file was uploaded under that key."
            )
        }
        guard owner == model else {
            throw .invalidParameter(
                "The url \(Self.shown(url)) of \(field) cannot be accessed by model \(model): "
                    + "it was uploaded for model \(owner)."
            )
        }
    }

    /// A URL quoted in a message, cut short so a megabyte data URL does not fill the answer.
    static func shown(_ url: String) -> String {
        url.count <= 80 ? "\"\(url)\"" : "\"\(url.prefix(60))...\" (\(url.utf8.count) bytes)"
    }
}

/// The image formats the service reads, known by their first bytes.
enum ImageMagic: String, CaseIterable {
    case jpeg, png, bmp, webp, tiff, gif

    /// The subtypes a `data:image/<subtype>` URL may name for this format.
    var subtypes: Set<String> {
        switch self {
        case .jpeg: ["jpeg", "jpg", "pjpeg"]
        case .png: ["png"]
        case .bmp: ["bmp", "x-ms-bmp", "x-bmp"]
        case .webp: ["webp"]
        case .tiff: ["tiff", "tif"]
        case .gif: ["gif"]
        }
    }

    /// The format whose signature starts `bytes`, or nil.
    init?(bytes: [UInt8]) {
        func starts(_ signature: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + signature.count && Array(bytes[offset..<offset + signature.count]) == signature
        }
        let found: ImageMagic? = if starts([0xFF, 0xD8, 0xFF]) {
            .jpeg
        } else if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            .png
        } else if starts(Array("BM".utf8)) {
            .bmp
        } else if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) {
            .webp
        } else if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) {
            .tiff
        } else if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) {
            .gif
        } else {
            nil
        }
        guard let found else {
            return nil
        }
        self = found
    }
}

/// Checks of `data:image/<subtype>;base64,<payload>` URLs, reading the payload without decoding all of it.
enum DataImageURL {
    /// Throws the service's 400 unless `url` is a base64 data URL whose bytes are an image of the named type.
    static func check(_ url: String, field: String) throws(ServiceError) {
        let utf8 = url.utf8
        guard let comma = utf8.firstIndex(of: UInt8(ascii: ",")) else {
            throw .invalidParameter("Field \(field) is not a valid data URL: it has no comma before the data.")
        }
        let header = String(decoding: utf8[..<comma], as: UTF8.self).lowercased()
        let payload = utf8[utf8.index(after: comma)...]
        let pieces = header.dropFirst("data:".count).split(separator: ";").map(String.init)
        guard pieces.last == "base64", let mime = pieces.first, mime.hasPrefix("image/") else {
            throw .invalidParameter(
                "Field \(field) must be a data URL of the form data:image/<type>;base64,<data>, "
                    + "not \(ValueText.short(header))."
            )
        }
        guard isBase64(payload) else {
            throw .invalidParameter("Field \(field) holds data that is not valid base64.")
        }
        let head = Data(base64Encoded: String(decoding: payload.prefix(64), as: UTF8.self)).map { [UInt8]($0) } ?? []
        guard let format = ImageMagic(bytes: head) else {
            throw .invalidParameter("Field \(field) holds data that is not an image (JPEG, PNG, BMP, WEBP, TIFF, GIF).")
        }
        let subtype = String(mime.dropFirst("image/".count))
        guard format.subtypes.contains(subtype) else {
            throw .invalidParameter(
                "Field \(field) says image/\(subtype) but holds \(format.rawValue.uppercased()) data."
            )
        }
    }

    /// Whether `bytes` are non-empty standard base64: the alphabet, a length divisible by 4, `=` only at the end.
    static func isBase64(_ bytes: Substring.UTF8View) -> Bool {
        var count = 0
        var padding = 0
        for byte in bytes {
            count += 1
            if byte == UInt8(ascii: "=") {
                padding += 1
            } else if padding > 0 || !alphabet[Int(byte)] {
                return false
            }
        }
        return count > 0 && count % 4 == 0 && padding <= 2
    }

    /// Which byte values are base64 digits, looked up rather than compared so megabytes are checked quickly.
    private static let alphabet: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8 {
            table[Int(byte)] = true
        }
        return table
    }()
}

/// Short renderings of request values for error messages.
enum ValueText {
    /// `text` quoted, cut to 40 characters.
    static func short(_ text: String) -> String {
        text.count <= 40 ? "\"\(text)\"" : "\"\(text.prefix(40))...\""
    }
}
