/// The real transport of each platform: libcurl loaded on demand on Linux (so start-up never pays for it), URLSession on Apple's.
public enum SystemTransport {
    /// A new transport for this platform.
    public static func make() -> any HTTPTransport {
        #if os(Linux)
        CurlTransport()
        #else
        URLSessionTransport()
        #endif
    }
}
