/// The documented exit statuses of `dashscope`, one per kind of outcome.
public enum ExitCode: Int32, Sendable, CaseIterable {
    case ok = 0
    case failed = 1
    case partial = 2
    case usage = 64
    case badInput = 65
    case noInput = 66
    case unavailable = 69
    case cannotWrite = 73
    case tryLater = 75
    case keyRejected = 77
    case noKey = 78
    case interrupted = 130
    case terminated = 143

    /// Whether the run was stopped from outside (Ctrl-C, SIGTERM) rather than ending on its own.
    public var isStop: Bool { self == .interrupted || self == .terminated }

    /// The status as one stable word, the `code` of a `--json` error the service did not name (`usage`, `no_key`, ...).
    public var name: String {
        switch self {
        case .ok: return "ok"
        case .failed: return "failed"
        case .partial: return "partial"
        case .usage: return "usage"
        case .badInput: return "bad_input"
        case .noInput: return "no_input"
        case .unavailable: return "unavailable"
        case .cannotWrite: return "cannot_write"
        case .tryLater: return "try_later"
        case .keyRejected: return "key_rejected"
        case .noKey: return "no_key"
        case .interrupted: return "interrupted"
        case .terminated: return "terminated"
        }
    }

    /// What the status means, as printed by `--help` and the man page.
    public var meaning: String {
        switch self {
        case .ok: return "success"
        case .failed: return "the service refused the request, or the task failed"
        case .partial: return "some outputs of a job failed"
        case .usage: return "bad usage or invalid input"
        case .badInput: return "an input file's content is wrong (format, dimensions, size)"
        case .noInput: return "an input file is missing or unreadable"
        case .unavailable: return "service or network unavailable after retries"
        case .cannotWrite: return "cannot write output (a file, or stdout is full; a reader that leaves, as with | head, is no error)"
        case .tryLater: return "timed out, or still throttled: try later"
        case .keyRejected: return "the API key was rejected (401/403)"
        case .noKey: return "no API key configured, or the config file is wrong (its file and line are named)"
        case .interrupted: return "interrupted (Ctrl-C); a running task keeps running and the resume line is printed"
        case .terminated: return "terminated (SIGTERM); as with Ctrl-C the resume line is printed and a task's partial downloads are kept for task wait"
        }
    }
}
