#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// `dashscope tts TEXT`: argv → `SpeechRequest` → `Speech.prepare` → the job pipeline (one call saved as a file) or the
/// speech runner (`--stream`, `--split` into several calls, `-o -`).
enum SpeechCommand {
    /// The handler.
    static func run(_ invocation: Invocation) async throws -> ExitCode {
        let args = invocation.arguments
        let start = try ModelChoice.start(invocation, for: .speech)
        let model = start.model
        let raw = args.string("output") == "-"
        if raw && invocation.context.stdoutIsTerminal && !args.flag("dry-run") {
            throw DashScopeError.usage("-o - writes raw audio to stdout, which is a terminal",
                                       hint: "pipe it into a player (| aplay -f S16_LE -r 24000 -c 1), or save a file with -o NAME.wav")
        }
        if raw && args.flag("json") && !args.flag("dry-run") {
            throw DashScopeError.usage("--json cannot go with -o -: stdout carries the audio", hint: "drop --json, or save a file with -o NAME.wav")
        }
        let voice = args.string("voice") ?? Speech.defaultVoice
        if let warning = Speech.unknownVoiceWarning(voice, model: model) { invocation.console.warn(warning) }
        let request = SpeechRequest(text: start.prompt, voice: voice, language: try language(args), stream: args.flag("stream"),
                                    split: args.flag("split"))
        let jobs = try Speech.prepare(request, model: model, mode: start.mode)
        if jobs.count > 1 { invocation.console.info("the text is split into \(jobs.count) pieces, synthesised one after another") }
        let session = try Session(invocation, configuration: start.configuration)
        let pipeline = try JobLauncher.pipeline(invocation, session: session, output: raw ? "." : nil)
        if !request.stream && jobs.count == 1 && !raw { return try await pipeline.run(jobs[0]) }
        let output: SpeechOutput = raw ? .raw(invocation.context.writeStdout) : .file
        return try await SpeechRunner(pipeline: pipeline).run(jobs, text: request.text, stream: request.stream, output: output)
    }

    /// `--language` in any case, or exit 64 listing the languages.
    private static func language(_ args: ParsedArguments) throws -> SpeechLanguage {
        guard let name = args.string("language") else { return .auto }
        guard let language = SpeechLanguage(name: name) else {
            let names = SpeechLanguage.allCases.map(\.rawValue)
            throw DashScopeError.usage("--language cannot be '\(name)'\(Suggest.phrase(name, among: names))",
                                       hint: "use one of: \(names.joined(separator: ", ")) (any case)")
        }
        return language
    }
}
