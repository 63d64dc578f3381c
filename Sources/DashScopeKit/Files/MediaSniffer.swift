/// Recognises a file's format from its first bytes (never from its name), and names formats for people and the wire.
public enum MediaSniffer {
    /// How many leading bytes `format(of:)` and `describe(_:)` look at.
    public static let headLength = 64

    /// The format the bytes start like, or nil when none of the known ones.
    public static func format(of head: [UInt8]) -> MediaFormat? {
        signatures.first(where: { $0.matches(head) })?.format
    }

    /// What unrecognised bytes look like, for the error message: "it starts like text", "it is empty", ...
    public static func describe(_ head: [UInt8]) -> String {
        if head.isEmpty { return "it is empty" }
        if isStillImageContainer(head) { return "it is a HEIF/AVIF image, which the service does not take" }
        if head.starts(with: [0x25, 0x50, 0x44, 0x46]) { return "it starts like a PDF" }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "it starts like a ZIP archive" }
        if looksLikeText(head) { return "it starts like text" }
        let shown = head.prefix(4).map { byte in "0x" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true) }
        return "it starts with the bytes \(shown.joined(separator: " "))"
    }

    /// Whether the bytes read as text: printable ASCII, whitespace, or UTF-8 sequences, with no NUL.
    public static func looksLikeText(_ head: [UInt8]) -> Bool {
        guard !head.isEmpty else { return false }
        var body = head[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        return body.allSatisfy { byte in byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C || (byte >= 0x20 && byte != 0x7F) }
    }

    /// Whether the bytes are an ISO base media file holding still images (HEIC, AVIF), not a video.
    static func isStillImageContainer(_ head: [UInt8]) -> Bool {
        head.count >= 12 && Array(head[4..<8]) == ascii("ftyp") && stillImageBrands.contains(Array(head[8..<12]))
    }

    private static let stillImageBrands = ["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", "avif", "avis"].map(ascii)

    // MARK: Signatures

    /// One recognisable start of file: bytes expected at offsets, or a custom test.
    private struct Signature: Sendable {
        var format: MediaFormat
        var test: @Sendable ([UInt8]) -> Bool

        init(_ format: MediaFormat, _ parts: [(Int, [UInt8])]) {
            self.format = format
            self.test = { head in parts.allSatisfy { offset, bytes in Self.has(head, bytes, at: offset) } }
        }

        init(_ format: MediaFormat, test: @escaping @Sendable ([UInt8]) -> Bool) {
            self.format = format
            self.test = test
        }

        func matches(_ head: [UInt8]) -> Bool { test(head) }

        static func has(_ head: [UInt8], _ bytes: [UInt8], at offset: Int) -> Bool {
            head.count >= offset + bytes.count && Array(head[offset..<offset + bytes.count]) == bytes
        }
    }

    private static func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// The QuickTime brand of an `ftyp` box; every other brand is ISO base media (MP4 and its cousins).
    private static let quickTimeBrand = ascii("qt  ")
    /// Top-level atoms an old QuickTime file may start with instead of `ftyp`.
    private static let quickTimeAtoms = ["moov", "mdat", "wide", "free", "skip", "pnot"].map(ascii)

    /// Ordered: JPEG before the MP3 frame sync, which would also match `FF D8`'s neighbours.
    private static let signatures: [Signature] = [
        Signature(.jpeg, [(0, [0xFF, 0xD8, 0xFF])]),
        Signature(.png, [(0, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])]),
        Signature(.gif, [(0, ascii("GIF87a"))]),
        Signature(.gif, [(0, ascii("GIF89a"))]),
        Signature(.webp, [(0, ascii("RIFF")), (8, ascii("WEBP"))]),
        Signature(.wav, [(0, ascii("RIFF")), (8, ascii("WAVE"))]),
        Signature(.tiff, [(0, [0x49, 0x49, 0x2A, 0x00])]),
        Signature(.tiff, [(0, [0x4D, 0x4D, 0x00, 0x2A])]),
        Signature(.bmp, test: { head in
            // "BM", then a DIB header size of one of the known header versions at offset 14.
            guard Signature.has(head, ascii("BM"), at: 0), head.count >= 18 else { return false }
            let size = Int(head[14]) | Int(head[15]) << 8 | Int(head[16]) << 16 | Int(head[17]) << 24
            return [12, 16, 40, 52, 56, 64, 108, 124].contains(size)
        }),
        Signature(.mov, [(4, ascii("ftyp")), (8, quickTimeBrand)]),
        Signature(.mp4, test: { head in Signature.has(head, ascii("ftyp"), at: 4) && !isStillImageContainer(head) }),
        Signature(.mov, test: { head in quickTimeAtoms.contains { Signature.has(head, $0, at: 4) } }),
        Signature(.mp3, [(0, ascii("ID3"))]),
        Signature(.mp3, test: { head in
            // An MPEG audio frame header: 11 sync bits, a version that is not "reserved", a layer that is not "reserved".
            guard head.count >= 2, head[0] == 0xFF, head[1] & 0xE0 == 0xE0 else { return false }
            return (head[1] >> 3) & 0x03 != 0x01 && (head[1] >> 1) & 0x03 != 0x00
        }),
    ]
}

extension MediaFormat {
    /// The MIME type used in data URLs and upload forms.
    public var mime: String {
        switch self {
        case .jpeg: return "image/jpeg"
        case .png: return "image/png"
        case .bmp: return "image/bmp"
        case .webp: return "image/webp"
        case .tiff: return "image/tiff"
        case .gif: return "image/gif"
        case .mp4: return "video/mp4"
        case .mov: return "video/quicktime"
        case .wav: return "audio/wav"
        case .mp3: return "audio/mpeg"
        }
    }

    /// The name people know it by, e.g. `JPEG`.
    public var label: String { rawValue.uppercased() }

    /// What kind of medium the format holds.
    public var kind: MediaKind {
        switch self {
        case .jpeg, .png, .bmp, .webp, .tiff, .gif: return .image
        case .mp4, .mov: return .video
        case .wav, .mp3: return .audio
        }
    }

    /// The format a data URL's MIME type names (a few common aliases included), or nil.
    public static func fromMIME(_ mime: String) -> MediaFormat? {
        let lower = mime.lowercased()
        return MediaFormat.allCases.first(where: { $0.mime == lower }) ?? mimeAliases[lower]
    }

    private static let mimeAliases: [String: MediaFormat] = [
        "image/jpg": .jpeg, "image/pjpeg": .jpeg, "image/x-ms-bmp": .bmp, "image/x-bmp": .bmp, "audio/x-wav": .wav,
        "audio/wave": .wav, "audio/vnd.wave": .wav, "audio/mp3": .mp3, "video/mov": .mov,
    ]
}
