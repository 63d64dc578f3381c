#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The speech route of API.md §5: `POST /api/v1/services/aigc/multimodal-generation/generation` naming a TTS model
/// (the image models share the path). Answers a WAV file URL, or with `X-DashScope-SSE: enable` an event stream of
/// base64 PCM chunks whose last event has `finish_reason` `stop`.
struct SpeechJob: Sendable {
    /// The speech models and their text limits (nil: none known).
    static let limits: [String: Int?] = ["qwen3-tts-flash": 600, "qwen-tts": nil, "qwen-tts-latest": nil]
    /// The `language_type` values of API.md §5, in their documented spelling.
    static let languages: Set<String> = [
        "Auto", "Chinese", "English", "Japanese", "Korean", "French", "German", "Russian", "Italian", "Spanish", "Portuguese",
    ]

    let model: String
    let text: String
    let voice: String

    /// Whether a body sent to the shared multimodal path names a speech model, so this route answers it.
    static func claims(_ body: Data) -> Bool {
        let object = MockJSON.object(body)
        return (object?["model"] as? String).map { limits[$0] != nil } ?? false
    }

    /// Validates a speech request's body the way the service does, or throws its 400 answer. Any voice is accepted
    /// (the documented list is not complete); text is counted in UTF-16 code units, as the client counts it.
    init(body: Data) throws(ServiceError) {
        guard let object = MockJSON.object(body) else {
            throw .invalidParameter("The request body must be a JSON object.")
        }
        guard object["messages"] == nil else {
            throw .invalidParameter("Field messages is not allowed at the top level.")
        }
        guard let model = object["model"] as? String, let limit = Self.limits[model] else {
            throw .modelNotFound
        }
        guard let input = object["input"] as? [String: Any] else {
            throw .invalidParameter("Missing required field: input (a JSON object).")
        }
        guard let text = input["text"] as? String, !text.trimmingBlanksAndLineBreaks().isEmpty else {
            throw .invalidParameter("Field input.text must be a non-empty string.")
        }
        if let limit, text.utf16.count > limit {
            throw .invalidParameter("Range of input length should be [1, \(limit)]: input.text has \(text.utf16.count) characters.")
        }
        guard let voice = input["voice"] as? String, !voice.isEmpty else {
            throw .invalidParameter("Field input.voice must be a non-empty string.")
        }
        if let language = input["language_type"], !(language is String && Self.languages.contains(language as? String ?? "")) {
            throw .invalidParameter("Field input.language_type must be one of \(Self.languages.sorted().joined(separator: ", ")).")
        }
        if let parameters = object["parameters"], !(parameters is [String: Any]) {
            throw .invalidParameter("Field parameters must be a JSON object.")
        }
        self.model = model
        self.text = text
        self.voice = voice
    }

    /// The answer: `output.audio` with a URL on the mock's file route, or (`stream`) the PCM as SSE events, cut short
    /// with the connection when `bends.cut` says so.
    func response(requestID: String, fileID: String, origin: String, stream: Bool, bends: TaskBends) -> HTTPResponse {
        let characters = text.count
        let id = SpeechAudio.fileID(characters: characters, id: fileID)
        let url = bends.resultURL ?? "\(origin)/files/\(id)/0.wav"
        let expires = Int(Date().timeIntervalSince1970) + 86_400
        let usage = ["characters": characters]
        func audio(data: String, url: String) -> [String: Any] {
            ["id": "audio_" + requestID, "url": url, "data": data, "expires_at": expires]
        }
        guard stream else {
            let output: [String: Any] = ["finish_reason": "stop", "audio": audio(data: "", url: url)]
            return MockJSON.response(["request_id": requestID, "output": output, "usage": usage])
        }
        let pcm = SpeechAudio.pcm(characters: characters)
        let size = SpeechAudio.bytesPerCharacter
        // Encoded once with a marker where the audio goes (base64 needs no escaping): encoding kilobytes of base64 per
        // event with JSONSerialization took seconds for a long text.
        let marker = "@@pcm@@"
        let template = String(decoding: MockJSON.encode(["request_id": requestID, "usage": usage,
                                                         "output": ["finish_reason": "null", "audio": audio(data: marker, url: "")]]),
                              as: UTF8.self)
        var frames = stride(from: 0, to: pcm.count, by: size).map { start in
            template.replacingAll(marker, with: Data(pcm[start..<min(start + size, pcm.count)]).base64EncodedString())
        }
        let last: [String: Any] = ["request_id": requestID, "usage": usage, "output": ["finish_reason": "stop", "audio": audio(data: "", url: url)]]
        frames.append(String(decoding: MockJSON.encode(last), as: UTF8.self))
        let sent = bends.cut ? max(1, frames.count / 2) : frames.count
        return HTTPResponse(status: 200, headers: EventWriter.headers, stream: BodyStream { [frames] writer in
            // Framed as EventWriter's compact style does, without splitting each frame into lines (the JSON has no line
            // break): that split, character by character, made a long text's stream take seconds.
            for (index, frame) in frames.prefix(sent).enumerated()
            where !writer.write(Data("id:\(index + 1)\nevent:result\ndata:\(frame)\n\n".utf8)) {
                return
            }
            if sent < frames.count { writer.abort() }
        })
    }
}

/// The mock's speech: for each character of the text, 0.08 s of a 400 Hz triangle tone and 0.02 s of silence, as 24 kHz
/// 16-bit mono PCM, so the length of the audio says how much text was spoken. The same bytes are streamed and served
/// as the WAV file.
enum SpeechAudio {
    /// Bytes of PCM per character of text (0.1 s).
    static let bytesPerCharacter = 4_800
    private static let toneSamples = 1_920
    private static let period = 60

    /// The PCM for `characters` characters of text.
    static func pcm(characters: Int) -> [UInt8] {
        var one: [UInt8] = []
        one.reserveCapacity(bytesPerCharacter)
        for sample in 0..<bytesPerCharacter / 2 {
            let phase = sample % period
            let rising = phase < period / 2 ? phase : period - phase
            let value = sample < toneSamples ? Int16(rising * 8000 / (period / 2) - 4000) : 0
            one += [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)]
        }
        var all: [UInt8] = []
        all.reserveCapacity(characters * bytesPerCharacter)
        for _ in 0..<characters {
            all.append(contentsOf: one)
        }
        return all
    }

    /// The file id of a speech answer: `tts{characters}-{id}`, so the file route can make the same audio again.
    static func fileID(characters: Int, id: String) -> String {
        "tts\(characters)-\(id)"
    }

    /// The PCM for a file id made by `fileID`, or nil for other ids.
    static func pcm(fileID: String) -> [UInt8]? {
        guard fileID.hasPrefix("tts"), let dash = fileID.firstIndex(of: "-"),
              let characters = Int(fileID[fileID.index(fileID.startIndex, offsetBy: 3)..<dash]), (0...100_000).contains(characters) else {
            return nil
        }
        return pcm(characters: characters)
    }
}

extension MockService {
    /// Answers a speech request: sync only (an Async header is refused as the service does), streamed with the SSE header.
    func speech(_ exchange: Exchange) throws(ServiceError) -> HTTPResponse {
        let request = exchange.request
        if request.enables("x-dashscope-async") {
            throw .syncRequired
        }
        let job = try SpeechJob(body: request.bodyData())
        let bends = try takeSyncBendsOrFail()
        return job.response(requestID: exchange.requestID, fileID: exchange.fileID ?? exchange.requestID, origin: origin,
                            stream: request.enables("x-dashscope-sse"), bends: bends)
    }
}
