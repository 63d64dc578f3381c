#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// `dashscope i2i PROMPT -i IMAGE...`: argv → `ImageToImageRequest` → `ImageToImage.prepare` → the job pipeline.
enum ImageToImageCommand {
    /// The handler.
    static func run(_ invocation: Invocation) async throws -> ExitCode {
        let args = invocation.arguments
        let start = try ModelChoice.start(invocation, for: .imageToImage)
        let (prompt, configuration, model, mode) = (start.prompt, start.configuration, start.model, start.mode)
        let images = try MediaOptions.prepare(invocation, "image", role: .image, limits: model.images, model: model.name)
        let image = ImageRequest(prompt: prompt, negative: args.string("negative"), size: try args.string("size").map(SizeRequest.parse),
                                 count: args.int("n") ?? 1, seed: args.int("seed"), promptExtend: !args.flag("no-prompt-extend"),
                                 watermark: args.flag("watermark"))
        func job(_ media: ResolvedMedia) throws -> PreparedJob {
            let request = ImageToImageRequest(image: image, inputs: media.urls, interleave: args.flag("interleave"),
                                              maxImages: args.int("max-images"))
            return try ImageToImage.prepare(request, model: model, mode: mode, ossResolve: media.needsOssResolve)
        }
        return try await MediaOptions.run(invocation, configuration: configuration, model: model.name, inputs: images, job: job)
    }
}
