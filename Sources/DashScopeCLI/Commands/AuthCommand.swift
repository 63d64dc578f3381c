#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// `dashscope auth status`: which key is used, from where (masked), and whether the service takes it.
enum AuthCommand {
    /// Prints the key (masked), its source and the host, then checks it with one free call:
    /// exit 0 accepted, 77 rejected, 78 no key, 69 unreachable (or the error's own code for another answer).
    static func status(_ invocation: Invocation) async throws -> ExitCode {
        let console = invocation.console
        let session = try Session(invocation)
        let configuration = session.configuration
        let check = await KeyCheck.run(client: session.client)
        let source = keySource(configuration)
        if invocation.arguments.flag("json") {
            console.result(JSON.object([
                "key": configuration.apiKey.map { .string(Redaction.key($0)) } ?? .null,
                "source": configuration.apiKeySource.map { .string(ConfigCommands.jsonName($0)) } ?? .null,
                "from": source.map(JSON.string) ?? .null,
                "host": .string(configuration.apiHost), "region": .string(configuration.region.rawValue),
                "workspace": configuration.workspace.map(JSON.string) ?? .null,
                "accepted": .bool(check.error == nil), "http_status": check.status.map { .integer($0) } ?? .null,
                "exit_code": .integer(Int(check.error?.exitCode.rawValue ?? 0)),
            ]).pretty)
        } else {
            console.result("key: \(configuration.apiKey.map(Redaction.key) ?? "none")\(source.map { " (from \($0))" } ?? "")")
            console.result("host: \(configuration.apiHost) (region \(configuration.region.rawValue)"
                + (configuration.workspace.map { ", workspace \($0)" } ?? "") + ")")
            console.result("status: " + verdict(check))
        }
        if let error = check.error { throw error }
        return .ok
    }

    /// Where the key came from, as a person would look for it: `--api-key`, `DASHSCOPE_API_KEY`, `path, line N`.
    static func keySource(_ configuration: Configuration) -> String? {
        guard let source = configuration.apiKeySource else { return nil }
        if source == .builtIn { return "the built-in mock" }
        return configuration.settings.first(where: { $0.key == "api_key" })?.origin ?? source.rawValue
    }

    /// `accepted (HTTP 200, 85 ms)`, `rejected (HTTP 401)`, `no key`, `unreachable`.
    static func verdict(_ check: KeyCheck) -> String {
        let http = check.status.map { "HTTP \($0), \(check.milliseconds) ms" }
        switch check.verdict {
        case .accepted: return "accepted (\(http ?? ""))"
        case .noKey: return "no key configured"
        case .rejected: return "rejected (\(http ?? ""))"
        case .unreachable: return "unreachable"
        case .failed: return "not confirmed (\(http ?? ""))"
        }
    }
}
