/// An image size as written on the wire, `W*H`.
struct ImageSize: Sendable, Equatable, CustomStringConvertible {
    let width: Int
    let height: Int

    /// Parses `W*H` with two positive integers, or returns nil.
    init?(wire text: String) {
        let parts = text.split(separator: "*", omittingEmptySubsequences: false)
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), width > 0, height > 0 else {
            return nil
        }
        self.init(width, height)
    }

    init(_ width: Int, _ height: Int) {
        self.width = width
        self.height = height
    }

    var description: String {
        "\(width)*\(height)"
    }
}

/// Which sizes a model accepts.
enum SizeRule: Sendable {
    /// Total pixels within the range and aspect ratio between 1:4 and 4:1.
    case area(ClosedRange<Int>)
    /// Each side within the range.
    case sides(ClosedRange<Int>)
    /// Only these sizes.
    case listed([ImageSize])

    /// Whether the size is allowed.
    func allows(_ size: ImageSize) -> Bool {
        switch self {
        case .area(let pixels):
            pixels.contains(size.width * size.height) && size.width <= 4 * size.height && size.height <= 4 * size.width
        case .sides(let range):
            range.contains(size.width) && range.contains(size.height)
        case .listed(let sizes):
            sizes.contains(size)
        }
    }

    /// The rule in words, for error messages.
    var summary: String {
        switch self {
        case .area(let pixels):
            "total pixels must be between \(pixels.lowerBound) and \(pixels.upperBound) "
                + "and the aspect ratio between 1:4 and 4:1"
        case .sides(let range):
            "width and height must each be between \(range.lowerBound) and \(range.upperBound)"
        case .listed(let sizes):
            "it must be one of " + sizes.map(\.description).joined(separator: ", ")
        }
    }
}

/// The four image-generation endpoints the mock serves.
enum GenerationRoute: Sendable, CaseIterable {
    /// `POST /services/aigc/multimodal-generation/generation`: messages protocol, answered at once.
    case messagesSync
    /// `POST /services/aigc/image-generation/generation` with the Async header: messages protocol, as a task.
    case messagesAsync
    /// `POST /services/aigc/text2image/image-synthesis` with the Async header: prompt protocol, as a task.
    case promptAsync
    /// `POST /services/aigc/image2image/image-synthesis` with the Async header: images in, as a task.
    case imageAsync

    /// The path below `/api/v1`.
    var path: String {
        switch self {
        case .messagesSync: "/api/v1/services/aigc/multimodal-generation/generation"
        case .messagesAsync: "/api/v1/services/aigc/image-generation/generation"
        case .promptAsync: "/api/v1/services/aigc/text2image/image-synthesis"
        case .imageAsync: "/api/v1/services/aigc/image2image/image-synthesis"
        }
    }

    /// Whether the request carries its prompt in `input.messages` rather than `input.prompt`.
    var usesMessages: Bool {
        self == .messagesSync || self == .messagesAsync
    }

    /// Whether the endpoint creates a task (and so requires `X-DashScope-Async: enable`).
    var isAsync: Bool {
        self != .messagesSync
    }
}

/// Where an image2image model reads its input images.
enum ImageInputForm: Sendable {
    /// No input images outside `input.messages`.
    case none
    /// `input.images`, a list of URLs (wan2.5-i2i-preview).
    case list
    /// `input.function` with `input.base_image_url` and maybe `input.mask_image_url` (wanx2.1-imageedit).
    case edit
}

/// One image model as the mock knows it: where it is served and what it accepts.
struct MockModel: Sendable {
    let name: String
    let routes: Set<GenerationRoute>
    let promptLimit: Int
    /// The sizes `parameters.size` may name; nil when the model takes no size (the field is then ignored).
    let sizes: SizeRule?
    let defaultSize: ImageSize
    /// The largest `n`; also the service default when `n` is absent.
    let maxImages: Int
    /// How many input images the model takes: `{"image": url}` content items, or `input.images` entries.
    let inputImages: ClosedRange<Int>
    /// The key of the per-task image counts in prompt-protocol results.
    let metricsKey: String
    /// Where the image2image route finds the input images.
    var inputForm = ImageInputForm.none

    /// Looks a model up by its exact name.
    static func named(_ name: String) -> MockModel? {
        catalogue.first { $0.name == name }
    }

