import Foundation

/// The kinds of result file the mock serves under `/files/{id}/{index}.{ext}`, each the same bytes on every call.
enum MediaFormat: String, CaseIterable, Sendable {
    case png
    case mp4
    case wav

    /// The Content-Type of the answer.
    var contentType: String {
        switch self {
        case .png: "image/png"
        case .mp4: "video/mp4"
        case .wav: "audio/wav"
        }
    }

    /// The file for result `index` of `id`.
    func file(id: String, index: Int) -> Data {
        switch self {
        case .png: PNG.picture(id: id, index: index)
        case .mp4: MP4.movie(id: id, index: index)
        case .wav: WAV.speech(id: id, index: index)
        }
    }
}

/// Small structurally valid MP4 files: `ftyp`, a `moov` holding only the movie header (5 s, no tracks), and `mdat`.
enum MP4 {
    /// Bytes of deterministic payload in `mdat`.
    static let payloadSize = 32 * 1024

    /// The movie for result `index` of `id`.
    static func movie(id: String, index: Int) -> Data {
        var ftyp: [UInt8] = Array("isom".utf8)
        ftyp.appendBigEndian(0x200)
        ftyp += Array("isomiso2mp41".utf8)
        var header: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        header.appendBigEndian(1000)
        header.appendBigEndian(5000)
        header.appendBigEndian(0x0001_0000)
        header += [1, 0] + [UInt8](repeating: 0, count: 10)
        for value: UInt32 in [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] {
            header.appendBigEndian(value)
        }
        header += [UInt8](repeating: 0, count: 24)
        header.appendBigEndian(1)
        var file = box("ftyp", ftyp) + box("moov", box("mvhd", header))
        file += box("mdat", noise(seed: PNG.fnv1a(Array("\(id)/\(index).mp4".utf8)), count: payloadSize))
        return Data(file)
    }

    private static func box(_ type: String, _ content: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendBigEndian(UInt32(8 + content.count))
        return bytes + Array(type.utf8) + content
    }

    private static func noise(seed: UInt64, count: Int) -> [UInt8] {
        var state = seed | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }
}

/// Small WAV files as the speech routes deliver them: 24 kHz, 16-bit mono PCM, half a second of a quiet triangle wave.
enum WAV {
    /// Samples per second.
    static let sampleRate = 24_000
    /// Samples in each file.
    static let sampleCount = 12_000

    /// The audio for result `index` of `id`: for a speech answer's id, the audio of its text (`SpeechAudio`).
    static func speech(id: String, index: Int) -> Data {
        if let pcm = SpeechAudio.pcm(fileID: id) {
            return Data(header(dataBytes: pcm.count) + pcm)
        }
        let period = 40 + Int(PNG.fnv1a(Array("\(id)/\(index).wav".utf8)) % 80)
        var pcm: [UInt8] = []
        pcm.reserveCapacity(2 * sampleCount)
        for sample in 0..<sampleCount {
            let phase = sample % period
            let rising = phase < period / 2 ? phase : period - phase
            let value = Int16(rising * 8000 / (period / 2) - 4000)
            pcm += [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)]
        }
        return Data(header(dataBytes: pcm.count) + pcm)
    }

    /// The 44-byte RIFF/WAVE header in front of `dataBytes` bytes of 24 kHz 16-bit mono PCM.
    static func header(dataBytes: Int) -> [UInt8] {
        var bytes: [UInt8] = Array("RIFF".utf8)
        bytes.appendLittleEndian(UInt32(36 + dataBytes), width: 4)
        bytes += Array("WAVEfmt ".utf8)
        bytes.appendLittleEndian(16, width: 4)
        bytes.appendLittleEndian(1, width: 2)
        bytes.appendLittleEndian(1, width: 2)
        bytes.appendLittleEndian(UInt32(sampleRate), width: 4)
        bytes.appendLittleEndian(UInt32(sampleRate * 2), width: 4)
        bytes.appendLittleEndian(2, width: 2)
        bytes.appendLittleEndian(16, width: 2)
        bytes += Array("data".utf8)
        bytes.appendLittleEndian(UInt32(dataBytes), width: 4)
        return bytes
    }
}

extension [UInt8] {
    /// Appends the low `width` bytes of a number, least significant first.
    mutating func appendLittleEndian(_ value: UInt32, width: Int) {
        append(contentsOf: (0..<width).map { UInt8((value >> (8 * UInt32($0))) & 0xFF) })
    }
}
