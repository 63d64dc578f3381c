#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The end of every job: finds the outputs in an answer, names and downloads them, and prints paths or the `--json` document.
struct ResultCollector: Sendable {
    let downloader: Downloader
    let options: JobOptions
    let reporter: any JobReporter
    /// Records a task's outcome in the journal, with the paths its outputs were saved under.
    let finish: @Sendable (String, String, [String]) -> Void

    /// One output that could not be saved.
    struct Failure {
        var index: Int
        var code: String?
        var message: String
    }

    /// The most files one job saves: a model makes at most a handful per call, so an answer listing more is hostile or
    /// broken, and must not fill the output directory.
    static let maxFiles = 100

    /// Downloads every output listed in `output` (at most `maxFiles`) and prints the saved paths (or the `--json` document).
    func collect(output: JSON, usage: JSON?, taskID: String?, requestID: String?, job: JobRecord) async throws -> ExitCode {
        let items = ResultParser.items(from: output)
        let naming = NamingContext(date: job.started, model: job.model, prompt: job.prompt, task: taskID ?? requestID ?? "result")
        let listed = items.enumerated().compactMap { offset, item in item.url.map { (offset: offset, url: $0) } }
        let fetchable = Array(listed.prefix(Self.maxFiles))
        let texts = items.compactMap(\.text)
        if fetchable.isEmpty && texts.isEmpty {
            if let taskID { finish(taskID, "FAILED", []) }
            let failure = items.first
            throw DashScopeError("the job produced no output\(failure.map { " (\($0.code ?? "no code")): \($0.message ?? "no message")" } ?? "")",
                                 hint: Self.failureHint(failure?.code), exit: .failed, requestID: requestID)
        }
        _ = try options.plan.prepare(naming)
        // A task that can be resumed keeps its partial downloads for the next `task wait` (see Downloader).
        let resumable = taskID.flatMap { options.resumeCommand($0) == nil ? nil : $0 }
        let jobs = fetchable.enumerated().map { position, entry in
            DownloadJob(url: entry.url,
                        destination: options.plan.path(index: position + 1, count: fetchable.count,
                                                       ext: OutputPlan.fileExtension(of: entry.url, fallback: job.output.defaultExtension),
                                                       context: naming),
                        resumeKey: resumable.map { "\($0)-\(position + 1)" })
        }
        // `-o cat.jpg` for a PNG (or `-o x.png` for a video): said once per format, the file keeps the name asked for.
        let formats = Set(fetchable.map { OutputPlan.fileExtension(of: $0.url, fallback: job.output.defaultExtension) })
        for warning in formats.compactMap({ options.plan.extensionWarning(actual: $0) }).sorted() { reporter.caution(warning) }
        let meter = reporter.live ? DownloadMeter(files: jobs.count, reporter: reporter) : nil
        meter?.draw()
        var progress: (@Sendable (Int, Int64) -> Void)?
        if let meter { progress = { job, bytes in meter.update(job: job, bytes: bytes) } }
        // Downloads are idempotent: retried until --timeout, with no limit when none is given.
        let results = try await downloader.fetch(jobs, force: options.force, deadline: options.deadline ?? .distantFuture,
                                                 progress: progress)
        reporter.clearStatus()
        // The text parts (interleaved answers) are one more output: a Markdown file, saved like the downloads.
        var saved = zip(fetchable.map(\.offset), results).map { (offset: $0, result: $1) }
        if !texts.isEmpty {
            let files = Dictionary(uniqueKeysWithValues: saved.map { ($0.offset, $0.result) })
            saved.append((items.count, saveText(items: items, saved: files, naming: naming)))
        }
        let paths = saved.compactMap { try? $0.result.get() }
        var failures = items.enumerated().filter { $0.element.url == nil && $0.element.text == nil }.map {
            Failure(index: $0.offset + 1, code: $0.element.code, message: $0.element.message ?? "failed")
        }
        if listed.count > fetchable.count {
            failures.append(Failure(index: listed[fetchable.count].offset + 1, code: "too_many_outputs",
                                    message: "not fetched, nor the \(listed.count - fetchable.count - 1) after it: the answer lists "
                                        + "\(listed.count) files, more than the \(Self.maxFiles) one job saves (their URLs are in --json's urls)"))
        }
        var curable = false
        for (offset, result) in saved {
            guard case let .failure(error) = result else { continue }
            failures.append(Failure(index: offset + 1, code: error.code, message: error.message))
            // A download that may work later (network, time limit, disk) leaves the task open in the journal.
            curable = curable || [.unavailable, .tryLater, .cannotWrite].contains(error.exitCode)
        }
        failures.sort { $0.index < $1.index }
        // The outputs not fetched past the cap are one failure, but count one each.
        let unfetched = max(0, listed.count - fetchable.count - 1)
        if options.json {
            reporter.emit(Self.document(usage: usage, taskID: taskID, requestID: requestID, job: job, items: items,
                                   paths: paths, failures: failures).pretty)
        } else {
            for path in paths { reporter.emit(OutputPlan.display(path, cwd: options.cwd)) }
        }
        if let taskID, !curable { finish(taskID, failures.isEmpty ? "SUCCEEDED" : "PARTIAL", paths) }
        if failures.isEmpty {
            if reporter.live {
                let seconds = Date().timeIntervalSince(job.started)
                reporter.notice("saved \(paths.count) file\(paths.count == 1 ? "" : "s") in \(seconds.fixed(places: 1))s")
            }
            return .ok
        }
        // Nothing saved: the first failure becomes the error (said once: no warning repeats a lone failure before it).
        var thrown: DashScopeError?
        if paths.isEmpty, case var .failure(first)? = saved.first(where: { (try? $0.result.get()) == nil })?.result {
            if first.requestID == nil { first.requestID = requestID }
            thrown = first
        }
        if thrown == nil || failures.count > 1 {
            for failure in failures {
                reporter.failure("output \(failure.index) failed\(failure.code.map { " (\($0))" } ?? ""): \(failure.message)")
            }
        }
        if let thrown { throw thrown }
        reporter.notice("\(paths.count) of \(paths.count + failures.count + unfetched) outputs saved")
        if curable, let taskID { reporter.notice(JobPipeline.resumeHint(taskID, options: options)) }
        return .partial
    }

