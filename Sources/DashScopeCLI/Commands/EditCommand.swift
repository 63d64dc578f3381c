#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// `dashscope edit PROMPT -i IMAGE...`: argv → `EditRequest` → `ImageEdit.prepare` → the job pipeline.
enum EditCommand {
    /// The handler.
    static func run(_ invocation: Invocation) async throws -> ExitCode {
        let args = invocation.arguments
        let start = try ModelChoice.start(invocation, for: .imageEdit)
        let (prompt, configuration, model, mode) = (start.prompt, start.configuration, start.model, start.mode)
        if mode.wire == .prompt && args.flag("no-prompt-extend") {
            throw DashScopeError.usage("--no-prompt-extend does not apply to \(model.name): its functions take the prompt as written")
        }
        let images = try MediaOptions.prepare(invocation, "image", role: .image, limits: model.images, model: model.name)
        let maskLimits = model.images.map { $0.counting(0...1) }
        let masks = try MediaOptions.prepare(invocation, "mask", role: .mask, limits: maskLimits, model: model.name)
        if let mask = masks.first, let base = images.first { try MediaInspector.checkMask(mask, base: base) }
        let image = ImageRequest(prompt: prompt, negative: args.string("negative"), count: args.int("n") ?? 1, seed: args.int("seed"),
                                 promptExtend: !args.flag("no-prompt-extend"), watermark: args.flag("watermark"))
        var parameters: [EditParameter: Double] = [:]
        for parameter in EditParameter.allCases {
            // `--sketch` is a flag (sent as true); the others are numbers.
            parameters[parameter] = parameter == .isSketch ? (args.flag(parameter.long) ? 1 : nil) : args.number(parameter.long)
        }
        let function = args.string("function").flatMap(EditFunction.init(rawValue:))
        func job(_ media: ResolvedMedia) throws -> PreparedJob {
            let urls = Array(media.urls.prefix(images.count))
            let request = EditRequest(image: image, inputs: urls, mask: media.urls.count > images.count ? media.urls.last : nil,
                                      function: function, parameters: parameters)
            return try ImageEdit.prepare(request, model: model, mode: mode, ossResolve: media.needsOssResolve)
        }
        return try await MediaOptions.run(invocation, configuration: configuration, model: model.name, inputs: images + masks, job: job)
    }
}
