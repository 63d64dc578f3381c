#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit
import DashScopeMock

/// The services of one command run: configuration, API client, downloader, journal, and the in-process mock when asked for.
final class Session: @unchecked Sendable {
    let configuration: Configuration
    let client: APIClient
    let downloader: Downloader
    let journal: Journal
    let mock: MockServer?
    let sleeper: any Sleeper

    /// The key sent to the in-process mock: a real key is never sent there.
    static let mockKey = "sk-mock-offline-0000"

    /// Resolves settings from flags, environment and config file, printing the config file's warnings; the file's
    /// `color` applies from here on unless `--color` was given.
    static func configuration(_ invocation: Invocation) throws -> Configuration {
        let args = invocation.arguments
        let configuration = try Configuration.resolve(
            flags: .init(apiKey: args.string("api-key"), region: args.string("region"), baseURL: args.string("base-url"),
                         workspace: args.string("workspace"), allowInsecureHTTP: args.flag("allow-insecure-http")),
            environment: invocation.context.environment)
        invocation.console.protect(secret: configuration.apiKey)
        if !args.flag("color"), let word = configuration.color, let choice = ColorChoice(rawValue: word) {
            let context = invocation.context
            invocation.console.color = choice.decide(stderrIsTerminal: context.stderrIsTerminal, environment: context.environment)
        }
        for warning in configuration.warnings { invocation.console.warn(warning) }
        return configuration
    }

    /// Whether the run asked for the built-in mock (`--mock`, or `DASHSCOPE_MOCK=1`).
    static func usesMock(_ invocation: Invocation) -> Bool {
        invocation.arguments.flag("mock")
            || ["1", "true", "yes"].contains(invocation.context.environment["DASHSCOPE_MOCK"]?.lowercased() ?? "")
    }

    /// Builds the services over resolved settings, starting the mock for `--mock`/`DASHSCOPE_MOCK=1`.
    init(_ invocation: Invocation, configuration resolved: Configuration? = nil) throws {
        let context = invocation.context
        let console = invocation.console
        var configuration = try resolved ?? Self.configuration(invocation)
        if Self.usesMock(invocation) {
            let server = try Self.startMock(environment: context.environment)
            configuration.origin = server.origin
            configuration.apiKey = Self.mockKey
            configuration.apiKeySource = .builtIn
            console.info("using the built-in mock server at \(server.origin): nothing is sent to DashScope, nothing is billed")
            mock = server
        } else {
            mock = nil
        }
        self.configuration = configuration
        let transport = context.transport ?? SystemTransport.make(environment: context.environment)
        let retrier = Retrier(sleeper: context.sleeper, logger: console.logger)
        var client = APIClient(configuration: configuration, transport: transport, retrier: retrier, logger: console.logger)
        client.server = mock
        self.client = client
        downloader = Downloader(transport: transport, retrier: retrier)
        journal = Journal(environment: context.environment)
        sleeper = context.sleeper
        if console.verbose, let source = configuration.apiKeySource, let key = configuration.apiKey {
            console.trace("key \(Redaction.key(key)) from \(source.rawValue); API origin \(configuration.origin)")
        }
    }

    // The mock stops when the last reference goes: the client holds one, so no request outlives its server.

    /// The task endpoints.
    var tasks: TasksAPI { TasksAPI(client: client) }

    /// How often to poll tasks producing `kind`: every 25 ms against the in-process mock, else by host and kind.
    func pollSchedule(_ kind: MediaKind) -> PollSchedule {
        mock == nil ? .for(host: host, video: kind == .video) : .inProcessMock
    }

    /// The services the job pipeline runs on; no journal under the in-process mock, whose tasks end with the process.
    var jobServices: JobServices {
        JobServices(client: client, downloader: downloader, journal: mock == nil ? journal : nil,
                    schedule: { [self] kind in pollSchedule(kind) }, sleeper: sleeper)
    }

    /// The API host name.
    var host: String { URL(string: configuration.origin)?.host ?? "" }

    /// Starts the in-process mock; `DASHSCOPE_MOCK_TASK_SECONDS` (seconds, or a comma list cycled per task) and
    /// `DASHSCOPE_MOCK_FAULTS` (comma-separated specs, so no fault value may hold a comma there),
    /// `DASHSCOPE_MOCK_VIDEO_SECONDS` (video tasks only) and `DASHSCOPE_MOCK_VIDEO_BYTES` (MP4 size),
    /// `DASHSCOPE_MOCK_CHAT_TOKENS` and `DASHSCOPE_MOCK_CHAT_DELAY` (as dashscope-mock's --chat-tokens, --chat-delay) tune it.
    private static func startMock(environment: [String: String]) throws -> MockServer {
        var options = MockOptions(taskSeconds: 1)
        if let text = environment["DASHSCOPE_MOCK_TASK_SECONDS"] {
            let durations = text.split(separator: ",").map { Double($0.trimmingBlanks()) }
            guard !durations.isEmpty, durations.allSatisfy({ $0.map { $0 >= 0 && $0.isFinite } ?? false }) else {
                throw DashScopeError.usage("DASHSCOPE_MOCK_TASK_SECONDS must be seconds, or a comma list of them, not '\(TerminalText.line(text))'")
            }
            options.taskDurations = durations.compactMap { $0 }
        }
        if let text = environment["DASHSCOPE_MOCK_VIDEO_SECONDS"] {
            do {
                options.videoDurations = try MockCommand.durations(text, option: "DASHSCOPE_MOCK_VIDEO_SECONDS")
            } catch {
                throw DashScopeError.usage(TerminalText.line("\(error)"), hint: "write seconds such as 3, or a list such as 3,5")
            }
        }
        if let text = environment["DASHSCOPE_MOCK_VIDEO_BYTES"] {
            guard let bytes = Int(text.trimmingBlanks()), bytes > 0 else {
                throw DashScopeError.usage("DASHSCOPE_MOCK_VIDEO_BYTES must be a size in bytes, not '\(TerminalText.line(text))'")
            }
            options.videoBytes = bytes
        }
        do {
            options.chatTokens = try environment["DASHSCOPE_MOCK_CHAT_TOKENS"].map(MockCommand.chatTokens)
            options.chatDelay = try environment["DASHSCOPE_MOCK_CHAT_DELAY"].map(MockCommand.chatDelay) ?? 0
        } catch {
            throw DashScopeError.usage("DASHSCOPE_MOCK_CHAT_TOKENS or DASHSCOPE_MOCK_CHAT_DELAY: \(error)")
        }
        for spec in (environment["DASHSCOPE_MOCK_FAULTS"] ?? "").split(separator: ",") {
            do {
                options.faults.append(try Fault(spec: spec.trimmingBlanks()))
            } catch {
                throw DashScopeError.usage("DASHSCOPE_MOCK_FAULTS: \(error)", hint: "write faults like 429@create*2,fail")
            }
        }
        let server = MockServer(options: options)
        do {
            try server.start()
        } catch {
            throw DashScopeError("cannot start the mock server: \(error)", exit: .unavailable)
        }
        return server
    }
}
