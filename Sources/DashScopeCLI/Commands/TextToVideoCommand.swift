import DashScopeKit

/// `dashscope t2v PROMPT`: argv → `TextToVideoRequest` → `TextToVideo.prepare` → the job pipeline.
enum TextToVideoCommand {
    /// The handler.
    static func run(_ invocation: Invocation) async throws -> ExitCode {
        let args = invocation.arguments
        let start = try ModelChoice.start(invocation, for: .textToVideo)
        let (size, resolution) = (try VideoArguments.size(args, model: start.model), VideoArguments.resolution(args))
        let audio = try VideoArguments.audio(invocation, model: start.model)
        func job(_ media: ResolvedMedia) throws -> PreparedJob {
            var video = VideoArguments.request(args, prompt: start.prompt)
            video.audio = media.urls.first
            return try TextToVideo.prepare(TextToVideoRequest(video: video, size: size, resolution: resolution), model: start.model,
                                           mode: start.mode, ossResolve: media.needsOssResolve)
        }
        return try await MediaOptions.run(invocation, configuration: start.configuration, model: start.model.name, inputs: audio, job: job)
    }
}
