import Foundation

/// The mock's request handling: records each request, applies injected faults, checks the key, then routes.
final class MockService: HTTPHandler {
    private struct State: Sendable {
        var origin = ""
        var requests: [RecordedRequest] = []
        var faults = FaultQueue()
        var tasks = TaskStore()
        var created = 0
        var polls: [String: Int] = [:]
    }

    let options: MockOptions
    let clock: @Sendable () -> Date
    private let state = Locked(State())

    /// Creates the service with the options' faults already queued; `clock` tells the time tasks are measured by.
    init(options: MockOptions, clock: @escaping @Sendable () -> Date) {
        self.options = options
        self.clock = clock
        options.faults.forEach(inject)
    }

    /// The origin put into result URLs, `http://127.0.0.1:PORT`.
    var origin: String {
        get { state.withLock { $0.origin } }
        set { state.withLock { $0.origin = newValue } }
    }

    /// Every request received so far, in arrival order.
    var requests: [RecordedRequest] {
        state.withLock { $0.requests }
    }

    /// Forgets the recorded requests.
    func clearRequests() {
        state.withLock { $0.requests.removeAll() }
    }

    /// How many times `GET /api/v1/tasks/{taskID}` was asked.
    func pollCount(_ taskID: String) -> Int {
        state.withLock { $0.polls[taskID] ?? 0 }
    }

    /// The duration of the task being created now: the next of `options.taskDurations`, cycling.
    func nextTaskDuration() -> Double {
        state.withLock { state in
            defer { state.created += 1 }
            return options.taskDuration(forTaskNumber: state.created)
        }
    }

    /// Queues a fault.
    func inject(_ fault: Fault) {
        state.withLock { $0.faults.add(fault) }
    }

    /// Runs `body` on the task store under the lock.
    func withTasks<Result>(_ body: (inout TaskStore) -> Result) -> Result {
        state.withLock { body(&$0.tasks) }
    }

    /// Decides the outcome of a task being created now, consuming a `fail`, `unknown` or `partial` fault if one waits.
    func takeTaskOutcome() -> TaskOutcome {
        state.withLock { $0.faults.takeOutcome() }
    }

    // MARK: - HTTPHandler

    func reply(to request: HTTPRequest) -> HTTPReply {
        let endpoint = Endpoint(method: request.method, path: request.path)
        let fault = state.withLock { state in
            state.requests.append(RecordedRequest(request))
            if case .task(let id) = endpoint {
                state.polls[id, default: 0] += 1
            }
            return state.faults.take(for: endpoint.faultRoute)
        }
        let requestID = MockJSON.newID()
        guard let fault else {
            return .respond(answer(request, endpoint: endpoint, requestID: requestID))
        }
        var response: HTTPResponse
        switch fault.kind {
        case .drop:
            return .drop
        case .throttle:
            let retryAfter = max(0, Int(fault.seconds.rounded(.up)))
            response = ServiceError.throttled(retryAfter: retryAfter).response(requestID: requestID)
        case .internalError:
            response = ServiceError.internalError.response(requestID: requestID)
        case .unavailable:
            response = ServiceError.unavailable.response(requestID: requestID)
        case .slow, .truncate, .fail, .unknown, .partial:
            response = answer(request, endpoint: endpoint, requestID: requestID)
        }
        response.delivery = fault.delivery
        return .respond(response)
    }

    func reply(toMalformed error: HTTPRequestError) -> HTTPResponse {
        ServiceError.unreadable(error).response()
    }

    // MARK: - Checks before routing

    private func answer(_ request: HTTPRequest, endpoint: Endpoint, requestID: String) -> HTTPResponse {
        do throws(ServiceError) {
            if request.path.hasPrefix("/api/") {
                try authorize(request)
            }
            return try route(request, to: endpoint, requestID: requestID)
        } catch {
            return error.response(requestID: requestID)
        }
    }

    private func authorize(_ request: HTTPRequest) throws(ServiceError) {
        let value = request.header("authorization")?.trimmingCharacters(in: .whitespaces) ?? ""
        let parts = value.split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        let bareScheme = parts.count == 1 && parts[0].lowercased() == "bearer"
        guard !value.isEmpty, !bareScheme else {
            throw .missingKey
        }
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw .invalidKey
        }
        let key = parts[1]
        let accepted = options.acceptedKey.map { key == $0 } ?? key.hasPrefix("sk-")
        guard accepted else {
            throw .invalidKey
        }
    }
}
