#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How the mock behaves: where it listens, how long tasks take, which key it accepts and which faults wait.
public struct MockOptions: Sendable, Equatable {
    /// The IPv4 address to listen on, `127.0.0.1` unless a benchmark needs a non-loopback one.
    public var bindAddress = "127.0.0.1"
    /// The port to listen on; 0 picks a free one.
    public var port: UInt16 = 0
    /// Seconds each created task takes to go PENDING → RUNNING → SUCCEEDED, taken in turn and cycling (empty: 0).
    public var taskDurations: [Double] = [2]
    /// The only key accepted; nil accepts any Bearer token starting with `sk-`.
    public var acceptedKey: String?
    /// Faults queued from the start.
    public var faults: [Fault] = []
    /// Seconds each video task takes, cycling like `taskDurations`; nil: video tasks take `taskDurations` too.
    public var videoDurations: [Double]?
    /// The size of every MP4 the mock serves, in bytes.
    public var videoBytes = MP4.defaultBytes
    /// Tokens in a streamed chat answer; nil gives the short canned answer. Each token is one line, `INDEX SECONDS`,
    /// the time it was sent (Unix seconds), so a benchmark can measure how long it took to reach the reader.
    public var chatTokens: Int?
    /// Seconds between the events of a streamed chat answer.
    public var chatDelay: Double = 0
    /// Whether a streamed chat answer's tokens are sent as SSE comments of the same size: the same arrivals with
    /// nothing to read, so a benchmark can tell the cost of waiting for a stream from the cost of reading it.
    public var chatIdle = false

    /// Creates options; every argument has the default a person trying the tool would want.
    public init(
        port: UInt16 = 0, taskSeconds: Double = 2, acceptedKey: String? = nil, faults: [Fault] = [],
        bindAddress: String = "127.0.0.1"
    ) {
        self.bindAddress = bindAddress
        self.port = port
        self.taskDurations = [taskSeconds]
        self.acceptedKey = acceptedKey
        self.faults = faults
    }

    /// Seconds the first task takes (0 finishes tasks at their first query); setting it makes every task take that long.
    public var taskSeconds: Double {
        get { taskDurations.first ?? 0 }
        set { taskDurations = [newValue] }
    }

    /// The duration of the task created `index`-th (from 0), cycling through `taskDurations`, or for a video task
    /// the `index`-th video task through `videoDurations` when set.
    func taskDuration(forTaskNumber index: Int, video: Bool = false) -> Double {
        let durations = video ? videoDurations ?? taskDurations : taskDurations
        return durations.isEmpty ? 0 : durations[index % durations.count]
    }
}

/// An offline DashScope on 127.0.0.1 (or another local address): the image and chat routes of API.md,
/// deterministic PNG, MP4 and WAV files, request recording, fault injection.
public final class MockServer: @unchecked Sendable {
    private let service: MockService
    private let listener = Locked<HTTPServer?>(nil)
    private let boundPort = Locked<UInt16>(0)

    /// Creates a stopped server; call `start()` to listen.
    public convenience init(options: MockOptions = MockOptions()) {
        self.init(options: options, clock: { Date() })
    }

    /// Creates a stopped server whose tasks age by `clock` instead of the wall clock.
    init(options: MockOptions, clock: @escaping @Sendable () -> Date) {
        service = MockService(options: options, clock: clock)
    }

    deinit {
        stop()
    }

    /// Starts listening and returns the bound port; calling it again while running returns the same port.
    @discardableResult
    public func start() throws -> UInt16 {
        try listener.withLock { current in
            if let current {
                return current.port
            }
            guard let address = Socket.ipv4Address(service.options.bindAddress) else {
                throw MockServerError(
                    "cannot listen on \"\(service.options.bindAddress)\": not an IPv4 address such as 127.0.0.1"
                )
            }
            let server = try HTTPServer(
                address: address, port: service.options.port, handler: service, acceptCounter: service.connections
            )
            boundPort.withLock { $0 = server.port }
            service.origin = origin
            server.start()
            current = server
            return server.port
        }
    }

    /// The bound port, or 0 before `start()`.
    public var port: UInt16 {
        boundPort.withLock { $0 }
    }

    /// `http://ADDRESS:PORT`, e.g. `http://127.0.0.1:8089`; clients append `/api/v1`.
    public var origin: String {
        "http://\(service.options.bindAddress):\(port)"
    }

    /// How many connections the server has accepted, counting those of earlier `start()`s.
    public var connectionCount: Int {
        service.connections.withLock { $0 }
    }

    /// Connections, and per task its duration, polls and lag; also served as JSON at `GET /mock/stats`.
    public var statistics: MockStats {
        service.statistics()
    }

    /// How many times `GET /api/v1/tasks/{taskID}` was asked, whatever the answer.
    public func pollCount(_ taskID: String) -> Int {
        service.pollCount(taskID)
    }

    /// The MP4 the mock serves as output `index` of the task `id` (its file id), at the configured `videoBytes`.
    public func videoFile(id: String, index: Int = 0) -> Data {
        MP4.movie(id: id, index: index, bytes: service.options.videoBytes)
    }

    /// Closes the listening socket, ends the accept loop and cuts off connections still open; forgets upload
    /// policies and deletes uploaded files.
    public func stop() {
        let server = listener.withLock { current in
            defer { current = nil }
            return current
        }
        server?.stop()
        service.withUploads { $0.removeAll() }
    }

    /// Every file stored through the mock's OSS form upload since the server started, in upload order.
    public var uploads: [MockUpload] {
        service.withUploads { $0.uploads }
    }

    /// The bytes stored under an OSS object key, or nil when nothing was uploaded there.
    public func uploadedData(key: String) -> Data? {
        service.withUploads { $0.data(key) }
    }

    /// Queues a fault; it acts on the next matching requests or tasks.
    public func inject(_ fault: Fault) {
        service.inject(fault)
    }

    /// Every request received so far, in arrival order, including rejected, dropped and `/files` requests.
    public var requests: [RecordedRequest] {
        service.requests
    }

    /// Forgets the recorded requests.
    public func clearRequests() {
        service.clearRequests()
    }
}
