#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// `dashscope doctor`: the things that break first on a new machine, one line each, with the fix when failing.
enum DoctorCommand {
    /// How one check came out.
    struct Line {
        enum State: String { case ok, warn, fail, skip }
        var name: String
        var state: State
        var detail: String
        var fix: String?
        var exit: ExitCode?
    }

    /// The clock difference from the service past which the clock line warns, in seconds.
    static let skewLimit: Double = 300

    /// Runs every check; exits 0 when none fails, else with the exit code of the first failing check.
    static func run(_ invocation: Invocation) async throws -> ExitCode {
        let context = invocation.context
        var lines: [Line] = []
        var service: [Line]
        var output: String?
        do {
            let configuration = try Session.configuration(invocation)
            output = configuration.output
            let path = configuration.configPath
            lines.append(Line(name: "config", state: .ok,
                              detail: FileManager.default.fileExists(atPath: path) ? path : "\(path) (none; flags and environment only)"))
            service = await serviceLines(try Session(invocation, configuration: configuration))
        } catch let error as DashScopeError {
            lines.append(Line(name: "config", state: .fail, detail: error.message, fix: error.hint, exit: error.exitCode))
            service = ["key", "service", "clock"].map { Line(name: $0, state: .skip, detail: "not checked: fix the configuration first") }
        }
        lines += service
        lines.append(libraryLine())
        lines.append(trustLine(context.environment))
        let proxies = SystemCheck.proxies(environment: context.environment)
        lines.append(Line(name: "proxy", state: .ok, detail: proxies.isEmpty ? "none set (direct connection)" : proxies.joined(separator: " ")))
        lines.append(outputLine(output, context: context))
        lines.append(journalLine(context.environment))
        report(lines, invocation: invocation)
        return lines.first(where: { $0.state == .fail })?.exit ?? .ok
    }

    /// Key present and accepted, region reachable, clock in step: all from one free call.
    private static func serviceLines(_ session: Session) async -> [Line] {
        let configuration = session.configuration
        let check = await KeyCheck.run(client: session.client, reachWithoutKey: true)
        let host = configuration.apiHost
        var lines: [Line] = []
        let keyText = configuration.apiKey.map { "\(Redaction.key($0)) from \(AuthCommand.keySource(configuration) ?? "?")" }
        switch check.verdict {
        case .accepted:
            lines.append(Line(name: "key", state: .ok, detail: "\(keyText ?? "") accepted"))
        case .noKey:
            lines.append(Line(name: "key", state: .fail, detail: "no API key configured", fix: DashScopeError.noKey.hint, exit: .noKey))
        case let .rejected(error), let .failed(error):
            lines.append(Line(name: "key", state: .fail, detail: "\(keyText ?? ""): \(error.message)", fix: error.hint, exit: error.exitCode))
        case .unreachable:
            lines.append(Line(name: "key", state: .skip, detail: "\(keyText ?? "") not checked: the service is unreachable"))
        }
        switch check.verdict {
        case let .unreachable(error):
            lines.append(Line(name: "service", state: .fail, detail: error.message, fix: error.hint, exit: error.exitCode))
        default:
            lines.append(Line(name: "service", state: .ok, detail: "\(host) answered HTTP \(check.status ?? 0) in \(check.milliseconds) ms (region \(configuration.region.rawValue)"
                + (configuration.workspace.map { ", workspace \($0)" } ?? "") + ")"))
        }
        lines.append(clockLine(check))
        return lines
    }

    /// The local clock against the service's `Date` header.
    static func clockLine(_ check: KeyCheck) -> Line {
        guard let skew = check.clockSkew else {
            return Line(name: "clock", state: .skip, detail: "not checked: the answer had no Date header")
        }
        let seconds = Int(skew.rounded())
        guard abs(skew) > skewLimit else {
            return Line(name: "clock", state: .ok, detail: "within \(max(abs(seconds), 1)) s of the service")
        }
        return Line(name: "clock", state: .warn, detail: "\(abs(seconds)) s \(skew > 0 ? "ahead of" : "behind") the service",
                    fix: "set the clock (e.g. enable NTP: timedatectl set-ntp true); signed uploads and times shown may be off")
    }

