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

/// Where the audio of a `SpeechRunner` goes.
public enum SpeechOutput: Sendable {
    /// One WAV file, named by the job options' output plan.
    case file
    /// Raw PCM (no header) written as it comes, e.g. to stdout for a player; a reader that goes away ends the run quietly.
    case raw(@Sendable (Data) throws -> Void)
}

/// Runs the speech jobs the job pipeline cannot: streamed ones (base64 PCM over SSE, written as it arrives) and those of
/// several calls (`--split`, joined into one WAV), and every job whose audio goes to stdout. A single non-streamed call
/// saved as a file goes through `JobPipeline`, whose collector already fetches `output.audio.url` without the key.
///
/// Calls run one after another, in order; none is ever sent twice (a stream that breaks would repeat audio already
/// written). A failure removes the temporary file: no partial audio is ever saved under a final name.
public struct SpeechRunner: Sendable {
    /// The pipeline whose services (client, downloader), options (-o, --force, --json, --timeout) and reporter are used.
    public var pipeline: JobPipeline

    /// Creates a runner over a pipeline.
    public init(pipeline: JobPipeline) {
        self.pipeline = pipeline
    }

    /// What the calls of one run returned.
    struct Answers {
        var requestIDs: [String] = []
        var urls: [String] = []
        var usage: [JSON] = []
    }

    /// Synthesises `jobs` in order (the pieces of `text`), streamed or not, into `output`; returns the exit status.
    public func run(_ jobs: [PreparedJob], text: String, stream: Bool, output: SpeechOutput) async throws -> ExitCode {
        let options = pipeline.options
        let reporter = pipeline.reporter
        if options.dryRun {
            reporter.emit(dryRun(jobs, output: output))
            return .ok
        }
        guard let model = jobs.first?.model.name else { return .ok }
        var naming = NamingContext(date: Date(), model: model, prompt: text, task: "result")
        let sink: AudioSink
        switch output {
        case .file: sink = AudioSink(directory: try options.plan.prepare(naming))
        case let .raw(write): sink = AudioSink(raw: write)
        }
        let answers: Answers
        do {
            answers = stream ? try await streamAll(jobs, into: sink) : try await joinAll(jobs, into: sink)
        } catch {
            sink.discard()
            if sink.readerLeft { return .ok }
            throw failure(error, sink: sink)
        }
        reporter.clearStatus()
        guard case .file = output else { return .ok }
        naming.task = answers.requestIDs.first ?? "result"
        let path = try sink.finish(as: options.plan.path(index: 1, count: 1, ext: "wav", context: naming), force: options.force)
        if options.json {
            reporter.emit(document(answers, model: model, text: text, parameters: jobs[0].endpoint.body?["parameters"],
                                   pieces: jobs.count, path: path).pretty)
        } else {
            reporter.emit(OutputPlan.display(path, cwd: options.cwd))
        }
        if reporter.live {
            reporter.notice("saved \(sink.seconds.fixed(places: 1)) s of audio in \(Date().timeIntervalSince(naming.date).fixed(places: 1))s")
        }
        return .ok
    }

    // MARK: - Streamed

    private func streamAll(_ jobs: [PreparedJob], into sink: AudioSink) async throws -> Answers {
        try sink.begin(.speech)
        var answers = Answers()
        for (index, job) in jobs.enumerated() {
            status("streaming", index, of: jobs.count)
            let events = SpeechEvents(sink: sink)
            do {
                try await pipeline.services.client.stream(job.endpoint, deadline: pipeline.options.deadline) { chunk in
                    try events.feed(Data(chunk))
                }
                try events.end()
            } catch var error as DashScopeError where error.exitCode == .unavailable && events.started {
                // The transport's words ("while submitting", a task to look for) do not fit a stream already flowing; what
                // the stream itself held (not JSON, not base64) or its size is said as it is.
                if !events.misread && !error.permanent {
                    error.message = "the audio stream from \(pipeline.services.client.configuration.apiHost) broke after "
                        + "\(sink.seconds.fixed(places: 1)) s of audio: the connection failed or ended early"
                }
                throw Self.lost(error, piece: index, of: jobs.count)
            } catch {
                throw Self.lost(error, piece: index, of: jobs.count)
            }
            answers.requestIDs += events.requestID.map { [$0] } ?? []
            answers.usage += events.usage.map { [$0] } ?? []
        }
        return answers
    }

    // MARK: - Joined

