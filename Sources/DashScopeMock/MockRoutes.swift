import Foundation

/// Where a request goes, decided from its method and path alone.
enum Endpoint: Equatable {
    case generate(GenerationRoute)
    case task(String)
    case cancel(String)
    case list
    case file(id: String, index: Int)
    case unknown

    /// Matches a method and a decoded path against the routes the mock serves.
    init(method: String, path: String) {
        let parts = path.split(separator: "/").map(String.init)
        if method == "POST", let route = GenerationRoute.allCases.first(where: { $0.path == path }) {
            self = .generate(route)
        } else if parts.count >= 3, Array(parts[0..<3]) == ["api", "v1", "tasks"] {
            self = Self.taskEndpoint(method, Array(parts.dropFirst(3)))
        } else if method == "GET", parts.count == 3, parts[0] == "files", let index = Self.fileIndex(parts[2]) {
            self = .file(id: parts[1], index: index)
        } else {
            self = .unknown
        }
    }

    /// The fault route a request to this endpoint counts as; nil for paths no route serves.
    var faultRoute: Fault.Route? {
        switch self {
        case .generate: .create
        case .task: .task
        case .cancel: .cancel
        case .list: .list
        case .file: .file
        case .unknown: nil
        }
    }

    private static func taskEndpoint(_ method: String, _ rest: [String]) -> Endpoint {
        switch (method, rest.count) {
        case ("GET", 0): .list
        case ("GET", 1): .task(rest[0])
        case ("POST", 2) where rest[1] == "cancel": .cancel(rest[0])
        default: .unknown
        }
    }

    private static func fileIndex(_ name: String) -> Int? {
        guard name.hasSuffix(".png") else {
            return nil
        }
        let digits = name.dropLast(4)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return nil
        }
        return Int(digits)
    }
}

/// The route handlers, each answering one endpoint of API.md.
extension MockService {
    /// Answers a request that passed the key check.
    func route(_ request: HTTPRequest, to endpoint: Endpoint, requestID: String) throws(ServiceError) -> HTTPResponse {
        switch endpoint {
        case .generate(let route):
            try generate(request, route: route, requestID: requestID)
        case .task(let id):
            queryTask(id, requestID: requestID)
        case .cancel(let id):
            try cancelTask(id, requestID: requestID)
        case .list:
            try listTasks(request.query, requestID: requestID)
        case .file(let id, let index):
            HTTPResponse(
                status: 200, headers: [(name: "Content-Type", value: "image/png")], body: PNG.picture(id: id, index: index)
            )
        case .unknown:
            throw .notFound(request.method, request.path)
        }
    }

    // MARK: - Generation

    private func generate(
        _ request: HTTPRequest, route: GenerationRoute, requestID: String
    ) throws(ServiceError) -> HTTPResponse {
        let asks = request.header("x-dashscope-async")?.trimmingCharacters(in: .whitespaces).lowercased() == "enable"
        if route.isAsync, !asks {
            throw .asyncRequired
        }
        if !route.isAsync, asks {
            throw .syncRequired
        }
        let job = try ImageJob(body: request.body, route: route)
        guard route.isAsync else {
            Thread.sleep(forTimeInterval: max(0, min(options.taskSeconds, 0.2)))
            let finished = job.finishedOutput(origin: origin, id: requestID, lastFailed: false)
            return MockJSON.response(["request_id": requestID, "output": finished.output, "usage": finished.usage])
        }
        let task = MockTask(
            id: MockJSON.newID(), job: job, submitted: clock(), duration: nextTaskDuration(),
            outcome: takeTaskOutcome()
        )
        withTasks { $0.add(task) }
        return MockJSON.response(["request_id": requestID, "output": ["task_id": task.id, "task_status": "PENDING"]])
    }

    // MARK: - Tasks

    private func queryTask(_ id: String, requestID: String) -> HTTPResponse {
        guard let task = withTasks({ $0.task(id) }) else {
            return MockJSON.response(["request_id": requestID, "output": ["task_id": id, "task_status": "UNKNOWN"]])
        }
        let answer = task.query(at: clock(), origin: origin)
        var body: [String: Any] = ["request_id": requestID, "output": answer.output]
        body["usage"] = answer.usage
        return MockJSON.response(body)
    }

    private func cancelTask(_ id: String, requestID: String) throws(ServiceError) -> HTTPResponse {
        let now = clock()
        guard withTasks({ $0.cancel(id, at: now) }) else {
            throw .cancelRefused
        }
        return MockJSON.response(["request_id": requestID])
    }

    private func listTasks(_ query: [String: String], requestID: String) throws(ServiceError) -> HTTPResponse {
        func value(_ name: String) -> String? {
            query[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        func number(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws(ServiceError) -> Int {
            guard let text = value(name) else {
                return fallback
            }
            guard let number = Int(text), range.contains(number) else {
                throw .invalidParameter(
                    "Field \(name) must be an integer between \(range.lowerBound) and \(range.upperBound)."
                )
            }
            return number
        }
        func time(_ name: String) throws(ServiceError) -> Date? {
            guard let text = value(name) else {
                return nil
            }
            guard let date = MockTime.parseCompact(text) else {
                throw .invalidParameter("Field \(name) must be written YYYYMMDDhhmmss.")
            }
            return date
        }
        let pageNo = try number("page_no", default: 1, range: 1...1_000_000)
        let pageSize = try number("page_size", default: 10, range: 1...100)
        let filter = TaskFilter(
            status: value("status"), model: value("model_name"),
            start: try time("start_time"), end: try time("end_time")
        )
        let now = clock()
        let tasks = withTasks { $0.list(filter, at: now) }
        let page = tasks.dropFirst((pageNo - 1) * pageSize).prefix(pageSize)
        return MockJSON.response([
            "request_id": requestID, "page_no": pageNo, "page_size": pageSize, "total": tasks.count,
            "tasks": page.map { $0.listEntry(at: now) },
        ])
    }
}
