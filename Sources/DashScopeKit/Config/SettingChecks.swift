#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The checks that keep the key safe: it must not travel in clear text off this machine.
public enum SettingChecks {
    /// Refuses a plain `http://` origin whose host is not loopback unless allowed (exit 64): the key would cross the network in clear text.
    public static func checkTransportSecurity(origin: String, source: SettingSource, allowInsecureHTTP: Bool) throws {
        guard let url = URL(string: origin), url.scheme?.lowercased() == "http", !allowInsecureHTTP else { return }
        guard let host = url.host, !isLoopback(host) else { return }
        let from: String
        switch source {
        case .flag: from = "--base-url"
        case .environment: from = "DASHSCOPE_BASE_URL"
        case .configFile, .builtIn: from = "base_url in the config file"
        }
        throw DashScopeError.usage("refusing to send the API key in clear text to \(TerminalText.line(origin)) (\(from) is plain http and not this machine)",
                                   hint: "use https://, or pass --allow-insecure-http if you really mean it (or set allow_insecure_http = true in the config file)")
    }

    /// Whether `host` is this machine: `localhost`, 127.0.0.0/8 or `::1`.
    public static func isLoopback(_ host: String) -> Bool {
        let name = host.lowercased().trimming(where: { $0 == "[" || $0 == "]" })
        if name == "localhost" || name == "::1" || name == "0:0:0:0:0:0:0:1" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4,
              octets.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy { ("0"..."9").contains($0) } && UInt8($0) != nil }) else { return false }
        return octets[0] == "127"
    }
}