    /// Makes every call, then fetches every WAV (in parallel, without the key) into hidden files and appends their PCM
    /// in order; the formats must agree.
    private func joinAll(_ jobs: [PreparedJob], into sink: AudioSink) async throws -> Answers {
        var answers = Answers()
        for (index, job) in jobs.enumerated() {
            status("synthesising", index, of: jobs.count)
            let answer: JSON
            do {
                answer = try await pipeline.services.client.perform(job.endpoint, deadline: pipeline.options.deadline)
            } catch {
                throw Self.lost(error, piece: index, of: jobs.count)
            }
            let requestID = answer["request_id"]?.string
            guard let url = ResultParser.items(from: answer["output"] ?? .null).compactMap(\.url).first else {
                throw DashScopeError("the service returned no audio URL for piece \(index + 1) of \(jobs.count)",
                                     hint: "run again with --verbose to see the answer", exit: .failed, requestID: requestID)
            }
            answers.requestIDs += requestID.map { [$0] } ?? []
            answers.usage += answer["usage"].map { [$0] } ?? []
            answers.urls.append(url)
        }
        let directory = sink.directory ?? PathText.temporaryDirectory()
        let pieces = answers.urls.map { _ in directory + "/.dashscope-\(UUID().uuidString.prefix(8))-piece.wav" }
        pieces.forEach(TemporaryFiles.register)
        defer { for piece in pieces { unlink(piece); TemporaryFiles.unregister(piece) } }
        if pipeline.reporter.live { pipeline.reporter.status("downloading \(pieces.count) pieces…") }
        let saved = try await pipeline.services.downloader.fetch(zip(answers.urls, pieces).map { DownloadJob(url: $0, destination: $1) },
                                                                 force: true, deadline: pipeline.options.deadline ?? .distantFuture)
        for (index, result) in saved.enumerated() {
            let path = try result.get()
            guard let data = FileManager.default.contents(atPath: path) else {
                throw DashScopeError("cannot read the downloaded piece \(path)", exit: .cannotWrite)
            }
            let (format, pcm) = try WAVFile.parse(data, name: "the audio of piece \(index + 1) of \(pieces.count)")
            try sink.begin(format)
            try sink.write(pcm)
        }
        return answers
    }

    // MARK: - Reporting

    private func status(_ verb: String, _ index: Int, of count: Int) {
        guard pipeline.reporter.live else { return }
        pipeline.reporter.status(count == 1 ? "\(verb)…" : "\(verb) piece \(index + 1) of \(count)…")
    }

    /// A failure of piece `index` of a split text says which piece failed and that the ones before it were made (and
    /// billed) but are lost, so running the command again pays for them again.
    static func lost(_ error: Error, piece index: Int, of count: Int) -> Error {
        guard count > 1, var error = error as? DashScopeError else { return error }
        error.message += " (piece \(index + 1) of \(count)"
            + (index > 0 ? "; piece\(index > 1 ? "s 1–\(index) were" : " 1 was") made and billed, but nothing was saved)" : ")")
        return error
    }

    /// The error the user sees: a broken or refused call says what became of the audio so far.
    private func failure(_ error: Error, sink: AudioSink) -> Error {
        guard var error = error as? DashScopeError, [.unavailable, .tryLater].contains(error.exitCode) else { return error }
        error.hint = sink.directory == nil
            ? "the audio written to stdout is incomplete; run the command again (nothing is retried, so nothing is repeated)"
            : "nothing was saved (the partial audio was removed); run the command again"
        return error
    }

    /// What `--dry-run` prints: each call's request, in order (`--json`: one request object, or an array of them when
    /// the text is split into several calls).
    private func dryRun(_ jobs: [PreparedJob], output: SpeechOutput) -> String {
        let client = pipeline.services.client
        guard pipeline.options.json else { return jobs.map { client.describe($0.endpoint) }.joined(separator: "\n\n") }
        var template: String?
        if case .file = output { template = pipeline.options.plan.template }
        let requests = jobs.map { client.describeJSON($0.endpoint, output: template) }
        return (requests.count == 1 ? requests[0] : JSON.array(requests)).pretty
    }

    /// The job document every generating command prints (README "JSON output"), plus `request_ids` and `pieces` for the
    /// calls of a split text; `seed` and `size` are null (speech takes neither), `usage` sums the pieces' counts.
    private func document(_ answers: Answers, model: String, text: String, parameters: JSON?, pieces: Int, path: String) -> JSON {
        .object([
            "task_id": .null,
            "request_id": answers.requestIDs.first.map(JSON.string) ?? .null,
            "request_ids": .array(answers.requestIDs.map(JSON.string)),
            "model": .string(model),
            "prompt": .string(text),
            "seed": .null,
            "size": .null,
            "parameters": parameters ?? .null,
            "actual_prompts": .array([]),
            "texts": .array([]),
            "pieces": .integer(pieces),
            "urls": .array(answers.urls.map(JSON.string)),
            "paths": .array([.string(path)]),
            "failures": .array([]),
            "usage": Self.total(answers.usage),
        ])
    }

    /// The usage of several calls as one object: each whole-number field summed (`characters`), other fields as the
    /// first call gave them; null when no call reported any.
    static func total(_ usages: [JSON]) -> JSON {
        guard let first = usages.first(where: { !$0.members.isEmpty }) else { return .null }
        return .object(first.members.map { key, value in
            switch value {
            case .number where value.int != nil, .numberText where value.int != nil:
                return (key, .integer(usages.compactMap { $0[key]?.int }.reduce(0, +)))
            default:
                return (key, value)
            }
        })
    }
}

