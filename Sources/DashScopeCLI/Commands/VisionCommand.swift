#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// `dashscope vl QUESTION -i IMAGE --video URL`: the media checked locally (sides, ratio, format, bytes) → one user
/// message of images, videos and the question → the answer streamed like chat.
enum VisionCommand {
    /// The handler.
    static func run(_ invocation: Invocation) async throws -> ExitCode {
        let args = invocation.arguments
        let question = try PromptInput.combined(invocation)
        let configuration = try Session.configuration(invocation)
        let model = try ChatRun.model(invocation, configuration: configuration, for: .vision)
        let images = try MediaOptions.prepare(invocation, "image", role: .image, limits: model.images, model: model.name)
        let videos = try MediaOptions.prepare(invocation, "video", role: .video, limits: nil, model: model.name)
        let local = videos.first { video in
            switch video.source {
            case .web, .oss: return false
            case .local, .data: return true
            }
        }
        if let local {
            throw DashScopeError.usage("--video \(local.shown) is not a URL: vl takes videos as http(s):// or oss:// URLs",
                                       hint: "put the video where the service can fetch it and pass its URL")
        }
        guard !images.isEmpty || !videos.isEmpty else {
            throw DashScopeError.usage("vl needs something to look at: -i IMAGE or --video URL",
                                       hint: "for a question without images use dashscope chat")
        }
        let inputs = images + videos
        func request(_ media: ResolvedMedia) throws -> ChatRequest {
            let urls = media.urls
            let parts = urls.prefix(images.count).map(ChatPart.image) + urls.dropFirst(images.count).map(ChatPart.video)
            let system = args.string("system").map { [ChatMessage(.system, $0)] } ?? []
            var request = try ChatRun.request(args, model: model.name,
                                              messages: system + [ChatMessage(.user, parts: parts + [.text(question)])])
            request.ossResolve = media.needsOssResolve
            return request
        }
        let checked = try request(MediaInputs.dryRun(inputs, upload: false))
        let session = try Session(invocation, configuration: configuration)
        if args.flag("dry-run") {
            _ = try await ChatRun.run(invocation, request: checked, session: session)
            return .ok
        }
        let media = try await MediaInputs.resolve(inputs, upload: false, model: model.name, uploads: nil, deadline: nil)
        _ = try await ChatRun.run(invocation, request: try request(media), session: session)
        return .ok
    }
}