    private static func libraryLine() -> Line {
        switch SystemCheck.httpLibrary() {
        case let .success(version): return Line(name: "http", state: .ok, detail: version)
        case let .failure(error): return Line(name: "http", state: .fail, detail: error.message, fix: error.hint, exit: error.exitCode)
        }
    }

    private static func trustLine(_ environment: [String: String]) -> Line {
        switch SystemCheck.caStore(environment: environment) {
        case let .success(place): return Line(name: "ca-store", state: .ok, detail: place)
        case let .failure(error): return Line(name: "ca-store", state: .fail, detail: error.message, fix: error.hint, exit: error.exitCode)
        }
    }

    /// Whether the directory results go to (the config's `output`, else the working directory) can be written:
    /// the nearest existing directory on its way, since missing ones are created.
    private static func outputLine(_ output: String?, context: RunContext) -> Line {
        let option = output ?? "."
        let home = context.home
        var directory = OutputPlan.absolute(option: option, cwd: context.cwd, home: home)
        if !directory.hasSuffix("/") { directory = PathText.deletingLastComponent(directory) }
        if let template = directory.firstRange(of: "{") { directory = PathText.deletingLastComponent(String(directory[..<template.lowerBound])) }
        var existing = directory
        while !FileManager.default.fileExists(atPath: existing), existing != "/" { existing = PathText.deletingLastComponent(existing) }
        if let problem = OutputPlan.createProblem(in: existing) {
            return Line(name: "output", state: .fail, detail: "\(existing) is not writable (\(problem))", fix: "pass -o with a writable directory, or set `output` (dashscope config set output DIR)",
                        exit: .cannotWrite)
        }
        return Line(name: "output", state: .ok, detail: "\(directory) is writable")
    }

    private static func journalLine(_ environment: [String: String]) -> Line {
        let journal = Journal(environment: environment)
        guard FileManager.default.fileExists(atPath: journal.path) else {
            return Line(name: "journal", state: .ok, detail: "\(journal.path) (not created yet; the first async task creates it)")
        }
        guard FileManager.default.isReadableFile(atPath: journal.path) else {
            return Line(name: "journal", state: .fail, detail: "\(journal.path) cannot be read", fix: "chmod 600 \(journal.path)", exit: .noInput)
        }
        let (entries, skipped) = journal.scan()
        let tasks = "\(entries.count) task\(entries.count == 1 ? "" : "s")"
        guard let first = skipped.first else { return Line(name: "journal", state: .ok, detail: "\(journal.path) (\(tasks))") }
        let lines = skipped.count == 1 ? "line \(first) is" : "\(skipped.count) lines (the first: line \(first)) are"
        return Line(name: "journal", state: .warn, detail: "\(journal.path) (\(tasks)): \(lines) no task record and skipped",
                    fix: "look at \(journal.path): the tool writes one JSON object a line; delete the damaged lines")
    }

    private static func report(_ lines: [Line], invocation: Invocation) {
        let console = invocation.console
        if invocation.arguments.flag("json") {
            console.result(JSON.array(lines.map { line in
                JSON.object(["check": .string(line.name), "state": .string(line.state.rawValue), "detail": .string(line.detail),
                             "fix": line.fix.map(JSON.string) ?? .null,
                             "exit_code": line.exit.map { .integer(Int($0.rawValue)) } ?? .null])
            }).pretty)
            return
        }
        for line in lines {
            let state = line.state.rawValue.fitted(to: 4)
            let name = (line.name + ":").fitted(to: 9)
            console.result("\(state)  \(name) \(line.detail)" + (line.state == .fail || line.state == .warn ? line.fix.map { " (fix: \($0))" } ?? "" : ""))
        }
    }
}
