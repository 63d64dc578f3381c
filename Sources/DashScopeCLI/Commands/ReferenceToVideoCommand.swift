import DashScopeKit

/// `dashscope r2v PROMPT --video V...`: argv → `ReferenceToVideoRequest` → `ReferenceToVideo.prepare` → the job pipeline.
enum ReferenceToVideoCommand {
    /// The handler.
    static func run(_ invocation: Invocation) async throws -> ExitCode {
        let args = invocation.arguments
        let start = try ModelChoice.start(invocation, for: .referenceToVideo)
        let (size, resolution) = (try VideoArguments.size(args, model: start.model), VideoArguments.resolution(args))
        let videos = try MediaOptions.prepare(invocation, "video", role: .video, limits: start.model.videos, model: start.model.name)
        if let warning = ReferenceToVideo.promptWarning(start.prompt, references: videos.count) { invocation.console.warn(warning) }
        func job(_ media: ResolvedMedia) throws -> PreparedJob {
            let request = ReferenceToVideoRequest(video: VideoArguments.request(args, prompt: start.prompt), references: media.urls,
                                                  size: size, resolution: resolution)
            return try ReferenceToVideo.prepare(request, model: start.model, mode: start.mode, ossResolve: media.needsOssResolve)
        }
        return try await MediaOptions.run(invocation, configuration: start.configuration, model: start.model.name, inputs: videos, job: job)
    }
}
