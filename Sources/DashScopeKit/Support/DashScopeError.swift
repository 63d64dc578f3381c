#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Every failure the tool reports: a one-line message, a hint saying what to do next, and an exit code.
public struct DashScopeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in one line.
    public var message: String
    /// What to do about it, or nil.
    public var hint: String?
    /// The documented exit status this failure maps to.
    public var exitCode: ExitCode
    /// The service's error code, when the service answered with one.
    public var serviceCode: String?
    /// The service's request id, when known.
    public var requestID: String?
    /// The async task the failure belongs to, when one was submitted (it may still run; `task wait` resumes it).
    public var taskID: String?
    /// How the time limit (`--timeout`) ended the request, when that is what failed.
    public var timeLimit: TimeLimit?
    /// Whether waiting cannot help: a 69/75 failure that would come back the same on every try (TLS trust, a missing
    /// libcurl, a refused scheme, an answer over the cap, a used-up free quota), so polls are not retried on it.
    public var permanent = false

    /// When a request's time limit ran out: before any of it could reach the service, or after it may have.
    public enum TimeLimit: Sendable, Equatable {
        /// Nothing can have reached the service.
        case beforeSending
        /// The request may have reached the service (and started a billed answer or task).
        case afterSending
    }

    /// Creates an error.
    public init(_ message: String, hint: String? = nil, exit: ExitCode, serviceCode: String? = nil, requestID: String? = nil,
                taskID: String? = nil) {
        self.message = message
        self.hint = hint
        self.exitCode = exit
        self.serviceCode = serviceCode
        self.requestID = requestID
        self.taskID = taskID
    }

    /// This error tied to `taskID`, unless it already names a task.
    public func about(task taskID: String?) -> DashScopeError {
        var error = self
        if error.taskID == nil { error.taskID = taskID }
        return error
    }

    /// The stable word for the failure in `--json` errors: the service's code when it sent one, else the tool's name
    /// for the exit status (`usage`, `no_key`, ...).
    public var code: String { serviceCode ?? exitCode.name }

    /// The error as `--json` prints it on stderr: `{"error":{"code","message","hint","request_id","task_id","exit_code"}}`;
    /// every key is always present, null when unknown.
    public var json: JSON {
        .object(["error": .object([
            "code": .string(code),
            "message": .string(message),
            "hint": hint.map(JSON.string) ?? .null,
            "request_id": requestID.map(JSON.string) ?? .null,
            "task_id": taskID.map(JSON.string) ?? .null,
            "exit_code": .integer(Int(exitCode.rawValue)),
        ])])
    }

    /// The message and hint joined as printed.
    public var description: String { hint.map { "\(message)\n  hint: \($0)" } ?? message }

    // MARK: Common errors

    /// A usage error (exit 64).
    public static func usage(_ message: String, hint: String? = nil) -> DashScopeError {
        DashScopeError(message, hint: hint, exit: .usage)
    }

    /// No API key anywhere (exit 78).
    public static let noKey = DashScopeError(
        "no API key configured",
        hint: "set DASHSCOPE_API_KEY, pass --api-key, save it with `dashscope config set api_key -` (reads it from stdin), or try it free with --mock",
        exit: .noKey)
}
