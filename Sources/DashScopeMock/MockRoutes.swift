#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// Where a request goes, decided from its method and path alone.
enum Endpoint: Equatable {
    case generate(GenerationRoute)
    case video(VideoRoute)
    case chat
    case task(String)
    case cancel(String)
    case list
    case stats
    case policy
    case ossUpload
    case file(id: String, index: Int, format: MediaFormat)
    case unknown

    /// Matches a method and a decoded path against the routes the mock serves.
    init(method: String, path: String) {
        let parts = path.split(separator: "/").map(String.init)
        if method == "POST", let route = GenerationRoute.allCases.first(where: { $0.path == path }) {
            self = .generate(route)
        } else if method == "POST", let route = VideoRoute.allCases.first(where: { $0.path == path }) {
            self = .video(route)
        } else if method == "GET", path == MockStats.path {
            self = .stats
        } else if method == "GET", path == "/api/v1/uploads" {
            self = .policy
        } else if method == "POST", path == MockService.ossPath {
            self = .ossUpload
        } else if method == "POST", path == ChatJob.path {
            self = .chat
        } else if parts.count >= 3, Array(parts[0..<3]) == ["api", "v1", "tasks"] {
            self = Self.taskEndpoint(method, Array(parts.dropFirst(3)))
        } else if method == "GET" || method == "HEAD", parts.count == 3, parts[0] == "files",
                  let (index, format) = Self.fileName(parts[2]) {
            self = .file(id: parts[1], index: index, format: format)
        } else {
            self = .unknown
        }
    }

    /// The fault route a request to this endpoint counts as; nil for paths no route serves.
    var faultRoute: Fault.Route? {
        switch self {
        case .generate, .video, .chat: .create
        case .task: .task
        case .cancel: .cancel
        case .list: .list
        case .file: .file
        case .policy: .policy
        case .ossUpload: .oss
        case .stats, .unknown: nil
        }
    }

    /// Whether the endpoint speaks the OpenAI-compatible protocol (its own error shape).
    var isCompatible: Bool {
        self == .chat
    }

    /// Whether requests to the endpoint need the API key: everything but downloads and unknown paths.
    var needsKey: Bool {
        switch self {
        case .file, .stats, .unknown, .ossUpload: false
        case .generate, .video, .chat, .task, .cancel, .list, .policy: true
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

    /// Reads `INDEX.EXT`, e.g. `0.png`, `2.mp4`.
    private static func fileName(_ name: String) -> (Int, MediaFormat)? {
        let pieces = name.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count == 2, let format = MediaFormat(rawValue: String(pieces[1])),
              !pieces[0].isEmpty, pieces[0].allSatisfy({ $0.isASCII && $0.isNumber }), let index = Int(pieces[0]) else {
            return nil
        }
        return (index, format)
    }
}

/// The route handlers, each answering one endpoint of API.md.
extension MockService {
    /// Answers a request that passed the key check.
    func route(_ exchange: Exchange) throws(ServiceError) -> HTTPResponse {
        let request = exchange.request
        let requestID = exchange.requestID
        switch exchange.endpoint {
        case .generate(.messagesSync) where SpeechJob.claims(request.bodyData()):
            return try speech(exchange)
        case .generate(let route):
            return try generate(exchange, route: route)
        case .video(let route):
            return try createVideo(exchange, route: route)
        case .chat:
            return try chat(exchange)
        case .task(let id):
            return queryTask(id, requestID: requestID)
        case .cancel(let id):
            return try cancelTask(id, requestID: requestID)
        case .list:
            return try listTasks(request.query, requestID: requestID)
        case .file(let id, let index, let format):
            let file = format.file(id: id, index: index, videoBytes: options.videoBytes)
            let etag = "\"\(String(PNG.fnv1a(Array("\(id)/\(index).\(format.rawValue)/\(file.count)".utf8)), radix: 16))\""
            var answer = MockDownloads.answer(
                file, format: format, range: request.header("range"), etag: etag, ifRange: request.header("if-range")
            )
            answer.onBodySent = { [self] count in countFileBytes(count) }
            return answer
        case .stats:
            return MockJSON.response(statistics().json)
        case .policy:
            return try issuePolicy(exchange)
        case .ossUpload:
            return try storeUpload(exchange)
        case .unknown:
            throw .notFound(request.method, request.path)
        }
    }

    // MARK: - Generation

    private func generate(_ exchange: Exchange, route: GenerationRoute) throws(ServiceError) -> HTTPResponse {
        let request = exchange.request
        let requestID = exchange.requestID
        let asks = request.enables("x-dashscope-async")
        if route.isAsync, !asks {
            throw .asyncRequired
        }
        if !route.isAsync, asks {
            throw .syncRequired
        }
        let job = try ImageJob(body: request.bodyData(), route: route, urls: imageURLCheck(for: request))
        guard route.isAsync else {
            Threads.sleep(seconds: max(0, min(options.taskSeconds, 0.2)))
            let bends = try takeSyncBendsOrFail()
            let finished = job.finishedOutput(origin: origin, id: exchange.fileID ?? requestID, bends: bends)
            return MockJSON.response(["request_id": requestID, "output": finished.output, "usage": finished.usage])
        }
        return startTask(job, requestID: requestID)
    }

    // MARK: - Tasks

    private func queryTask(_ id: String, requestID: String) -> HTTPResponse {
        let now = clock()
        guard let (task, shownStatus) = withTasks({ $0.query(id, at: now) }) else {
            return MockJSON.response(["request_id": requestID, "output": ["task_id": id, "task_status": "UNKNOWN"]])
        }
        var answer = task.query(at: now, origin: origin)
        if let shownStatus {
            answer.output["task_status"] = shownStatus.isEmpty ? nil : shownStatus
        }
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
