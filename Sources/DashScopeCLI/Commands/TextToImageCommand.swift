#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// `dashscope t2i PROMPT`: argv → `ImageRequest` → `TextToImage.prepare` → the job pipeline.
enum TextToImageCommand {
    /// The handler.
    static func run(_ invocation: Invocation) async throws -> ExitCode {
        let args = invocation.arguments
        let start = try ModelChoice.start(invocation, for: .textToImage)
        let (prompt, configuration, model, mode) = (start.prompt, start.configuration, start.model, start.mode)
        let request = ImageRequest(prompt: prompt, negative: args.string("negative"),
                                   size: try args.string("size").map(SizeRequest.parse), count: args.int("n") ?? 1,
                                   seed: args.int("seed"), promptExtend: !args.flag("no-prompt-extend"),
                                   watermark: args.flag("watermark"))
        let job = try TextToImage.prepare(request, model: model, mode: mode)
        let session = try Session(invocation, configuration: configuration)
        return try await JobLauncher.pipeline(invocation, session: session).run(job)
    }
}
