/// The command family a model serves.
public enum Capability: String, Sendable, CaseIterable {
    case textToImage = "t2i"
}

/// How a generation request is shaped on the wire.
public enum WireProtocol: String, Sendable {
    /// `input.messages` with one user message (wan2.6, qwen-image sync).
    case messages
    /// `input.prompt` (the legacy text2image shape).
    case prompt
}

/// One way to call a model: the body shape, the path, and whether it is an async task.
public struct CallMode: Sendable, Equatable {
    /// The body shape.
    public var wire: WireProtocol
    /// The path below the native base.
    public var path: String
    /// Whether the call creates a task (`X-DashScope-Async: enable`).
    public var async: Bool

    /// Creates a mode.
    public init(_ wire: WireProtocol, _ path: String, async: Bool) {
        self.wire = wire
        self.path = path
        self.async = async
    }

    /// The messages protocol, answered at once.
    public static let messagesSync = CallMode(.messages, "/services/aigc/multimodal-generation/generation", async: false)
    /// The messages protocol as a task.
    public static let messagesAsync = CallMode(.messages, "/services/aigc/image-generation/generation", async: true)
    /// The legacy prompt protocol as a task.
    public static let promptAsync = CallMode(.prompt, "/services/aigc/text2image/image-synthesis", async: true)
}

/// One row of the model catalogue: everything the tool must know to validate and shape a call.
public struct ModelSpec: Sendable {
    /// The model name sent on the wire.
    public var name: String
    /// The command family.
    public var capability: Capability
    /// One-line description for `dashscope models`.
    public var summary: String
    /// Ways to call it; the first is the default.
    public var modes: [CallMode]
    /// Maximum prompt length in characters, if known.
    public var promptLimit: Int?
    /// Accepted sizes, if known.
    public var sizes: SizeRule?
    /// The size sent when the user gives none.
    public var defaultSize: ImageSize?
    /// Allowed image counts.
    public var count: ClosedRange<Int>
    /// Whether this row was guessed from the name of a model the catalogue does not know.
    public var inferred: Bool = false

    /// The default mode, or the first one that is async/sync when asked.
    public func mode(async: Bool?) -> CallMode? {
        guard let async else { return modes.first }
        return modes.first(where: { $0.async == async })
    }
}
