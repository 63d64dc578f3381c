/// The tool's version and the User-Agent it sends.
public enum Version {
    /// The release version.
    public static let current = "0.1.0"

    /// `dashscope-cli/<version> (swift; <os>)`.
    public static var userAgent: String {
        #if os(Linux)
        let os = "linux"
        #elseif os(macOS)
        let os = "macos"
        #else
        let os = "unknown"
        #endif
        return "dashscope-cli/\(current) (swift; \(os))"
    }
}
