/// The image rows of the catalogue (API.md sections 1 and 2).
extension Catalog {
    /// wan2.5/2.6: 768²–1440² total pixels, aspect 1:4–4:1; ratios map to at least 1280².
    static let wanPixels = SizeRule.pixels(minPixels: 768 * 768, maxPixels: 1440 * 1440, minAspect: 0.25, maxAspect: 4)
    /// wan2.2 and older: each side 512–1440.
    static let wanSides = SizeRule.sides(min: 512, max: 1440)
    /// qwen-image: five fixed sizes (plus two older spellings, API.md: unsure).
    static let qwenSizes = SizeRule.fixed([
        ImageSize(1664, 928), ImageSize(1472, 1104), ImageSize(1328, 1328), ImageSize(1104, 1472), ImageSize(928, 1664),
        ImageSize(1472, 1140), ImageSize(1140, 1472),
    ])
    private static let tenMB = 10 * 1024 * 1024
    private static let wanFormats: [MediaFormat] = [.jpeg, .png, .bmp, .webp]
    private static let qwenFormats: [MediaFormat] = [.jpeg, .png, .bmp, .webp, .tiff, .gif]

    private static func t2i(_ name: String, _ summary: String, _ modes: [CallMode], prompt: Int, sizes: SizeRule,
                            size: ImageSize, count: ClosedRange<Int> = 1...4) -> ModelSpec {
        ModelSpec(name: name, capability: .textToImage, summary: summary, modes: modes, promptLimit: prompt, sizes: sizes,
                  defaultSize: size, ratioMinPixels: sizes == wanPixels ? 1280 * 1280 : nil, count: count)
    }

    static let imageModels: [ModelSpec] = [
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
        ModelSpec(name: "wan2.5-i2i-preview", capability: .imageToImage, summary: "Wan 2.5 image to image (1-3 images)",
                  modes: [.imageToImageAsync], promptLimit: 2000, sizes: wanPixels, ratioMinPixels: 1280 * 1280, count: 1...4,
                  images: InputLimits(count: 1...3, sides: 384...5000, maxBytes: tenMB, formats: wanFormats)),
        ModelSpec(name: "wan2.6-image", capability: .imageToImage, summary: "Wan 2.6 image with 1-4 reference images (sync, or --async)",
                  modes: [.messagesSync, .messagesAsync], promptLimit: 2100, sizes: wanPixels, ratioMinPixels: 1280 * 1280,
                  count: 1...4, images: InputLimits(count: 1...4, sides: 384...5000, maxBytes: tenMB, formats: wanFormats)),
        ModelSpec(name: "qwen-image-edit-plus", capability: .imageEdit, summary: "Qwen image editing, 1-3 images (default)",
                  modes: [.messagesSync], promptLimit: 800, count: 1...6,
                  images: InputLimits(count: 1...3, sides: 384...3072, maxBytes: tenMB, formats: qwenFormats)),
        ModelSpec(name: "qwen-image-edit", capability: .imageEdit, summary: "Qwen image editing, one output",
                  modes: [.messagesSync], promptLimit: 800, count: 1...1,
                  images: InputLimits(count: 1...3, sides: 384...3072, maxBytes: tenMB, formats: qwenFormats)),
        ModelSpec(name: "wanx2.1-imageedit", capability: .imageEdit, summary: "Wanx 2.1 editing functions (--function; Beijing only)",
                  modes: [.imageToImageAsync], promptLimit: 800, count: 1...4,
                  images: InputLimits(count: 1...1, sides: 512...4096, maxBytes: tenMB, formats: wanFormats), regions: [.cn]),
    ]
}
