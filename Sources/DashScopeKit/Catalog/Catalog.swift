/// The model catalogue: one row per model, looked up by name and command family.
public enum Catalog {
    /// Every model the tool knows, in the order `dashscope models` lists them.
    public static let models: [ModelSpec] = imageModels + videoModels + speechModels + textModels

    /// Names that behave exactly like a catalogue row (API.md: `wan2.6-i2v-preview` acts as `wan2.6-i2v`).
    public static let aliases: [String: String] = ["wan2.6-i2v-preview": "wan2.6-i2v"]

    /// The model each family uses when none is given.
    public static func defaultModel(for capability: Capability) -> String {
        switch capability {
        case .textToImage: return "wan2.6-t2i"
        case .imageToImage: return "wan2.5-i2i-preview"
        case .imageEdit: return "qwen-image-edit-plus"
        case .textToVideo: return "wan2.6-t2v"
        case .imageToVideo: return "wan2.6-i2v"
        case .keyframesToVideo: return "wan2.2-kf2v-flash"
        case .referenceToVideo: return "wan2.6-r2v"
        case .speech: return "qwen3-tts-flash"
        case .chat: return "qwen-plus"
        case .vision: return "qwen3-vl-plus"
        }
    }

    /// The catalogue row of `name` (or of the row it is an alias of, under its own name), if known.
    public static func model(named name: String) -> ModelSpec? {
        if let row = models.first(where: { $0.name == name }) { return row }
        guard let target = aliases[name], var row = models.first(where: { $0.name == target }) else { return nil }
        row.name = name
        return row
    }

    /// Families whose endpoint serves far more models than the catalogue lists (dated snapshots such as
    /// `qwen-plus-2025-01-25`, open-weight models): there an unknown name is sent with a warning unless it is one typo
    /// away from a catalogued name of the family.
    public static let openFamilies: Set<Capability> = [.chat, .vision]

    /// The models of one family.
    public static func models(for capability: Capability) -> [ModelSpec] {
        models.filter { $0.capability == capability }
    }

    /// The row for `name`, or one inferred from its name (no limits checked) for a model the catalogue does not know.
    public static func resolve(_ name: String, for capability: Capability) -> ModelSpec {
        if let known = model(named: name) { return known }
        return ModelSpec(name: name, capability: capability, summary: "not in the catalogue",
                         modes: inferredModes(name, capability), count: 1...4, inferred: true)
    }

    /// The call modes guessed for an unknown model from its family and name.
    private static func inferredModes(_ name: String, _ capability: Capability) -> [CallMode] {
        switch capability {
        case .textToImage:
            return name.hasPrefix("wan2.6") || name.hasPrefix("wan3") ? [.messagesSync, .messagesAsync] : [.promptAsync, .messagesSync]
        case .imageToImage:
            return name.hasPrefix("wan2.6") || name.hasPrefix("wan3") ? [.messagesSync, .messagesAsync] : [.imageToImageAsync]
        case .imageEdit: return name.hasPrefix("qwen") ? [.messagesSync] : [.imageToImageAsync]
        case .textToVideo, .imageToVideo, .referenceToVideo: return [.videoAsync]
        case .keyframesToVideo: return [.keyframesAsync]
        case .speech: return [.speechSync]
        case .chat, .vision: return [.chatCompletions]
        }
    }
}
