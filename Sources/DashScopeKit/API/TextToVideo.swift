#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the user asked `t2v` for, before it is checked against the catalogue.
public struct TextToVideoRequest: Sendable {
    /// Prompt, duration, audio and the other shared options.
    public var video: VideoRequest
    /// `--size` (an exact `W*H`) or a ratio (`--ratio`, or `--size 16:9`).
    public var size: SizeRequest?
    /// `--resolution`: the tier a ratio is looked up in.
    public var resolution: VideoTier?

    /// Creates a request.
    public init(video: VideoRequest, size: SizeRequest? = nil, resolution: VideoTier? = nil) {
        self.video = video
        self.size = size
        self.resolution = resolution
    }
}

/// Checks text-to-video requests against the catalogue and shapes them (API.md section 3: `input {prompt,
/// negative_prompt?, audio_url?}`, `parameters {size, duration, prompt_extend, shot_type?, watermark, seed}`).
public enum TextToVideo {
    /// Checks `request` against `model` and shapes it into the job the pipeline runs; `ossResolve` when the audio is `oss://`.
    public static func prepare(_ request: TextToVideoRequest, model: ModelSpec, mode: CallMode, ossResolve: Bool) throws -> PreparedJob {
        let duration = try VideoParameters.validate(request.video, model: model, family: .textToVideo)
        let size = try VideoSize.resolve(request.size, tier: request.resolution, model: model)
        let shape: [(String, JSON)] = size.map { [("size", .string($0.description))] } ?? []
        return VideoParameters.job(request.video, model: model, mode: mode, input: VideoParameters.input(request.video, []),
                                   parameters: VideoParameters.parameters(request.video, shape: shape, duration: duration),
                                   ossResolve: ossResolve)
    }
}

/// The `W*H` size of text- and reference-to-video: typed exactly, or a tier plus a ratio looked up in the tier's sizes.
public enum VideoSize {
    /// The ratios the tiers' sizes stand for (`1088*832` is the 4:3 size of 720P).
    static let ratios: [(Int, Int)] = [(16, 9), (9, 16), (1, 1), (4, 3), (3, 4)]
    /// How far a size's aspect may be from a ratio and still stand for it (832*480 is 2.5% off 16:9).
    static let tolerance = 1.03

    /// Parses `--size`: `1280*720`, `1280x720` or a ratio; a tier such as `720P` is refused with the `W*H` rule explained.
    /// Text that is no size is refused with `model`'s own default size as the example.
    public static func parse(_ text: String, model: ModelSpec? = nil) throws -> SizeRequest {
        if let tier = VideoTier(rawValue: text.trimmingBlanks().uppercased()) {
            throw DashScopeError.usage("--size takes WIDTH*HEIGHT, not a resolution: video sizes are exact, e.g. \(tier.sizes[0]) "
                                       + "for \(tier.rawValue) 16:9",
                                       hint: "pass --resolution \(tier.rawValue) (with --ratio 16:9, 9:16, 1:1, ...), or --size \(tier.sizes[0])")
        }
        do {
            return try SizeRequest.parse(text)
        } catch var error as DashScopeError {
            guard let size = model?.defaultSize, let name = model?.name else { throw error }
            error.hint = "write it as WIDTH*HEIGHT, e.g. \(size) (\(name)'s default), or as a ratio such as 16:9"
            throw error
        }
    }

    /// Parses `--ratio` (`16:9`), refusing anything but a ratio.
    public static func parseRatio(_ text: String) throws -> SizeRequest {
        guard let parsed = try? SizeRequest.parse(text), case .ratio = parsed else {
            throw DashScopeError.usage("--ratio takes a ratio such as 16:9, not '\(TerminalText.line(String(text.prefix(100))))'",
                                       hint: "for an exact size pass --size WIDTH*HEIGHT instead")
        }
        return parsed
    }

    /// The size to send: an exact size the model offers, the tier's size of a ratio (the model's default tier when no
    /// `--resolution`), the tier's 16:9 size for `--resolution` alone, or the model's default. Throws 64 naming what is offered.
    public static func resolve(_ size: SizeRequest?, tier: VideoTier?, model: ModelSpec) throws -> ImageSize? {
        switch size {
        case let .exact(exact)?:
            if let tier {
                throw DashScopeError.usage("--size and --resolution both set the size",
                                           hint: "pass --size \(exact) alone, or --resolution \(tier.rawValue) with --ratio")
            }
            try check(exact, model: model)
            return exact
        case let .ratio(w, h)?:
            guard let chosen = try VideoParameters.tier(tier, model: model) else {
                throw DashScopeError.usage("--ratio \(w):\(h) needs --resolution for \(model.name), which the catalogue does not know",
                                           hint: "add --resolution 720P, or pass --size WIDTH*HEIGHT")
            }
            let offered = sizes(of: chosen, model: model)
            if let match = offered.first(where: { stands($0, for: w, h) }) { return match }
            let elsewhere = (model.video?.tiers ?? []).filter { $0 != chosen && sizes(of: $0, model: model).contains { stands($0, for: w, h) } }
            throw DashScopeError.usage("--ratio \(w):\(h) is not offered at \(chosen.rawValue): \(model.name) makes "
                                       + MediaInspector.list(offered.map(describe)),
                                       hint: "pick one of those ratios" + (elsewhere.isEmpty ? "" : ", or --resolution \(elsewhere[0].rawValue) for \(w):\(h)"))
        case nil:
            guard let tier else { return model.defaultSize }
            return try VideoParameters.tier(tier, model: model).flatMap { sizes(of: $0, model: model).first }
        }
    }

    /// Throws 64 unless the model offers `size` (any size passes for a model the catalogue does not know).
    static func check(_ size: ImageSize, model: ModelSpec) throws {
        guard let rule = model.sizes, rule.problem(with: size) != nil else { return }
        let tiers = model.video?.tiers ?? []
        let offered = tiers.map { "\($0.rawValue): " + sizes(of: $0, model: model).map(\.description).joined(separator: " ") }.joined(separator: "; ")
        if let home = VideoTier.allCases.first(where: { $0.sizes.contains(size) }), !tiers.contains(home) {
            throw DashScopeError.usage("--size \(size) is a \(home.rawValue) size; \(model.name) makes \(MediaInspector.list(tiers.map(\.rawValue)))",
                                       hint: "pick one of \(offered)")
        }
        throw DashScopeError.usage("--size \(size) is not a size \(model.name) makes",
                                   hint: "pick one of \(offered); or pass --resolution and --ratio")
    }

    /// The sizes of `tier` the model accepts, in the tier's order (16:9 first).
    static func sizes(of tier: VideoTier, model: ModelSpec) -> [ImageSize] {
        tier.sizes.filter { model.sizes?.problem(with: $0) == nil }
    }

    /// Whether `size` stands for the ratio `w:h`.
    static func stands(_ size: ImageSize, for w: Int, _ h: Int) -> Bool {
        abs(log(size.aspect * Double(h) / Double(w))) < log(tolerance)
    }

    /// `1280*720 (16:9)`.
    static func describe(_ size: ImageSize) -> String {
        guard let (w, h) = ratios.first(where: { stands(size, for: $0.0, $0.1) }) else { return size.description }
        return "\(size) (\(w):\(h))"
    }
}