    /// The job document of `--json` (README "JSON output and errors"): one shape for every job, also for a task whose
    /// files `task wait` finds already saved.
    static func document(usage: JSON?, taskID: String?, requestID: String?, job: JobRecord,
                         items: [ResultItem], paths: [String], failures: [Failure]) -> JSON {
        .object([
            "task_id": taskID.map(JSON.string) ?? .null,
            "request_id": requestID.map(JSON.string) ?? .null,
            "model": .string(job.model),
            "prompt": .string(job.prompt),
            "seed": job.seed.map(JSON.integer) ?? .null,
            "size": job.size.map(JSON.string) ?? .null,
            "parameters": job.parameters ?? .null,
            "actual_prompts": .array(items.compactMap { $0.actualPrompt.map(JSON.string) }),
            "texts": .array(items.compactMap { $0.text.map(JSON.string) }),
            "urls": .array(items.compactMap { $0.url.map(JSON.string) }),
            "paths": .array(paths.map(JSON.string)),
            "failures": .array(failures.map {
                .object(["index": .integer($0.index), "code": $0.code.map(JSON.string) ?? .null, "message": .string($0.message)])
            }),
            "usage": usage ?? .null,
        ])
    }

    /// Saves the text parts of an answer (wan2.6-image's interleaved mode) as one Markdown file beside the images, in
    /// the answer's order, each image linked by its saved name.
    private func saveText(items: [ResultItem], saved: [Int: Result<String, DashScopeError>], naming: NamingContext) -> Result<String, DashScopeError> {
        var markdown = ""
        for (offset, item) in items.enumerated() {
            if let text = item.text { markdown += text + "\n\n" }
            if case let .success(path)? = saved[offset] { markdown += "![](<\(PathText.lastComponent(path))>)\n\n" }
        }
        // `-o guide.png` fixes the extension: the text goes to guide.md all the same.
        let named = options.plan.path(index: 1, count: 1, ext: "md", context: naming)
        let destination = PathText.pathExtension(named) == "md" ? named : PathText.deletingPathExtension(named) + ".md"
        return Downloader.save(markdown, to: destination, force: options.force)
    }

    /// What to do about a service failure code, when there is something to say.
    static func failureHint(_ code: String?) -> String? {
        switch code ?? "" {
        case "DataInspectionFailed", "IPInfringementSuspect": return "the content check refused the input or output: rephrase the prompt"
        case let c where c.hasPrefix("InternalError"): return "a service-side failure: submitting again usually works"
        default: return nil
        }
    }
}

/// The live download line on a terminal, "downloading 2 files · 48.3 MB · 11.2 MB/s", redrawn at most ten times a second.
final class DownloadMeter: @unchecked Sendable {
    private let lock = Lock()
    private let files: Int
    private let reporter: any JobReporter
    private let started = Date()
    private var bytes: [Int: Int64] = [:]
    private var drawn = Date.distantPast

    /// A meter for `files` downloads, drawing through `reporter`.
    init(files: Int, reporter: any JobReporter) {
        self.files = files
        self.reporter = reporter
    }

    /// Notes that download `job` holds `bytes` bytes (resumed bytes included), and redraws when it is time.
    func update(job: Int, bytes count: Int64) {
        let line: String? = lock.withLock {
            bytes[job] = count
            let now = Date()
            guard now.timeIntervalSince(drawn) >= 0.1 else { return nil }
            drawn = now
            return text(now: now)
        }
        if let line { reporter.status(line) }
    }

    /// Draws the line now.
    func draw() {
        reporter.status(lock.withLock { text(now: Date()) })
    }

    private func text(now: Date) -> String {
        let total = bytes.values.reduce(0, +)
        let seconds = now.timeIntervalSince(started)
        var line = "downloading \(files) file\(files == 1 ? "" : "s")…"
        guard total > 0 else { return line }
        line += " \(Self.megabytes(total))"
        if seconds >= 0.5 { line += " · \(Self.megabytes(Int64(Double(total) / seconds)))/s" }
        return line
    }

    private static func megabytes(_ bytes: Int64) -> String {
        (Double(bytes) / 1_000_000).fixed(places: 1) + " MB"
    }
}

/// The `--json` job document for callers outside the collector.
public enum JobDocument {
    /// The document of a task whose files were already saved (`task wait` on it): the usual shape with its paths, then
    /// `already_saved: true`.
    public static func alreadySaved(taskID: String, job: JobRecord, paths: [String]) -> JSON {
        var document = ResultCollector.document(usage: nil, taskID: taskID, requestID: nil, job: job, items: [], paths: paths, failures: [])
        if case var .object(pairs) = document {
            pairs.append(("already_saved", .bool(true)))
            document = .object(pairs)
        }
        return document
    }
}
