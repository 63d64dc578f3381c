import Foundation

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

    /// Creates a retrier.
    public init(policy: RetryPolicy = .standard, sleeper: any Sleeper = TaskSleeper(),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, logger: Logger = .silent) {
        self.policy = policy
        self.sleeper = sleeper
        self.random = random
        self.logger = logger
    }

    /// Calls `attempt` until it gives a final answer: a non-retryable status, a success, or the last allowed try.
    /// Transport errors that may not be retried, or that remain after the last try, are rethrown.
    public func run(kind: RequestKind, what: String, _ attempt: () async throws -> HTTPResponse) async throws -> HTTPResponse {
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
                guard tries < policy.maxAttempts,
                      policy.shouldRetry(status: response.status, body: response.body, kind: kind) else { return response }
                reason = "HTTP \(response.status)"
                headers = response.headers
            case let .failure(error):
                guard tries < policy.maxAttempts, policy.shouldRetry(error, kind: kind) else { throw error }
                reason = error.message
            }
            let wait = policy.delay(retry: tries, headers: headers, random: random())
            logger.notice("\(what): \(reason); retrying in \(Self.format(seconds: wait)) (attempt \(tries + 1) of \(policy.maxAttempts))")
            try await sleeper.sleep(seconds: wait)
        }
    }

    static func format(seconds: Double) -> String {
        seconds < 10 ? String(format: "%.1fs", seconds) : "\(Int(seconds.rounded()))s"
    }
}
