/// Reads how long a sound or a movie plays from its own header (no media library): WAV from its `fmt ` byte rate and
/// `data` size, MP4 and MOV from the `mvhd` box inside `moov` (wherever `moov` lies, start or end). MP3 has no such
/// header (its length is only known by walking every frame), so it gives nil, as do a fragmented movie (`mvhd` says 0)
/// and anything damaged: a length that cannot be read is left for the service to judge, never guessed.
public enum MediaDuration {
    /// The playing time in seconds of a file of `format`, `byteCount` bytes long, or nil when it cannot be read.
    public static func seconds(of format: MediaFormat, in source: some ByteSource, byteCount: Int) -> Double? {
        switch format {
        case .wav: return wav(source, byteCount: byteCount)
        case .mp4, .mov: return movie(source, byteCount: byteCount)
        default: return nil
        }
    }

    /// The most boxes or chunks looked at before giving up (a real file needs a handful).
    private static let maxSteps = 64

    /// `data` bytes divided by the `fmt ` byte rate; a `data` size of 0 or past the file's end (a WAV written as a
    /// stream, its sizes never filled in) counts to the end.
    private static func wav(_ source: some ByteSource, byteCount: Int) -> Double? {
        var offset = 12
        var byteRate: UInt64?
        for _ in 0..<maxSteps {
            let head = source.bytes(at: offset, count: 20)
            guard head.count >= 8 else { return nil }
            let size = Int(head.littleEndian(at: 4, width: 4))
            switch String(decoding: head[0..<4], as: UTF8.self) {
            case "fmt ":
                guard head.count >= 20 else { return nil }
                byteRate = head.littleEndian(at: 16, width: 4)
            case "data":
                let available = byteCount - offset - 8
                guard let byteRate, byteRate > 0, available >= 0 else { return nil }
                return Double(size == 0 || size > available ? available : size) / Double(byteRate)
            default: break
            }
            offset += 8 + size + (size & 1)
        }
        return nil
    }

    /// `mvhd`'s duration divided by its time scale.
    private static func movie(_ source: some ByteSource, byteCount: Int) -> Double? {
        guard let moov = box("moov", in: source, from: 0, to: byteCount),
              let mvhd = box("mvhd", in: source, from: moov.lowerBound + 8, to: moov.upperBound) else { return nil }
        // Only the box's own bytes count: a short `mvhd` must not read the box after it.
        let body = Array(source.bytes(at: mvhd.lowerBound + 8, count: 32).prefix(mvhd.count - 8))
        guard let version = body.first, version <= 1 else { return nil }
        let (scaleAt, width) = version == 1 ? (20, 8) : (12, 4)
        guard body.count >= scaleAt + 4 + width else { return nil }
        let scale = body.bigEndian(at: scaleAt, width: 4)
        let duration = body.bigEndian(at: scaleAt + 4, width: width)
        // 0 is what a fragmented movie (its length in the fragments) writes; all ones means unknown.
        guard scale > 0, duration > 0, duration != (width == 4 ? UInt64(UInt32.max) : UInt64.max) else { return nil }
        return Double(duration) / Double(scale)
    }

    /// Where the first box of `type` lies (header included) among the boxes from `start` to `end`.
    private static func box(_ type: String, in source: some ByteSource, from start: Int, to end: Int) -> Range<Int>? {
        var offset = start
        for _ in 0..<maxSteps where offset + 8 <= end {
            let head = source.bytes(at: offset, count: 16)
            guard head.count >= 8 else { return nil }
            var size = Int(head.bigEndian(at: 0, width: 4))
            if size == 1 {
                guard head.count >= 16, let large = Int(exactly: head.bigEndian(at: 8, width: 8)) else { return nil }
                size = large
            } else if size == 0 {
                size = end - offset
            }
            guard size >= 8, size <= end - offset else { return nil }
            if String(decoding: head[4..<8], as: UTF8.self) == type { return offset..<(offset + size) }
            offset += size
        }
        return nil
    }

}
