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
        /// The request is answered `302 Found` with `Location: value`.
        case redirect
        /// The request is answered 200 with a JSON body of `seconds` megabytes, sent chunked.
        case huge
        /// The next created task ends FAILED.
        case fail
        /// Queries for the next created task answer UNKNOWN, like an expired task.
        case unknown
        /// The next created task succeeds but its last image failed.
        case partial
        /// The next created task, or sync answer, ends FAILED with `value` as its `message`.
        case message
        /// The next created task, or sync answer, ends FAILED with `value` as its `code`.
        case code
        /// The next created task's, or sync answer's, result URLs are all `value`.
        case resultURL = "result-url"
        /// The next created task gets `value` as its id.
        case taskID = "task-id"
        /// The first `count` queries of the next created task answer `task_status` `value` (empty: no such field).
        case status
        /// The next created task's, or sync answer's, `usage` holds numbers no double can carry exactly.
        case bigNumbers = "big-numbers"
        /// Answers carry `value` as their `request_id`.
        case requestID = "request-id"
        /// Error answers quote the request's Authorization header in their `message`.
        case echoKey = "echo-key"
        /// A file download is sent in small pieces spread over `seconds`.
        case slow
        /// A file download declares its full Content-Length but sends only half the bytes.
        case truncate
        /// Like `truncate`: half of the declared bytes, then the connection closes, so a client can resume with Range.
        case dropHalf = "drop-half"
        /// A file download sends half its bytes, then nothing for `seconds`, then closes.
        case stall
        /// A file download sends one byte every `seconds` (default 1) until the client leaves (at most 120 s), then closes.
        case trickle
        /// A file download answers 200 with an empty body.
        case empty
        /// A file download answers 204 No Content.
        case noContent = "no-content"
        /// A file download answers 206 with the first half of the file although no Range was asked.
        case partialContent = "partial-content"
        /// getPolicy (`GET /api/v1/uploads`) answers 403 `AccessDenied`.
        case policyRefused = "policy-refused"
        /// The OSS form upload (`POST /oss`) answers 500 `InternalError` in XML.
        case ossError = "oss-error"
        /// The next streamed sync answer (tts `--stream`) stops after half its events: the connection closes mid-body.
        case cut
        /// A streamed answer (SSE) stops after `seconds` events (default 1): the connection closes mid-body.
        case streamCut = "stream-cut"
        /// A streamed answer sends an error frame after `seconds` events (default 1), then ends.
        case streamError = "stream-error"
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
        /// `GET /api/v1/uploads?action=getPolicy`.
        case policy
        /// `POST /oss`, the form upload to the mock's OSS.
        case oss
        /// Every request.
        case any
    }

    /// What goes wrong.
    public var kind: Kind
    /// The text a kind needs (`redirect`'s URL, `message`'s message ...); nil for kinds that take none.
    public var value: String?
    /// Which requests it applies to (ignored by the kinds that bend the next created task).
    public var route: Route
    /// How many times it happens before it disappears; for `status`, how many queries see the odd status.
    public var count: Int
    /// `Retry-After` for `429`, the length of `slow` and `stall`, the pause between `trickle` bytes, the megabytes of
    /// `huge`; unused by the other kinds.
    public var seconds: Double

    /// Creates a fault from typed parts, `value` taken as is (it may hold any character, escapes included).
    public init(_ kind: Kind, value: String? = nil, route: Route = .any, count: Int = 1, seconds: Double = 1) {
        self.kind = kind
        self.value = value
        self.route = route
        self.count = count
        self.seconds = seconds
    }

    /// Parses `KIND[=VALUE][@ROUTE][*COUNT][:SECONDS]`, e.g. `429@create*2:1`, `huge:64@create`, `task-id=../x`.
    ///
    /// Without `=VALUE` the suffixes may come in any order. With it, VALUE runs to the end of the spec except a
    /// trailing `@ROUTE`, `*COUNT`, `:SECONDS`, in that order, each taken only when valid (a known route, a whole
    /// number, a number): so `redirect=file:///etc/passwd@file` redirects downloads, and a value that itself ends
    /// like a suffix (`redirect=http://h:6379`) is kept whole by writing a route after it (`...:6379@any`).
    public init(spec: String) throws {
        let parts = try FaultSpec(spec)
        guard let kind = Kind(rawValue: parts.kind.lowercased()) else {
            let kinds = Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw FaultSpec.refuse(spec, "unknown kind \"\(parts.kind)\"; kinds are \(kinds)")
        }
        switch (kind.takesValue, parts.value) {
        case (false, _?):
            throw FaultSpec.refuse(spec, "\(kind.rawValue) takes no =VALUE")
        case (true, nil):
            throw FaultSpec.refuse(spec, "\(kind.rawValue) needs a value, e.g. \(kind.rawValue)=TEXT")
        case (true, ""?) where kind == .redirect:
            throw FaultSpec.refuse(spec, "redirect needs a URL, e.g. redirect=file:///etc/passwd@file")
        default:
            break
        }
        if kind.role == .download, parts.route != .file, parts.route != .any {
            throw FaultSpec.refuse(spec, "\(kind.rawValue) acts on file downloads only; use @file or no route")
        }
        if let own = kind.ownRoute, parts.route != own, parts.route != .any {
            throw FaultSpec.refuse(spec, "\(kind.rawValue) acts on @\(own.rawValue) only; use it or no route")
        }
        self.init(kind, value: parts.value, route: parts.route, count: parts.count, seconds: parts.seconds)
    }

    /// The fault written as a spec that parses back to it, e.g. `429@create*2:1`.
    public var description: String {
        let valuePart = value.map { "=\($0)" } ?? ""
        return "\(kind.rawValue)\(valuePart)@\(route.rawValue)*\(count):\(seconds.compactText)"
    }

    /// Whether the fault replaces the answer to (or changes the delivery of) a request on `requestRoute`;
    /// nil stands for a request no route serves.
    func interrupts(_ requestRoute: Route?) -> Bool {
        switch kind.role {
        case .answer: route == .any || route == requestRoute
        case .upload: requestRoute != nil && requestRoute == kind.ownRoute
        case .download: requestRoute == .file && (route == .file || route == .any)
        case .task, .decoration: false
        }
    }

    /// Whether a decoration (`request-id`, `echo-key`) applies to the answer to a request on `requestRoute`;
    /// `@any` leaves file downloads alone, since they carry no JSON.
    func decorates(_ requestRoute: Route?) -> Bool {
        kind.role == .decoration && (route == .any ? requestRoute != .file : route == requestRoute)
    }
}

