import DashScopeKit

/// `dashscope i2v [PROMPT] -i FRAME [--last-frame FRAME]`: argv → `ImageToVideoRequest` → `ImageToVideo.prepare` → the job
/// pipeline. `--last-frame` picks a first+last-frame (kf2v) model.
enum ImageToVideoCommand {
    /// The handler.
    static func run(_ invocation: Invocation) async throws -> ExitCode {
        let args = invocation.arguments
        let wantsLast = args.string("last-frame") != nil
        let start = try ModelChoice.start(invocation, for: wantsLast ? .keyframesToVideo : .imageToVideo)
        var (model, mode) = (start.model, start.mode)
        if wantsLast && model.capability != .keyframesToVideo {
            // -m names a first-frame model: refused. The config's i2v.model does: the first+last-frame default instead.
            if args.string("model") != nil { try ImageToVideo.checkLastFrame(model: model) }
            model = Catalog.resolve(Catalog.defaultModel(for: .keyframesToVideo), for: .keyframesToVideo)
            mode = try ModelChoice.callMode(args, model: model)
        }
        let limits = model.images ?? InputLimits(count: 1...1, maxBytes: .max, formats: MediaRole.image.formats)
        let first = limits.counting(1...1)
        let last = limits.counting(0...1)
        let frames = try MediaOptions.prepare(invocation, "image", role: .image, limits: first, model: model.name)
            + MediaOptions.prepare(invocation, "last-frame", role: .lastFrame, limits: last, model: model.name)
        let audio = try VideoArguments.audio(invocation, model: model)
        func job(_ media: ResolvedMedia) throws -> PreparedJob {
            var video = VideoArguments.request(args, prompt: start.prompt)
            video.audio = audio.isEmpty ? nil : media.urls.last
            let request = ImageToVideoRequest(video: video, image: media.urls[0], lastFrame: wantsLast ? media.urls[1] : nil,
                                              resolution: VideoArguments.resolution(args), template: args.string("template"))
            return try ImageToVideo.prepare(request, model: model, mode: mode, ossResolve: media.needsOssResolve)
        }
        return try await MediaOptions.run(invocation, configuration: start.configuration, model: model.name, inputs: frames + audio, job: job)
    }
}