    /// wan2.6 and wan2.5 image sizes: 768² to 1440² total pixels (API.md §1 and issue 6; some pages say from 1280²).
    private static let wan26Area = SizeRule.area((768 * 768)...(1440 * 1440))
    private static let wan22Sides = SizeRule.sides(512...1440)
    private static let qwenSizes = SizeRule.listed([
        ImageSize(1664, 928), ImageSize(1472, 1104), ImageSize(1328, 1328), ImageSize(1104, 1472),
        ImageSize(928, 1664), ImageSize(1472, 1140), ImageSize(1140, 1472),
    ])
    private static let messages: Set<GenerationRoute> = [.messagesSync, .messagesAsync]
    private static let prompt: Set<GenerationRoute> = [.promptAsync]
    private static let qwen: Set<GenerationRoute> = [.messagesSync, .promptAsync]
    private static let image: Set<GenerationRoute> = [.imageAsync]
    private static let square1280 = ImageSize(1280, 1280)
    private static let square1024 = ImageSize(1024, 1024)

    /// Every model the mock serves, one row each.
    static let catalogue: [MockModel] = [
        MockModel(name: "wan2.6-t2i", routes: messages, promptLimit: 2100, sizes: wan26Area,
                  defaultSize: square1280, maxImages: 4, inputImages: 0...0, metricsKey: "task_metrics"),
        MockModel(name: "wan2.6-image", routes: messages, promptLimit: 2100, sizes: wan26Area,
                  defaultSize: square1280, maxImages: 4, inputImages: 1...4, metricsKey: "task_metrics"),
        MockModel(name: "wan2.5-i2i-preview", routes: image, promptLimit: 2000, sizes: wan26Area,
                  defaultSize: square1280, maxImages: 4, inputImages: 1...3, metricsKey: "task_metrics", inputForm: .list),
        MockModel(name: "wanx2.1-imageedit", routes: image, promptLimit: 800, sizes: nil,
                  defaultSize: square1024, maxImages: 4, inputImages: 1...2, metricsKey: "task_metrics", inputForm: .edit),
        MockModel(name: "qwen-image-edit", routes: [.messagesSync], promptLimit: 800, sizes: nil,
                  defaultSize: square1024, maxImages: 1, inputImages: 1...3, metricsKey: "task_metric"),
        MockModel(name: "qwen-image-edit-plus", routes: [.messagesSync], promptLimit: 800, sizes: nil,
                  defaultSize: square1024, maxImages: 6, inputImages: 1...3, metricsKey: "task_metric"),
        MockModel(name: "wan2.5-t2i-preview", routes: prompt, promptLimit: 2000, sizes: wan26Area,
                  defaultSize: square1280, maxImages: 4, inputImages: 0...0, metricsKey: "task_metrics"),
        MockModel(name: "wan2.2-t2i-flash", routes: prompt, promptLimit: 500, sizes: wan22Sides,
                  defaultSize: square1024, maxImages: 4, inputImages: 0...0, metricsKey: "task_metrics"),
        MockModel(name: "wan2.2-t2i-plus", routes: prompt, promptLimit: 500, sizes: wan22Sides,
                  defaultSize: square1024, maxImages: 4, inputImages: 0...0, metricsKey: "task_metrics"),
        MockModel(name: "wanx2.1-t2i-turbo", routes: prompt, promptLimit: 500, sizes: wan22Sides,
                  defaultSize: square1024, maxImages: 4, inputImages: 0...0, metricsKey: "task_metrics"),
        MockModel(name: "wanx2.1-t2i-plus", routes: prompt, promptLimit: 500, sizes: wan22Sides,
                  defaultSize: square1024, maxImages: 4, inputImages: 0...0, metricsKey: "task_metrics"),
        MockModel(name: "wanx2.0-t2i-turbo", routes: prompt, promptLimit: 800, sizes: wan22Sides,
                  defaultSize: square1024, maxImages: 4, inputImages: 0...0, metricsKey: "task_metrics"),
        MockModel(name: "qwen-image", routes: qwen, promptLimit: 800, sizes: qwenSizes,
                  defaultSize: ImageSize(1664, 928), maxImages: 1, inputImages: 0...0, metricsKey: "task_metric"),
        MockModel(name: "qwen-image-plus", routes: qwen, promptLimit: 800, sizes: qwenSizes,
                  defaultSize: ImageSize(1664, 928), maxImages: 1, inputImages: 0...0, metricsKey: "task_metric"),
    ]
}
