#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One request being answered, with the ids its answer carries.
struct Exchange {
    let request: HTTPRequest
    let endpoint: Endpoint
    /// The answer's `request_id`.
    let requestID: String
    /// The id a sync answer's file URLs use, when it cannot be `requestID` (a `request-id` fault set that).
    let fileID: String?
}

/// The mock's request handling: records each request, applies injected faults, checks the key, then routes.
final class MockService: HTTPHandler {
    private struct State: Sendable {
        var origin = ""
        var requests: [RecordedRequest] = []
        var faults = FaultQueue()
        var tasks = TaskStore()
        var created = 0
        var videosCreated = 0
        var fileBytesSent = 0
        var polls: [String: Int] = [:]
        var uploads = UploadStore()
    }

    let options: MockOptions
    let clock: @Sendable () -> Date
    /// How many connections the server has accepted; the HTTP server counts into it.
    let connections = Locked(0)
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

    /// What the benchmark measures: connections, and per task its duration, polls and lag.
    func statistics() -> MockStats {
        let connectionCount = connections.withLock { $0 }
        return state.withLock { state in
            let tasks = state.tasks.all.map { task in
                TaskStats(
                    taskID: task.id, seconds: task.duration, polls: state.polls[task.id] ?? 0,
                    lag: task.finalStatusAnswered.map { $0.timeIntervalSince(task.endTime) }
                )
            }
            return MockStats(connections: connectionCount, tasks: tasks, fileBytes: state.fileBytesSent)
        }
    }

    /// How many times `GET /api/v1/tasks/{taskID}` was asked.
    func pollCount(_ taskID: String) -> Int {
        state.withLock { $0.polls[taskID] ?? 0 }
    }

    /// The duration of the task being created now: the next of `options.taskDurations`, cycling, or for a video task
    /// the next of `options.videoDurations` when set.
    func nextTaskDuration(video: Bool = false) -> Double {
        state.withLock { state in
            if video, options.videoDurations != nil {
                defer { state.videosCreated += 1 }
                return options.taskDuration(forTaskNumber: state.videosCreated, video: true)
            }
            defer { state.created += 1 }
            return options.taskDuration(forTaskNumber: state.created)
        }
    }

    /// Adds bytes of a `/files` answer's body that went out to a client.
    func countFileBytes(_ count: Int) {
        state.withLock { $0.fileBytesSent += count }
    }

    /// Queues a fault.
    func inject(_ fault: Fault) {
        state.withLock { $0.faults.add(fault) }
    }

    /// Runs `body` on the task store under the lock.
    func withTasks<Result>(_ body: (inout TaskStore) -> Result) -> Result {
        state.withLock { body(&$0.tasks) }
    }

    /// Runs `body` on the policies and files of the mock's OSS under the lock.
    func withUploads<Result>(_ body: (inout UploadStore) -> Result) -> Result {
        state.withLock { body(&$0.uploads) }
    }

    /// Takes the faults that bend a task being created now.
    func takeBends() -> TaskBends {
        state.withLock { $0.faults.takeBends() }
    }

    /// Takes one use of the first `kind` decoration (e.g. `stream-cut`) that applies to a request on `route`.
    func takeDecoration(_ kind: Fault.Kind, for route: Fault.Route?) -> Fault? {
        state.withLock { $0.faults.takeDecoration(kind, for: route) }
    }

    /// Takes the faults that bend a sync generation answer.
    func takeSyncBends() -> TaskBends {
        state.withLock { $0.faults.takeSyncBends() }
    }

    /// Takes the faults of a sync answer, throwing the failure they ask for.
    func takeSyncBendsOrFail() throws(ServiceError) -> TaskBends {
        let bends = takeSyncBends()
        if bends.outcome == .failure {
            throw ServiceError(status: 400, code: bends.failureCode ?? "InternalError",
                               message: bends.failureMessage ?? ServiceError.internalError.message)
        }
        return bends
    }

    /// How the inputs of `request` are checked: `oss://` URLs only with the resolve header, against the uploads made.
    func imageURLCheck(for request: HTTPRequest) -> ImageURLCheck {
        ImageURLCheck(resolvesOSS: request.enables("x-dashscope-ossresourceresolve")) { [self] key in withUploads { $0.model(ofKey: key) } }
    }

