#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether a request may be re-sent after any failure, or only when the server cannot have acted on it.
public enum RequestKind: Sendable {
    /// Starts billed work (a create or a sync generation): re-sent only after 429/503 or a failure to connect.
    case create
    /// Reads, downloads and cancels: safe to re-send after 429, 5xx and any connection failure.
    case idempotent
}

/// Bounded exponential backoff with jitter that honours `Retry-After`.
public struct RetryPolicy: Sendable {
    /// Total tries including the first (for idempotent requests given a deadline, tries go on until it instead).
    public var maxAttempts: Int
    /// Delay before the first retry, in seconds.
    public var baseDelay: Double
    /// Upper bound of a computed delay, in seconds.
    public var maxDelay: Double
    /// Upper bound honoured for a server's `Retry-After`, in seconds.
    public var maxRetryAfter: Double

    /// Creates a policy.
    public init(maxAttempts: Int = 4, baseDelay: Double = 1, maxDelay: Double = 16, maxRetryAfter: Double = 60) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// The standard policy.
    public static let standard = RetryPolicy()

    /// Whether an HTTP answer may be retried for this kind of request.
    public func shouldRetry(status: Int, body: Data, kind: RequestKind) -> Bool {
        switch status {
        case 429:
            return !ServiceError.isFreeQuotaUsedUp(ServiceError.body(from: body)?.message ?? "")
        case 503: return true
        case 500...599: return kind == .idempotent
        default: return false
        }
    }

    /// Whether a failure to get any answer may be retried for this kind of request.
    public func shouldRetry(_ error: TransportError, kind: RequestKind) -> Bool {
        error.isRetryable(kind)
    }

    /// Seconds to wait before retry number `retry` (1-based): the server's hint if given, else `base·2^(retry-1)` with ±25 % jitter, capped.
    public func delay(retry: Int, headers: [String: String], random: Double) -> Double {
        if let ms = headers["retry-after-ms"].flatMap(Double.init), ms >= 0 { return min(ms / 1000, maxRetryAfter) }
        if let s = headers["retry-after"].flatMap(Double.init), s >= 0 { return min(s, maxRetryAfter) }
        let exponential = min(baseDelay * pow(2, Double(retry - 1)), maxDelay)
        return exponential * (0.75 + 0.5 * random)
    }
}

/// Waits; the real one sleeps, tests record the requested delays instead.
public protocol Sleeper: Sendable {
    /// Suspends for `seconds`; throws `CancellationError` when the task is cancelled.
    func sleep(seconds: Double) async throws
}

/// The real sleeper, backed by `Task.sleep`.
public struct TaskSleeper: Sleeper {
    /// Creates the sleeper.
    public init() {}
    /// Sleeps for `seconds`.
    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { try Task.checkCancellation(); return }
        try await Task.sleep(nanoseconds: UInt64(min(seconds, 365 * 86_400) * 1_000_000_000))
    }
}