extension Fault.Kind {
    /// How a kind acts.
    enum Role {
        /// It replaces the answer to a request on its route.
        case answer
        /// It changes a file download's answer or how it is delivered.
        case download
        /// It bends the next created task (some also the next sync answer); its route is ignored.
        case task
        /// It alters answers that are otherwise normal.
        case decoration
        /// It replaces the answer of one upload endpoint, its `ownRoute`.
        case upload
    }

    /// How the kind acts, as data rather than a list of checks.
    var role: Role {
        switch self {
        case .throttle, .internalError, .unavailable, .drop, .redirect, .huge: .answer
        case .slow, .truncate, .dropHalf, .stall, .trickle, .empty, .noContent, .partialContent: .download
        case .fail, .unknown, .partial, .message, .code, .resultURL, .taskID, .status, .bigNumbers, .cut: .task
        case .requestID, .echoKey, .streamCut, .streamError: .decoration
        case .policyRefused, .ossError: .upload
        }
    }

    /// The only route an upload kind acts on; nil for the other kinds.
    var ownRoute: Fault.Route? {
        switch self {
        case .policyRefused: .policy
        case .ossError: .oss
        default: nil
        }
    }

    /// Whether the kind is written `KIND=VALUE`.
    var takesValue: Bool {
        switch self {
        case .redirect, .message, .code, .resultURL, .taskID, .status, .requestID: true
        default: false
        }
    }

    /// The task outcome the kind forces, for the kinds that decide how the next created task ends.
    var taskOutcome: TaskOutcome? {
        switch self {
        case .fail: .failure
        case .unknown: .unknown
        case .partial: .partial
        default: nil
        }
    }
}

/// A fault spec split into its parts, before the kind is looked up.
private struct FaultSpec {
    var kind: Substring
    var value: String?
    var route = Fault.Route.any
    var count = 1
    var seconds = 1.0

    static let grammar = "KIND[=VALUE][@ROUTE][*COUNT][:SECONDS]"

    static func refuse(_ spec: String, _ reason: String) -> MockServerError {
        MockServerError("invalid fault \"\(spec)\": \(reason) (expected \(grammar), e.g. 429@create*2:1)")
    }

    init(_ spec: String) throws {
        if let equals = spec.firstIndex(of: "=") {
            kind = spec[..<equals]
            var rest = spec[spec.index(after: equals)...]
            if let colon = rest.lastIndex(of: ":"), let value = Self.seconds(rest[rest.index(after: colon)...]) {
                seconds = value
                rest = rest[..<colon]
            }
            if let star = rest.lastIndex(of: "*"), let value = Self.count(rest[rest.index(after: star)...]) {
                count = value
                rest = rest[..<star]
            }
            if let at = rest.lastIndex(of: "@"),
               let value = Fault.Route(rawValue: rest[rest.index(after: at)...].lowercased()) {
                route = value
                rest = rest[..<at]
            }
            value = String(rest)
            return
        }
        let marks: Set<Character> = ["@", "*", ":"]
        let end = spec.firstIndex(where: marks.contains) ?? spec.endIndex
        kind = spec[..<end]
        var seen: Set<Character> = []
        var start = end
        while start < spec.endIndex {
            let mark = spec[start]
            let next = spec[spec.index(after: start)...].firstIndex(where: marks.contains) ?? spec.endIndex
            let text = spec[spec.index(after: start)..<next]
            guard seen.insert(mark).inserted else {
                throw Self.refuse(spec, "\(mark) is given twice")
            }
            try take(mark, text, spec: spec)
            start = next
        }
    }

    private mutating func take(_ mark: Character, _ text: Substring, spec: String) throws {
        switch mark {
        case "@":
            guard let value = Fault.Route(rawValue: text.lowercased()) else {
                let routes = Fault.Route.allCases.map(\.rawValue).joined(separator: ", ")
                throw Self.refuse(spec, "unknown route \"\(text)\"; routes are \(routes)")
            }
            route = value
        case "*":
            guard let value = Self.count(text) else {
                throw Self.refuse(spec, "COUNT must be a whole number, 1 or more")
            }
            count = value
        default:
            guard let value = Self.seconds(text) else {
                throw Self.refuse(spec, "SECONDS must be a number of seconds, 0 or more")
            }
            seconds = value
        }
    }

    private static func count(_ text: Substring) -> Int? {
        Int(text).flatMap { $0 >= 1 ? $0 : nil }
    }

    private static func seconds(_ text: Substring) -> Double? {
        Double(text).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
    }
}

extension Double {
    /// A number of seconds written shortly: `2` rather than `2.0`, `0.5` as is.
    var compactText: String {
        self == rounded() && abs(self) < 1e9 ? String(Int(self)) : String(self)
    }
}
