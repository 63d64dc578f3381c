#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The states of an async task (API.md section 4), plus whatever else the service may send.
public enum TaskStatus: Sendable, Hashable {
    case pending, running, suspended, succeeded, failed, canceled, unknown
    /// A `task_status` outside API.md section 4, as sent; empty when the field was missing. Not final: polling goes on.
    case unrecognized(String)

    /// Reads a wire value leniently (any letter case, surrounding spaces); anything else is `.unrecognized`.
    public init(wire text: String) {
        self = Self.documented[text.trimmingBlanks().uppercased()] ?? .unrecognized(text)
    }

    /// The documented statuses by their wire names.
    private static let documented = Dictionary(uniqueKeysWithValues: [TaskStatus.pending, .running, .suspended, .succeeded,
                                                                      .failed, .canceled, .unknown].map { ($0.rawValue, $0) })

    /// The wire name (`RUNNING`), or the unrecognised text as sent (unescaped: escape it before printing).
    public var rawValue: String {
        switch self {
        case .pending: "PENDING"
        case .running: "RUNNING"
        case .suspended: "SUSPENDED"
        case .succeeded: "SUCCEEDED"
        case .failed: "FAILED"
        case .canceled: "CANCELED"
        case .unknown: "UNKNOWN"
        case let .unrecognized(text): text
        }
    }

    /// Whether polling should stop: `UNKNOWN` (missing or expired) is final too; an unrecognised status is not.
    public var isFinal: Bool { [.succeeded, .failed, .canceled, .unknown].contains(self) }
}

/// One answer of `GET /tasks/{id}`.
public struct TaskSnapshot: Sendable {
    /// The task id.
    public var taskID: String
    /// The status; a missing or undocumented one is `.unrecognized`, never `UNKNOWN`.
    public var status: TaskStatus
    /// The request id of this query.
    public var requestID: String?
    /// `output`, as sent.
    public var output: JSON
    /// `usage`, as sent.
    public var usage: JSON?
    /// The whole answer.
    public var raw: JSON

    /// Reads a task answer.
    public init(json: JSON, fallbackID: String) {
        raw = json
        output = json["output"] ?? .object([])
        taskID = output["task_id"]?.string ?? fallbackID
        let field = output["task_status"].flatMap { $0.isNull ? nil : $0 }
        status = TaskStatus(wire: field.map { $0.string ?? $0.compact } ?? "")
        requestID = json["request_id"]?.string
        usage = json["usage"]
    }

    /// The failure code of a FAILED task.
    public var code: String? { output["code"]?.string }
    /// The failure message of a FAILED task.
    public var message: String? { output["message"]?.string }
}

/// The task endpoints: query, cancel, list.
public struct TasksAPI: Sendable {
    /// The client calls go through.
    public var client: APIClient

    /// Creates the API over a client.
    public init(client: APIClient) { self.client = client }

    /// Refuses ids that cannot be task ids before they reach a URL path.
    public static func checkID(_ id: String) throws {
        _ = try TaskID.user(id)
    }

    /// `GET /tasks/{id}`, given up at `deadline` (nil: the client's usual bounded retries).
    public func status(_ id: String, deadline: Date? = nil) async throws -> TaskSnapshot {
        try Self.checkID(id)
        let json = try await client.perform(Endpoint(method: "GET", path: "/tasks/\(id)", kind: .idempotent), deadline: deadline)
        return TaskSnapshot(json: json, fallbackID: id)
    }

    /// `POST /tasks/{id}/cancel`.
    public func cancel(_ id: String) async throws -> JSON {
        try Self.checkID(id)
        return try await client.perform(Endpoint(method: "POST", path: "/tasks/\(id)/cancel", kind: .idempotent))
    }

    /// The filters of `GET /tasks`.
    public struct ListQuery: Sendable {
        /// Page number, from 1.
        public var page: Int = 1
        /// Entries per page.
        public var pageSize: Int = 10
        /// Only tasks in this status.
        public var status: String?
        /// Only tasks of this model.
        public var model: String?
        /// `YYYYMMDDhhmmss`.
        public var startTime: String?
        /// `YYYYMMDDhhmmss`.
        public var endTime: String?
        /// Creates a query.
        public init() {}

        /// The query items, in the documented order.
        public var items: [(String, String)] {
            var items = [("page_no", String(page)), ("page_size", String(pageSize))]
            if let status { items.append(("status", status)) }
            if let model { items.append(("model_name", model)) }
            if let startTime { items.append(("start_time", startTime)) }
            if let endTime { items.append(("end_time", endTime)) }
            return items
        }
    }

    /// `GET /tasks?...`.
    public func list(_ query: ListQuery) async throws -> JSON {
        try await client.perform(Endpoint(method: "GET", path: "/tasks", query: query.items, kind: .idempotent))
    }
}
