/// The languages `input.language_type` takes (API.md section 5), spelled as the service documents them.
public enum SpeechLanguage: String, Sendable, CaseIterable {
    case auto = "Auto", chinese = "Chinese", english = "English", japanese = "Japanese", korean = "Korean"
    case french = "French", german = "German", russian = "Russian", italian = "Italian", spanish = "Spanish"
    case portuguese = "Portuguese"

    /// Reads a language name in any case (`english`, `ENGLISH`); nil when it is not one of the documented ones.
    public init?(name: String) {
        guard let found = Self.allCases.first(where: { $0.rawValue.caseInsensitiveCompare(name) == .orderedSame }) else { return nil }
        self = found
    }
}

/// What the user asked `tts` for, before it is checked against the catalogue.
public struct SpeechRequest: Sendable {
    /// The text to speak.
    public var text: String
    /// `--voice`, as typed.
    public var voice: String
    /// `--language`.
    public var language: SpeechLanguage
    /// `--stream`: PCM chunks over SSE instead of a WAV file URL.
    public var stream: Bool
    /// `--split`: text over the model's limit is cut at sentence boundaries into several calls.
    public var split: Bool

    /// Creates a request.
    public init(text: String, voice: String = Speech.defaultVoice, language: SpeechLanguage = .auto, stream: Bool = false,
                split: Bool = false) {
        self.text = text
        self.voice = voice
        self.language = language
        self.stream = stream
        self.split = split
    }
}

/// Checks speech requests against the catalogue and shapes them for the wire (API.md section 5).
public enum Speech {
    /// The voice used when none is given.
    public static let defaultVoice = "Cherry"

    /// Every voice of the catalogue's speech models, each once, in catalogue order (what completions offer).
    public static var knownVoices: [String] {
        Catalog.models(for: .speech).flatMap { $0.voices ?? [] }.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }

    /// The length of `text` as it is checked against a model's `promptLimit`: UTF-16 code units. For Chinese and Latin
    /// text this is the number of characters whatever is counted; for emoji and rare CJK characters it is the largest
    /// count a service may use (scalars and grapheme clusters are never more), so text that passes is never refused.
    public static func length<S: StringProtocol>(_ text: S) -> Int { text.utf16.count }

    /// The voice to send: a known voice of `model` in its catalogue spelling (`cherry` → `Cherry`), or `voice` as given.
    public static func voice(_ voice: String, model: ModelSpec) -> String {
        model.voices?.first(where: { $0.caseInsensitiveCompare(voice) == .orderedSame }) ?? voice
    }

    /// The warning for a voice the catalogue does not list for `model` (it is still sent: the list is not complete), or nil.
    public static func unknownVoiceWarning(_ voice: String, model: ModelSpec) -> String? {
        guard let voices = model.voices, !voices.contains(Self.voice(voice, model: model)) else { return nil }
        return "voice '\(voice)' is not one the tool knows for \(model.name) (\(voices.joined(separator: ", "))); sending it anyway"
    }

    /// The texts to synthesise, one call each: the whole text when it fits the model's limit, else (with `split`) pieces
    /// cut at sentence boundaries. Refuses empty text, and text over the limit without `split` (exit 64), naming the limit.
    public static func pieces(_ request: SpeechRequest, model: ModelSpec) throws -> [String] {
        if request.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw DashScopeError.usage("the text is empty", hint: "give it as the first argument, or pipe it on stdin")
        }
        let count = length(request.text)
        guard let limit = model.promptLimit, count > limit else { return [request.text] }
        guard request.split else {
            throw DashScopeError.usage("the text is \(count) characters; \(model.name) takes at most \(limit) per call",
                                       hint: "shorten it, or add --split to synthesise it sentence by sentence into one WAV file")
        }
        return SentenceSplitter.split(request.text, limit: limit)
    }

    /// The endpoint that synthesises `text` (one piece of `request`) with `model`.
    public static func endpoint(_ text: String, request: SpeechRequest, model: ModelSpec, mode: CallMode) -> Endpoint {
        let input = JSON.object(["text": .string(text), "voice": .string(voice(request.voice, model: model)),
                                 "language_type": .string(request.language.rawValue)])
        let body = JSON.object(["model": .string(model.name), "input": input, "parameters": .object([])])
        return Endpoint(method: "POST", path: mode.path, body: body, async: mode.async, kind: .create, sse: request.stream)
    }

    /// Checks `request` against `model` and shapes every call it takes, in order (one per piece of text).
    public static func prepare(_ request: SpeechRequest, model: ModelSpec, mode: CallMode) throws -> [PreparedJob] {
        if request.voice.trimmingCharacters(in: .whitespaces).isEmpty {
            throw DashScopeError.usage("--voice is empty", hint: "name a voice, e.g. --voice \(defaultVoice), or leave the option out")
        }
        return try pieces(request, model: model).map { text in
            PreparedJob(model: model, capability: .speech, prompt: text, mode: mode,
                        endpoint: endpoint(text, request: request, model: model, mode: mode))
        }
    }
}
