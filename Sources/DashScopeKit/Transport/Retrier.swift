#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Runs one HTTP exchange under a `RetryPolicy`, saying on stderr when and why it tries again.
public struct Retrier: Sendable {
    /// The policy.
    public var policy: RetryPolicy
    /// How waiting is done.
    public var sleeper: any Sleeper
    /// Jitter source in [0, 1).
    public var random: @Sendable () -> Double
    /// Where retry notices go.
    public var logger: Logger
    /// The current time, for deadlines.
    public var now: @Sendable () -> Date

    /// Creates a retrier.
    public init(policy: RetryPolicy = .standard, sleeper: any Sleeper = TaskSleeper(),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, logger: Logger = .silent,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.policy = policy
        self.sleeper = sleeper
        self.random = random
        self.logger = logger
        self.now = now
    }

    /// Calls `attempt` until it gives a final answer: a non-retryable status, a success, or the last allowed try.
    /// With a `deadline`, idempotent requests are tried until it (not `maxAttempts` times; `.distantFuture` means
    /// for ever), and no wait runs past it: the last answer is returned, or `deadlineReached` thrown.
    /// Transport errors that may not be retried, or that remain after the last try, are rethrown.
    public func run(kind: RequestKind, what: String, deadline: Date? = nil,
                    _ attempt: () async throws -> HTTPResponse) async throws -> HTTPResponse {
        let persistent = deadline != nil && kind == .idempotent
        var tries = 0
        while true {
            tries += 1
            let outcome: Result<HTTPResponse, TransportError>
            do {
                outcome = .success(try await attempt())
            } catch let error as TransportError {
                outcome = .failure(error)
            }
            let reason: String
            var headers: [String: String] = [:]
            switch outcome {
            case let .success(response):
                guard persistent || tries < policy.maxAttempts,
                      policy.shouldRetry(status: response.status, body: response.body, kind: kind) else { return response }
                reason = "HTTP \(response.status)"
                headers = response.headers
            case let .failure(error):
                guard persistent || tries < policy.maxAttempts, policy.shouldRetry(error, kind: kind) else { throw error }
                reason = error.message
            }
            let wait = policy.delay(retry: tries, headers: headers, random: random())
            if let deadline, now().addingTimeInterval(wait) >= deadline {
                switch outcome {
                case let .success(response): return response
                case let .failure(error): throw TransportError.deadlineReached(sent: error.maySeeRequest)
                }
            }
            let of = persistent ? "" : " of \(policy.maxAttempts)"
            logger.notice("\(what): \(reason); retrying in \(Self.format(seconds: wait)) (attempt \(tries + 1)\(of))")
            try await sleeper.sleep(seconds: wait)
        }
    }

    static func format(seconds: Double) -> String {
        seconds < 10 ? seconds.fixed(places: 1) + "s" : "\(Int(seconds.rounded()))s"
    }
}
