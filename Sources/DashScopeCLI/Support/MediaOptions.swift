#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// The media options of a command (`-i`, `--mask`, `--last-frame`, `--video`, `--audio`): checked from the files themselves before
/// anything is sent, then turned into the URLs of the call (data URLs, or temporary uploads) once a session exists.
enum MediaOptions {
    /// Every value of option `long`, checked against `limits` (count 64, missing 66, content 65).
    static func prepare(_ invocation: Invocation, _ long: String, role: MediaRole, limits: InputLimits?, model: String) throws -> [MediaInput] {
        let context = invocation.context
        return try MediaInputs.prepare(values: invocation.arguments.all(long), role: role, limits: limits, model: model,
                                       cwd: context.cwd, home: context.home)
    }

    /// Runs a job that takes `inputs` (all of one call together: one upload policy serves them). `job` shapes the request
    /// from the URLs; it is first built from placeholders, so every check runs and the output directory is made before
    /// anything is read, uploaded or sent. Then the URLs are resolved (placeholders under `--dry-run`, else data URLs or
    /// uploads through the session's client) and the job runs on the pipeline.
    static func run(_ invocation: Invocation, configuration: Configuration, model: String, inputs: [MediaInput],
                    job: (ResolvedMedia) throws -> PreparedJob) async throws -> ExitCode {
        let args = invocation.arguments
        let upload = args.flag("upload")
        let checked = try job(MediaInputs.dryRun(inputs, upload: upload))
        let session = try Session(invocation, configuration: configuration)
        let pipeline = try JobLauncher.pipeline(invocation, session: session)
        try pipeline.prepareOutput(for: checked)
        guard !args.flag("dry-run") else { return try await pipeline.run(checked) }
        let media: ResolvedMedia
        do {
            media = try await MediaInputs.resolve(inputs, upload: upload, model: model, uploads: UploadsAPI(client: session.client),
                                                  deadline: pipeline.options.deadline)
        } catch {
            // Stopped while the inputs were read or uploaded: the model call was never made.
            guard error is CancellationError || (error as? DashScopeError)?.exitCode.isStop == true else { throw error }
            let reason = StopSignals.reason
            throw DashScopeError("\(reason.name) before the request was sent", hint: "nothing was submitted (or billed)", exit: reason)
        }
        return try await pipeline.run(try job(media))
    }
}
