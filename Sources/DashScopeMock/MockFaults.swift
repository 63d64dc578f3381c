/// A failure the mock injects on purpose; each fault is used `count` times, then disappears.
public struct Fault: Sendable, Equatable, CustomStringConvertible {
    /// What goes wrong.
    public enum Kind: String, Sendable, CaseIterable {
        /// HTTP 429 `Throttling.RateQuota` with `Retry-After: seconds`.
        case throttle = "429"
        /// HTTP 500 `InternalError`.
        case internalError = "500"
        /// HTTP 503 `ServiceUnavailable`.
        case unavailable = "503"
        /// The request is read and recorded, then the connection is closed without an answer.
        case drop
        /// The next created task ends FAILED.
        case fail
        /// Queries for the next created task answer UNKNOWN, like an expired task.
        case unknown
        /// The next created task succeeds but its last image failed.
        case partial
        /// A file download is sent in small pieces spread over `seconds`.
        case slow
        /// A file download declares its full Content-Length but sends only half the bytes.
        case truncate
    }

    /// Which requests a fault applies to.
    public enum Route: String, Sendable, CaseIterable {
        /// Any POST that creates or generates.
        case create
        /// `GET /api/v1/tasks/{id}`.
        case task
        /// `POST /api/v1/tasks/{id}/cancel`.
        case cancel
        /// `GET /api/v1/tasks`.
        case list
        /// `GET /files/...` downloads.
        case file
        /// Every request.
        case any
    }

    /// What goes wrong.
    public var kind: Kind
    /// Which requests it applies to (ignored by `fail`, `unknown` and `partial`).
    public var route: Route
    /// How many times it happens before it disappears.
    public var count: Int
    /// `Retry-After` for `429`, the length of a `slow` download; unused by the other kinds.
    public var seconds: Double

    /// Creates a fault; `slow` and `truncate` act on file downloads only, `fail`, `unknown` and `partial` on created tasks.
    public init(_ kind: Kind, route: Route = .any, count: Int = 1, seconds: Double = 1) {
        self.kind = kind
        self.route = route
        self.count = count
        self.seconds = seconds
    }

    /// Parses `KIND[@ROUTE][*COUNT][:SECONDS]`, e.g. `429@create*2:1`, `drop@create`, `fail`, `slow@file:3`.
    public init(spec: String) throws {
        func refuse(_ reason: String) -> MockServerError {
            MockServerError(
                "invalid fault \"\(spec)\": \(reason) (expected KIND[@ROUTE][*COUNT][:SECONDS], e.g. 429@create*2:1)"
            )
        }
        var rest = Substring(spec)
        var seconds = 1.0
        var count = 1
        var route = Route.any
        if let colon = rest.lastIndex(of: ":") {
            guard let value = Double(rest[rest.index(after: colon)...]), value.isFinite, value >= 0 else {
                throw refuse("SECONDS must be a number of seconds, 0 or more")
            }
            seconds = value
            rest = rest[..<colon]
        }
        if let star = rest.lastIndex(of: "*") {
            guard let value = Int(rest[rest.index(after: star)...]), value >= 1 else {
                throw refuse("COUNT must be a whole number, 1 or more")
            }
            count = value
            rest = rest[..<star]
        }
        if let at = rest.firstIndex(of: "@") {
            let name = rest[rest.index(after: at)...].lowercased()
            guard let value = Route(rawValue: name) else {
                let routes = Route.allCases.map(\.rawValue).joined(separator: ", ")
                throw refuse("unknown route \"\(name)\"; routes are \(routes)")
            }
            route = value
            rest = rest[..<at]
        }
        guard let kind = Kind(rawValue: rest.lowercased()) else {
            let kinds = Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw refuse("unknown kind \"\(rest)\"; kinds are \(kinds)")
        }
        if kind.actsOnDownloads, route != .file, route != .any {
            throw refuse("\(kind.rawValue) acts on file downloads only; use @file or no route")
        }
        self.init(kind, route: route, count: count, seconds: seconds)
    }

    /// The fault written as a spec, e.g. `429@create*2:1`.
    public var description: String {
        "\(kind.rawValue)@\(route.rawValue)*\(count):\(seconds.compactText)"
    }

    /// Whether the fault answers (or drops) a request on `route`; nil stands for a request no route serves.
    func interrupts(_ requestRoute: Route?) -> Bool {
        switch kind {
        case .throttle, .internalError, .unavailable, .drop:
            route == .any || route == requestRoute
        case .slow, .truncate:
            requestRoute == .file && (route == .file || route == .any)
        case .fail, .unknown, .partial:
            false
        }
    }

    /// How the fault delivers the body of the answer it lets through.
    var delivery: HTTPResponse.Delivery {
        switch kind {
        case .slow: .paced(seconds: seconds)
        case .truncate: .truncated
        case .throttle, .internalError, .unavailable, .drop, .fail, .unknown, .partial: .whole
        }
    }
}

extension Fault.Kind {
    /// Whether the kind changes how a file download is delivered.
    var actsOnDownloads: Bool {
        self == .slow || self == .truncate
    }

    /// The task outcome the kind forces, for the kinds that attach to the next created task.
    var taskOutcome: TaskOutcome? {
        switch self {
        case .fail: .failure
        case .unknown: .unknown
        case .partial: .partial
        case .throttle, .internalError, .unavailable, .drop, .slow, .truncate: nil
        }
    }
}

/// The faults waiting to happen, in injection order.
struct FaultQueue: Sendable {
    private var pending: [Fault] = []

    /// Queues a fault; faults with a count below 1 never happen and are not kept.
    mutating func add(_ fault: Fault) {
        if fault.count > 0 {
            pending.append(fault)
        }
    }

    /// Takes one use of the first fault that acts on a request to `route`.
    mutating func take(for route: Fault.Route?) -> Fault? {
        takeFirst { $0.interrupts(route) }
    }

    /// Takes one use of the first fault that bends a newly created task, or returns `.success`.
    mutating func takeOutcome() -> TaskOutcome {
        takeFirst { $0.kind.taskOutcome != nil }?.kind.taskOutcome ?? .success
    }

    private mutating func takeFirst(where matches: (Fault) -> Bool) -> Fault? {
        guard let position = pending.firstIndex(where: matches) else {
            return nil
        }
        let fault = pending[position]
        pending[position].count -= 1
        if pending[position].count == 0 {
            pending.remove(at: position)
        }
        return fault
    }
}

extension Double {
    /// A number of seconds written shortly: `2` rather than `2.0`, `0.5` as is.
    var compactText: String {
        self == rounded() && abs(self) < 1e9 ? String(Int(self)) : String(self)
    }
}
