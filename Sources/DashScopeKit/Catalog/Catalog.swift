/// The model catalogue: one row per model, looked up by name and command.
public enum Catalog {
    private static let wanPixels = SizeRule.pixels(minPixels: 1280 * 1280, maxPixels: 1440 * 1440, minAspect: 0.25, maxAspect: 4)
    private static let wanSides = SizeRule.sides(min: 512, max: 1440)
    private static let qwenSizes = SizeRule.fixed([
        ImageSize(1664, 928), ImageSize(1472, 1104), ImageSize(1328, 1328), ImageSize(1104, 1472), ImageSize(928, 1664),
        ImageSize(1472, 1140), ImageSize(1140, 1472),
    ])

    private static func t2i(_ name: String, _ summary: String, _ modes: [CallMode], prompt: Int,
                            sizes: SizeRule, size: ImageSize, count: ClosedRange<Int> = 1...4) -> ModelSpec {
        ModelSpec(name: name, capability: .textToImage, summary: summary, modes: modes, promptLimit: prompt,
                  sizes: sizes, defaultSize: size, count: count)
    }

    /// Every model the tool knows.
    public static let models: [ModelSpec] = [
        t2i("wan2.6-t2i", "Wan 2.6 text-to-image (default; sync, or --async)", [.messagesSync, .messagesAsync],
            prompt: 2100, sizes: wanPixels, size: ImageSize(1280, 1280)),
        t2i("wan2.5-t2i-preview", "Wan 2.5 preview", [.promptAsync], prompt: 2000, sizes: wanPixels, size: ImageSize(1280, 1280)),
        t2i("wan2.2-t2i-flash", "Wan 2.2 flash: fast and cheap", [.promptAsync], prompt: 500, sizes: wanSides, size: ImageSize(1024, 1024)),
        t2i("wan2.2-t2i-plus", "Wan 2.2 plus", [.promptAsync], prompt: 500, sizes: wanSides, size: ImageSize(1024, 1024)),
        t2i("wanx2.1-t2i-turbo", "Wanx 2.1 turbo", [.promptAsync], prompt: 500, sizes: wanSides, size: ImageSize(1024, 1024)),
        t2i("wanx2.1-t2i-plus", "Wanx 2.1 plus", [.promptAsync], prompt: 500, sizes: wanSides, size: ImageSize(1024, 1024)),
        t2i("wanx2.0-t2i-turbo", "Wanx 2.0 turbo", [.promptAsync], prompt: 800, sizes: wanSides, size: ImageSize(1024, 1024)),
        t2i("qwen-image", "Qwen-Image: strong at text in images; one image per call", [.promptAsync, .messagesSync],
            prompt: 800, sizes: qwenSizes, size: ImageSize(1664, 928), count: 1...1),
        t2i("qwen-image-plus", "Qwen-Image plus; one image per call", [.promptAsync, .messagesSync],
            prompt: 800, sizes: qwenSizes, size: ImageSize(1664, 928), count: 1...1),
    ]

    /// The model used by a command when none is given.
    public static func defaultModel(for capability: Capability) -> String {
        switch capability {
        case .textToImage: return "wan2.6-t2i"
        }
    }

    /// The catalogue row of `name`, if known.
    public static func model(named name: String) -> ModelSpec? {
        models.first(where: { $0.name == name })
    }

    /// The row for `name`, or one inferred from its name (no limits checked) for a model the catalogue does not know.
    public static func resolve(_ name: String, for capability: Capability) -> ModelSpec {
        if let known = model(named: name) { return known }
        let modes: [CallMode] = name.hasPrefix("wan2.6") || name.hasPrefix("wan3")
            ? [.messagesSync, .messagesAsync] : [.promptAsync, .messagesSync]
        return ModelSpec(name: name, capability: capability, summary: "not in the catalogue", modes: modes,
                         promptLimit: nil, sizes: nil, defaultSize: nil, count: 1...4, inferred: true)
    }
}
