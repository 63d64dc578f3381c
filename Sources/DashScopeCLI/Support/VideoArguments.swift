import DashScopeKit

/// The video options of `t2v`, `i2v` and `r2v`, read from argv the same way by each.
enum VideoArguments {
    /// The shared options as a `VideoRequest` (the handler sets its audio from the resolved `--audio`).
    static func request(_ args: ParsedArguments, prompt: String) -> VideoRequest {
        VideoRequest(prompt: prompt, negative: args.string("negative"), duration: args.int("duration"), seed: args.int("seed"),
                     promptExtend: !args.flag("no-prompt-extend"), watermark: args.flag("watermark"),
                     shotType: args.string("shot-type").flatMap(ShotType.init(rawValue:)))
    }

    /// `--size` (`W*H` or a ratio) or `--ratio`, not both; a size that cannot be read gets an example of `model`'s.
    static func size(_ args: ParsedArguments, model: ModelSpec) throws -> SizeRequest? {
        let size = try args.string("size").map { try VideoSize.parse($0, model: model) }
        guard let ratio = args.string("ratio") else { return size }
        guard size == nil else {
            throw DashScopeError.usage("--size and --ratio both set the size", hint: "pass --size WIDTH*HEIGHT alone, or --resolution with --ratio")
        }
        return try VideoSize.parseRatio(ratio)
    }

    /// `--resolution`.
    static func resolution(_ args: ParsedArguments) -> VideoTier? {
        args.string("resolution").flatMap(VideoTier.init(rawValue:))
    }

    /// `--audio`, refused at once on a model without a sound track, else checked from the file (wav/mp3, size).
    static func audio(_ invocation: Invocation, model: ModelSpec) throws -> [MediaInput] {
        if invocation.arguments.string("audio") != nil { try VideoParameters.checkAudio(model: model) }
        return try MediaOptions.prepare(invocation, "audio", role: .audio, limits: Catalog.videoAudio, model: model.name)
    }
}
