import Foundation

/// How the mock behaves: where it listens, how long tasks take, which key it accepts and which faults wait.
public struct MockOptions: Sendable, Equatable {
    /// The port to listen on; 0 picks a free one.
    public var port: UInt16 = 0
    /// Seconds a task takes to go PENDING → RUNNING → SUCCEEDED; 0 finishes tasks at their first query.
    public var taskSeconds: Double = 2
    /// The only key accepted; nil accepts any Bearer token starting with `sk-`.
    public var acceptedKey: String?
    /// Faults queued from the start.
    public var faults: [Fault] = []

    /// Creates options; every argument has the default a person trying the tool would want.
    public init(port: UInt16 = 0, taskSeconds: Double = 2, acceptedKey: String? = nil, faults: [Fault] = []) {
        self.port = port
        self.taskSeconds = taskSeconds
        self.acceptedKey = acceptedKey
        self.faults = faults
    }
}

/// An offline DashScope on 127.0.0.1: the image routes of API.md, deterministic PNGs, request recording, fault injection.
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
            let server = try HTTPServer(port: service.options.port, handler: service)
            boundPort.withLock { $0 = server.port }
            service.origin = "http://127.0.0.1:\(server.port)"
            server.start()
            current = server
            return server.port
        }
    }

    /// The bound port, or 0 before `start()`.
    public var port: UInt16 {
        boundPort.withLock { $0 }
    }

    /// `http://127.0.0.1:PORT`; clients append `/api/v1`.
    public var origin: String {
        "http://127.0.0.1:\(port)"
    }

    /// Closes the listening socket, ends the accept loop and cuts off connections still open.
    public func stop() {
        let server = listener.withLock { current in
            defer { current = nil }
            return current
        }
        server?.stop()
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
