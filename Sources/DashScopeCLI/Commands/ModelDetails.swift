import DashScopeKit

/// How `dashscope models` shows catalogue rows: a table that fits 100 columns, one model in full, or JSON.
/// Sizes are written as on the wire (`1280*1280`) everywhere.
enum ModelDetails {
    /// The widest line of the table.
    static let width = 100

    /// The table: name, command, modes, sizes (or video tiers), counts, prompt limit, and the summary cut to fit.
    static func table(_ models: [ModelSpec]) -> [String] {
        let header = ["MODEL", "COMMAND", "MODES", "SIZES", "N", "PROMPT"]
        let rows = models.map { model in
            [model.name, model.capability.command, modes(model), shortSizes(model), range(model.count),
             model.promptLimit.map(String.init) ?? "-"]
        }
        let lines = Table.render([header] + rows)
        let used = lines.map(\.count).max() ?? 0
        let room = max(0, width - used - 2)
        return zip(lines, ["ABOUT"] + models.map(\.summary)).map { line, about in
            let padded = line + String(repeating: " ", count: used - line.count)
            let cut = about.count > room ? String(about.prefix(max(0, room - 1))) + "…" : about
            return room < 8 ? line : padded + "  " + cut
        }
    }

    /// Every limit of one model, one `key: value` line each.
    static func lines(_ model: ModelSpec) -> [String] {
        var rows: [[String]] = [["name:", model.name], ["command:", model.capability.command + (model.capability == .keyframesToVideo ? " --last-frame" : "")
                                    + (isDefault(model) ? " (its default model)" : "")],
                                ["about:", model.summary]]
        rows += model.modes.map { ["mode:", "\($0.async ? "async task" : "sync"), \($0.wire.rawValue) body, POST \($0.compatible ? "/compatible-mode/v1" : "/api/v1")\($0.path)"] }
        if let limit = model.promptLimit { rows.append(["prompt:", "at most \(limit) characters"]) }
        if let rule = model.sizes { rows.append(["sizes:", longSizes(rule)]) }
        if let size = model.defaultSize { rows.append(["default size:", size.description]) }
        let ratios = ratioSizes(model)
        if !ratios.isEmpty {
            let tier = model.video.map { " (at \($0.defaultTier.rawValue); --resolution picks another)" } ?? ""
            rows.append(["ratios:", ratios.map { "\($0.0) → \($0.1)" }.joined(separator: ", ") + tier])
        }
        rows.append(["n:", range(model.count)])
        if let images = model.images { rows.append(["images:", inputs(images)]) }
        if let videos = model.videos { rows.append(["videos:", inputs(videos)]) }
        if let video = model.video {
            rows.append(["resolutions:", video.tiers.map(\.rawValue).joined(separator: " ") + " (default \(video.defaultTier.rawValue))"])
            rows.append(["durations:", video.durations.map(String.init).joined(separator: " ") + " s (default \(video.defaultDuration))"])
            let extras = [video.audio ? "audio" : nil, video.shotType ? "shot type" : nil].compactMap { $0 }
            if !extras.isEmpty { rows.append(["also takes:", extras.joined(separator: ", ")]) }
        }
        if let voices = model.voices { rows.append(["voices:", voices.joined(separator: " ")]) }
        rows.append(["regions:", model.regions.map { $0.map(\.rawValue).joined(separator: " ") + " only" } ?? "cn intl us"])
        return Table.render(rows)
    }

    /// One model as JSON: the same facts as `lines`, sizes spelled `W*H`.
    static func json(_ model: ModelSpec) -> JSON {
        JSON.object([
            "name": .string(model.name), "command": .string(model.capability.command), "family": .string(model.capability.rawValue),
            "summary": .string(model.summary), "default": .bool(isDefault(model)),
            "modes": .array(model.modes.map { mode in
                JSON.object(["async": .bool(mode.async), "protocol": .string(mode.wire.rawValue), "path": .string(mode.path),
                             "compatible": .bool(mode.compatible)])
            }),
            "prompt_limit": (model.promptLimit.map(JSON.integer) ?? .null),
            "sizes": (model.sizes.map(sizesJSON) ?? .null),
            "default_size": model.defaultSize.map { .string($0.description) } ?? .null,
            "ratios": .object(ratioSizes(model).map { ($0.0, JSON.string($0.1)) }),
            "n": rangeJSON(model.count),
            "images": (model.images.map(inputsJSON) ?? .null),
            "videos": (model.videos.map(inputsJSON) ?? .null),
            "video": model.video.map { video in
                JSON.object(["resolutions": .array(video.tiers.map { .string($0.rawValue) }), "default_resolution": .string(video.defaultTier.rawValue),
                             "durations": .array(video.durations.map(JSON.integer)), "default_duration": .integer(video.defaultDuration),
                             "audio": .bool(video.audio), "shot_type": .bool(video.shotType)])
            } ?? .null,
            "voices": (model.voices.map { .array($0.map(JSON.string)) } ?? .null),
            "regions": .array((model.regions ?? Region.allCases).map { .string($0.rawValue) }),
        ])
    }

