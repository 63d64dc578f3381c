#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if os(Linux)
import CCurl
#endif

/// What `doctor` looks at on this machine besides the service: the HTTP library, the CA store, proxy variables.
public enum SystemCheck {
    /// The HTTP library and its version (`libcurl/8.5.0 OpenSSL/3.0.13 ...`), or why it cannot be used.
    public static func httpLibrary() -> Result<String, DashScopeError> {
        #if os(Linux)
        if case let .failure(error) = LibCurl.loaded {
            return .failure(DashScopeError(error.message, hint: error.hint, exit: .unavailable))
        }
        return .success(dscurl_version().map { String(cString: $0) } ?? "libcurl (version unknown)")
        #else
        return .success("URLSession (the system's)")
        #endif
    }

    /// The bundles and directories where Linux distributions keep their CA certificates, in the order curl's builds look.
    public static let caBundles = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem",
                                   "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/ssl/cert.pem"]

    /// The CA store TLS will use: the one the environment names (`SSL_CERT_FILE`, `CURL_CA_BUNDLE`, `SSL_CERT_DIR`),
    /// which must be readable, else the first system bundle found; a failure says what to install or set.
    public static func caStore(environment: [String: String], fileSystem: FileManager = .default) -> Result<String, DashScopeError> {
        let trust = TrustStore(environment: environment)
        for (path, name) in [(trust.file, "SSL_CERT_FILE or CURL_CA_BUNDLE"), (trust.directory, "SSL_CERT_DIR")] {
            guard let path else { continue }
            guard fileSystem.isReadableFile(atPath: path) else {
                return .failure(DashScopeError("the CA store \(path) (from \(name)) cannot be read",
                                               hint: "point \(name) at a readable CA bundle, or unset it to use the system's", exit: .unavailable))
            }
            return .success("\(path) (from \(name))")
        }
        #if os(Linux)
        if let found = caBundles.first(where: fileSystem.isReadableFile) { return .success(found) }
        return .failure(DashScopeError("no CA certificate bundle found (looked in \(caBundles.joined(separator: ", ")))",
                                       hint: "install the CA certificates (Debian/Ubuntu: apt install ca-certificates), or set SSL_CERT_FILE",
                                       exit: .unavailable))
        #else
        return .success("the system keychain")
        #endif
    }

    /// The proxy variables libcurl follows, in the order it reads them.
    public static let proxyVariables = ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"]

    /// The proxy variables that are set, each as `name=value` with any user and password replaced by `***`.
    public static func proxies(environment: [String: String]) -> [String] {
        proxyVariables.compactMap { name in
            guard let value = environment[name], !value.isEmpty else { return nil }
            return "\(name)=\(TerminalText.line(withoutCredentials(value)))"
        }
    }

    /// A proxy URL with its user part (`user:password@`) replaced by `***@`.
    public static func withoutCredentials(_ value: String) -> String {
        guard let at = value.lastIndex(of: "@") else { return value }
        let start = value.firstRange(of: "://").map(\.upperBound) ?? value.startIndex
        guard start <= at else { return value }
        return String(value[..<start]) + "***" + String(value[at...])
    }
}
