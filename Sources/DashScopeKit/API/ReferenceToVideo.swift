#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the user asked `r2v` for: reference videos whose subjects the prompt calls `character1`, `character2`, ...
public struct ReferenceToVideoRequest: Sendable {
    /// Prompt, duration and the other shared options (no audio; prompt extension is not sent on this path).
    public var video: VideoRequest
    /// The reference videos as sent (http(s) or oss:// URLs), in the order the prompt numbers them.
    public var references: [String]
    /// `--size` (an exact `W*H`) or a ratio.
    public var size: SizeRequest?
    /// `--resolution`: the tier a ratio is looked up in.
    public var resolution: VideoTier?

    /// Creates a request.
    public init(video: VideoRequest, references: [String], size: SizeRequest? = nil, resolution: VideoTier? = nil) {
        self.video = video
        self.references = references
        self.size = size
        self.resolution = resolution
    }
}

/// Checks reference-to-video requests against the catalogue and shapes them (API.md section 3: `input {prompt,
/// negative_prompt?, reference_video_urls}`, `parameters {size, duration, shot_type, watermark, seed}`).
public enum ReferenceToVideo {
    /// Checks `request` against `model` and shapes it into the job the pipeline runs; `ossResolve` when any video is `oss://`.
    public static func prepare(_ request: ReferenceToVideoRequest, model: ModelSpec, mode: CallMode, ossResolve: Bool) throws -> PreparedJob {
        let duration = try VideoParameters.validate(request.video, model: model, family: .referenceToVideo)
        if let limits = model.videos { try MediaInputs.checkCount(request.references.count, role: .video, limits: limits, model: model.name) }
        let size = try VideoSize.resolve(request.size, tier: request.resolution, model: model)
        let shape: [(String, JSON)] = size.map { [("size", .string($0.description))] } ?? []
        let input = VideoParameters.input(request.video, [("reference_video_urls", .array(request.references.map(JSON.string)))])
        return VideoParameters.job(request.video, model: model, mode: mode, input: input,
                                   parameters: VideoParameters.parameters(request.video, shape: shape, duration: duration, promptExtend: false),
                                   ossResolve: ossResolve)
    }

    /// A warning when the prompt names none of the references (`character1`...) or one past the last; nil when it reads well.
    public static func promptWarning(_ prompt: String, references: Int) -> String? {
        let named = characters(in: prompt)
        if named.isEmpty {
            let names = (1...max(1, references)).map { "character\($0)" }
            return "the prompt names no reference: call the subject of each --video by its place, "
                + MediaInspector.list(names) + " (e.g. \"character1 waves at the camera\")"
        }
        if let past = named.max(), past > references {
            return "the prompt names character\(past) but only \(references) --video \(references == 1 ? "was" : "were") given"
        }
        return nil
    }

    /// The numbers of the `characterN` words of `prompt`.
    static func characters(in prompt: String) -> Set<Int> {
        var found: Set<Int> = []
        var rest = prompt.lowercased()[...]
        while let range = rest.firstRange(of: "character") {
            let digits = rest[range.upperBound...].prefix(while: { $0.isASCII && $0.isNumber })
            if let number = Int(digits) { found.insert(number) }
            rest = rest[range.upperBound...]
        }
        return found
    }
}