    /// Creates a task of `job` with the faults queued for it and answers PENDING, as every async create does.
    func startTask(_ job: any TaskJob, requestID: String, video: Bool = false) -> HTTPResponse {
        let bends = takeBends()
        let id = bends.taskID ?? MockJSON.newID()
        let task = MockTask(
            id: id, fileID: bends.taskID == nil ? id : MockJSON.newID(), job: job, submitted: clock(),
            duration: nextTaskDuration(video: video), bends: bends
        )
        withTasks { $0.add(task) }
        return MockJSON.response(["request_id": requestID, "output": ["task_id": task.id, "task_status": "PENDING"]])
    }

    // MARK: - HTTPHandler

    func reply(to request: HTTPRequest) -> HTTPReply {
        let endpoint = Endpoint(method: request.method, path: request.path)
        if endpoint == .stats {
            return .respond(MockJSON.response(statistics().json))
        }
        let route = endpoint.faultRoute
        let fault = state.withLock { state in
            state.requests.append(RecordedRequest(request))
            if case .task(let id) = endpoint {
                state.polls[id, default: 0] += 1
            }
            return state.faults.take(for: route)
        }
        if fault?.kind == .drop {
            return .drop
        }
        let forcedID = state.withLock { $0.faults.takeDecoration(.requestID, for: route) }?.value
        let exchange = Exchange(
            request: request, endpoint: endpoint, requestID: forcedID ?? MockJSON.newID(),
            fileID: forcedID == nil ? nil : MockJSON.newID()
        )
        guard let fault else {
            return .respond(answer(exchange))
        }
        switch fault.kind {
        case .throttle:
            let retryAfter = Int(min(fault.seconds, 1e9).rounded(.up))
            return .respond(errorResponse(.throttled(retryAfter: retryAfter), exchange))
        case .internalError:
            return .respond(errorResponse(.internalError, exchange))
        case .unavailable:
            return .respond(errorResponse(.unavailable, exchange))
        case .redirect:
            let location = [(name: "Location", value: fault.value ?? "")]
            return .respond(HTTPResponse(status: 302, headers: location, body: Data()))
        case .policyRefused:
            return .respond(errorResponse(.policyRefused, exchange))
        case .ossError:
            return .respond(errorResponse(.ossInternalError, exchange))
        case .huge:
            let bytes = Int(min(fault.seconds, 1_048_576) * 1_048_576)
            return .respond(MockJSON.padded(bytes: bytes, requestID: exchange.requestID))
        default:
            var response = answer(exchange)
            fault.shape(&response)
            return .respond(response)
        }
    }

    func reply(toMalformed error: HTTPRequestError) -> HTTPResponse {
        ServiceError.unreadable(error).response()
    }

    // MARK: - Checks before routing

    private func answer(_ exchange: Exchange) -> HTTPResponse {
        do throws(ServiceError) {
            if exchange.request.path.hasPrefix("/api/") || exchange.endpoint.needsKey {
                try authorize(exchange.request)
            }
            return try route(exchange)
        } catch {
            return errorResponse(error, exchange)
        }
    }

    /// An error answer; an `echo-key` fault makes its message quote the request's Authorization header.
    private func errorResponse(_ error: ServiceError, _ exchange: Exchange) -> HTTPResponse {
        var error = error
        if state.withLock({ $0.faults.takeDecoration(.echoKey, for: exchange.endpoint.faultRoute) }) != nil {
            let received = exchange.request.header("authorization").map { "Authorization: \($0)" }
            error.message += " (received \(received ?? "no Authorization header"))"
        }
        if exchange.endpoint == .ossUpload {
            return OSSXML.response(error, requestID: exchange.requestID)
        }
        return exchange.endpoint.isCompatible
            ? error.compatibleResponse(requestID: exchange.requestID)
            : error.response(requestID: exchange.requestID)
    }

    private func authorize(_ request: HTTPRequest) throws(ServiceError) {
        let value = request.header("authorization")?.trimmingBlanks() ?? ""
        let parts = value.split(separator: " ", maxSplits: 1).map { $0.trimmingBlanks() }
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