    // MARK: - Pieces

    private static func isDefault(_ model: ModelSpec) -> Bool { Catalog.defaultModel(for: model.capability) == model.name }

    private static func modes(_ model: ModelSpec) -> String { model.modes.map { $0.async ? "async" : "sync" }.joined(separator: ",") }

    private static func range(_ count: ClosedRange<Int>) -> String {
        count.count == 1 ? "\(count.lowerBound)" : "\(count.lowerBound)-\(count.upperBound)"
    }

    private static func side(_ pixels: Int) -> Int { Int(Double(pixels).squareRoot().rounded()) }

    /// The table's cell: a range, a count of fixed sizes, or the video tiers.
    private static func shortSizes(_ model: ModelSpec) -> String {
        if let video = model.video { return video.tiers.map(\.rawValue).joined(separator: " ") }
        switch model.sizes {
        case let .pixels(minPixels, maxPixels, _, _)?: return "\(side(minPixels))*\(side(minPixels))–\(side(maxPixels))*\(side(maxPixels))"
        case let .sides(min, max)?: return "\(min)*\(min)–\(max)*\(max)"
        case let .fixed(sizes)?: return sizes.count == 1 ? sizes[0].description : "\(sizes.count) fixed sizes"
        case nil: return "-"
        }
    }

    private static func longSizes(_ rule: SizeRule) -> String {
        switch rule {
        case let .pixels(minPixels, maxPixels, minAspect, maxAspect):
            return "\(side(minPixels))*\(side(minPixels)) to \(side(maxPixels))*\(side(maxPixels)) in total pixels, aspect \(ratio(minAspect)) to \(ratio(maxAspect))"
        case let .sides(min, max): return "each side \(min) to \(max) (\(min)*\(min)–\(max)*\(max))"
        case let .fixed(sizes): return sizes.map(\.description).joined(separator: " ")
        }
    }

    /// `1:4` for 0.25, `4:1` for 4.
    private static func ratio(_ aspect: Double) -> String {
        aspect >= 1 ? "\(Int(aspect.rounded())):1" : "1:\(Int((1 / aspect).rounded()))"
    }

    /// What the common ratios map to for this model, resolved as its command resolves `--size W:H`: a video model's
    /// ratio takes its default resolution's size (models with tiers only, such as i2v's, take no ratio: none listed).
    private static func ratioSizes(_ model: ModelSpec) -> [(String, String)] {
        guard model.sizes != nil else { return [] }
        return CompletionValues.ratios.compactMap { w, h in
            CompletionValues.ratioSize(w, h, model: model).map { ("\(w):\(h)", $0.description) }
        }
    }

    private static func inputs(_ limits: InputLimits) -> String {
        var parts = ["\(range(limits.count)) file\(limits.count.upperBound == 1 ? "" : "s")"]
        if let sides = limits.sides { parts.append("each side \(sides.lowerBound) to \(sides.upperBound) px") }
        parts.append("at most \(limits.maxBytes / (1024 * 1024)) MB")
        parts.append(limits.formats.map(\.rawValue).joined(separator: " "))
        return parts.joined(separator: ", ")
    }

    private static func rangeJSON(_ range: ClosedRange<Int>) -> JSON {
        .object(["min": .integer(range.lowerBound), "max": .integer(range.upperBound)])
    }

    private static func sizesJSON(_ rule: SizeRule) -> JSON {
        switch rule {
        case let .pixels(minPixels, maxPixels, minAspect, maxAspect):
            return .object(["rule": .string("pixels"), "min": .string("\(side(minPixels))*\(side(minPixels))"),
                            "max": .string("\(side(maxPixels))*\(side(maxPixels))"), "min_pixels": .integer(minPixels),
                            "max_pixels": .integer(maxPixels), "min_aspect": .string(ratio(minAspect)), "max_aspect": .string(ratio(maxAspect))])
        case let .sides(min, max):
            return .object(["rule": .string("sides"), "min": .string("\(min)*\(min)"), "max": .string("\(max)*\(max)"),
                            "min_side": .integer(min), "max_side": .integer(max)])
        case let .fixed(sizes):
            return .object(["rule": .string("fixed"), "sizes": .array(sizes.map { .string($0.description) })])
        }
    }

    private static func inputsJSON(_ limits: InputLimits) -> JSON {
        .object(["count": rangeJSON(limits.count), "sides": (limits.sides.map(rangeJSON) ?? .null), "max_bytes": .integer(limits.maxBytes),
                 "formats": .array(limits.formats.map { .string($0.rawValue) })])
    }
}
