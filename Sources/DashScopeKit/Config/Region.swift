#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A DashScope region: each has its own hosts, and keys work only in the region that issued them.
public enum Region: String, Sendable, CaseIterable {
    case cn, intl, us

    /// Reads a region as users write it: `cn`, `intl`, `us`, the city (`beijing`, `singapore`, `virginia`) or the Alibaba
    /// Cloud region id (`cn-beijing`, `ap-southeast-1`, `us-east-1`, as the console shows them), in any case.
    public init?(name: String) {
        let word = name.trimmingBlanks().lowercased()
        guard let region = Region(rawValue: word) ?? Region.allCases.first(where: { $0.city == word || $0.id == word }) else {
            return nil
        }
        self = region
    }

    /// The Alibaba Cloud region id (the console's and the other cloud tools' name for it), accepted as an alias.
    public var id: String {
        switch self {
        case .cn: return "cn-beijing"
        case .intl: return "ap-southeast-1"
        case .us: return "us-east-1"
        }
    }

    /// The city the region is named for, accepted as its alias.
    public var city: String {
        switch self {
        case .cn: return "beijing"
        case .intl: return "singapore"
        case .us: return "virginia"
        }
    }

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

    /// The zone of the per-workspace hosts (`{id}.{zone}.maas.aliyuncs.com`, API.md section 11); nil where there are none.
    public var workspaceZone: String? {
        switch self {
        case .cn: return "cn-beijing"
        case .intl: return "ap-southeast-1"
        case .us: return nil
        }
    }

    /// The origin of a workspace in this region, nil where the region has no workspace hosts; `id` must be a checked DNS label.
    public func workspaceOrigin(_ id: String) -> String? {
        workspaceZone.map { "https://\(id).\($0).maas.aliyuncs.com" }
    }

    /// `cn (beijing), intl (singapore), us (virginia)`, for messages.
    public static var spelled: String { allCases.map { "\($0.rawValue) (\($0.city))" }.joined(separator: ", ") }
}
