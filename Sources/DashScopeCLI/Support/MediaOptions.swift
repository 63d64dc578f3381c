import Foundation
import DashScopeKit

/// The media options of a command (`-i`, `--mask`, later `--video`, `--audio`): checked from the files themselves before
/// anything is sent, then turned into the URLs of the call (data URLs, or temporary uploads) once a session exists.
enum MediaOptions {
    /// Every value of option `long`, checked against `limits` (count 64, missing 66, content 65).
    static func prepare(_ invocation: Invocation, _ long: String, role: MediaRole, limits: InputLimits?, model: String) throws -> [MediaInput] {
        let context = invocation.context
        return try MediaInputs.prepare(values: invocation.arguments.all(long), role: role, limits: limits, model: model,
                                       cwd: context.cwd, home: context.environment["HOME"] ?? NSHomeDirectory())
    }

    /// The URLs to send for `inputs` (all inputs of one call together: one upload policy serves them): placeholders under
    /// `--dry-run` (nothing read or uploaded), else data URLs or uploads through the session's client.
    static func resolve(_ inputs: [MediaInput], _ invocation: Invocation, session: Session, model: String,
                        deadline: Date?) async throws -> ResolvedMedia {
        let upload = invocation.arguments.flag("upload")
        if invocation.arguments.flag("dry-run") { return MediaInputs.dryRun(inputs, upload: upload) }
        return try await MediaInputs.resolve(inputs, upload: upload, model: model, uploads: UploadsAPI(client: session.client),
                                             deadline: deadline)
    }
}