/// Reads the SSE events of one streamed speech call (through the shared `ServiceEventStream`, which turns error frames
/// into errors): each `output.audio.data` (base64 PCM) goes to the sink as it arrives; `finish_reason` `stop` marks the end.
final class SpeechEvents: @unchecked Sendable {
    private let lock = Lock()
    private let sink: AudioSink
    private var reader = ServiceEventStream()
    private var stopped = false
    private var received = false
    private var failedReading = false
    private(set) var requestID: String?
    private(set) var usage: JSON?

    init(sink: AudioSink) {
        self.sink = sink
    }

    /// Whether any of the body arrived (a failure after that broke a flowing stream).
    var started: Bool { lock.withLock { received } }
    /// Whether what arrived could not be read (an event that is not JSON, audio that is not base64, an error frame or
    /// a file that could not be written): the failure is the content's, not the connection's.
    var misread: Bool { lock.withLock { failedReading } }

    /// Takes a piece of the body as the transport delivers it.
    func feed(_ chunk: Data) throws {
        try lock.withLock {
            received = true
            do {
                for object in try reader.feed(chunk) { try handle(object) }
            } catch {
                failedReading = true
                throw error
            }
        }
    }

    /// Takes the end of the body; throws unless the last event said `stop`.
    func end() throws {
        try lock.withLock {
            for object in try reader.finish() { try handle(object) }
            guard stopped else {
                throw DashScopeError("the audio stream ended before its last event (finish_reason stop)", exit: .unavailable,
                                     requestID: requestID)
            }
        }
    }

    private func handle(_ json: JSON) throws {
        requestID = json["request_id"]?.string ?? requestID
        usage = json["usage"] ?? usage
        let output = json["output"]
        // Audio after the last event (finish_reason stop) is not part of the answer.
        if !stopped, let encoded = output?["audio"]?["data"]?.string, !encoded.isEmpty {
            guard let pcm = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                throw DashScopeError("the audio stream sent audio that is not base64", exit: .unavailable, requestID: requestID)
            }
            try sink.write(pcm)
        }
        if output?["finish_reason"]?.string == "stop" { stopped = true }
    }
}

/// The audio of one run on its way out: a `WAVWriter` started at the first format seen, or raw PCM to a writer
/// (where a closed pipe is remembered as the reader having left).
final class AudioSink: @unchecked Sendable {
    private let lock = Lock()
    /// The directory of the WAV file; nil for raw output.
    let directory: String?
    private let raw: (@Sendable (Data) throws -> Void)?
    private var writer: WAVWriter?
    private var format: PCMFormat?
    private var bytes = 0
    private var left = false

    init(directory: String) {
        self.directory = directory
        raw = nil
    }

    init(raw: @escaping @Sendable (Data) throws -> Void) {
        directory = nil
        self.raw = raw
    }

    /// Fixes the format at the first call (starting the file); later calls must name the same format.
    func begin(_ format: PCMFormat) throws {
        try lock.withLock {
            if let known = self.format {
                guard known == format else {
                    throw DashScopeError("the pieces of audio differ in format (\(known), then \(format)) and cannot be joined",
                                         hint: "shorten the text to one call instead of --split", exit: .failed)
                }
                return
            }
            self.format = format
            if let directory { writer = try WAVWriter(directory: directory, format: format) }
        }
    }

    /// Writes PCM bytes.
    func write(_ pcm: Data) throws {
        try lock.withLock {
            if let raw {
                do {
                    try raw(pcm)
                } catch let failure as StreamWriter.Failure where failure.code == EPIPE {
                    left = true
                    throw failure
                } catch let failure as StreamWriter.Failure {
                    throw DashScopeError("cannot write the audio to stdout: \(failure)", hint: "check the disk or program stdout goes to",
                                         exit: .cannotWrite)
                }
            } else {
                try writer?.append(pcm)
            }
            bytes += pcm.count
        }
    }

    /// Whether the program reading the raw output went away (a closed pipe): the run then ends quietly.
    var readerLeft: Bool { lock.withLock { left } }

    /// Seconds of audio written so far.
    var seconds: Double {
        lock.withLock { format.map { Double(bytes) / Double(max(1, $0.sampleRate * $0.blockAlign)) } ?? 0 }
    }

    /// Gives the WAV file its final name and returns it.
    func finish(as destination: String, force: Bool) throws -> String {
        guard let writer = lock.withLock({ writer }) else {
            throw DashScopeError("the service sent no audio", hint: "run again with --verbose to see the answer", exit: .failed)
        }
        return try writer.finish(as: destination, force: force)
    }

    /// Removes the unfinished file, if any.
    func discard() {
        lock.withLock { writer }?.discard()
    }
}
