/// Which certificate authorities TLS trusts: nil fields keep the system's defaults.
public struct TrustStore: Sendable, Equatable {
    /// A PEM bundle of CA certificates.
    public var file: String?
    /// A directory of hashed CA certificates.
    public var directory: String?

    /// Creates a trust store; with no arguments, the system's.
    public init(file: String? = nil, directory: String? = nil) {
        self.file = file
        self.directory = directory
    }

    /// The store the environment asks for, as OpenSSL and curl read it (for a company proxy that re-signs TLS).
    public init(environment: [String: String]) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        self.init(file: value("SSL_CERT_FILE") ?? value("CURL_CA_BUNDLE"), directory: value("SSL_CERT_DIR"))
    }
}
