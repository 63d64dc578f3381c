/// The real transport of each platform: libcurl loaded on demand on Linux (so start-up never pays for it), URLSession on Apple's.
public enum SystemTransport {
    /// A new transport for this platform; on Linux `SSL_CERT_FILE`/`CURL_CA_BUNDLE` and `SSL_CERT_DIR` replace the CA store.
    public static func make(environment: [String: String]) -> any HTTPTransport {
        #if os(Linux)
        CurlTransport(trust: TrustStore(environment: environment))
        #else
        URLSessionTransport()
        #endif
    }
}
