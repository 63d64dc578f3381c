/// A DashScope region: each has its own hosts, and keys work only in the region that issued them.
public enum Region: String, Sendable, CaseIterable {
    case cn, intl, us

    /// The API host of the region.
    public var host: String {
        switch self {
        case .cn: return "dashscope.aliyuncs.com"
        case .intl: return "dashscope-intl.aliyuncs.com"
        case .us: return "dashscope-us.aliyuncs.com"
        }
    }

    /// The origin (`https://host`) the native and compatible bases hang from.
    public var origin: String { "https://\(host)" }
}
