import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One result to fetch and where it should end up.
public struct DownloadJob: Sendable {
    /// The result URL.
    public var url: String
    /// The wanted final path (a free variant is chosen unless forced).
    public var destination: String

    /// Creates a job.
    public init(url: String, destination: String) {
        self.url = url
        self.destination = destination
    }
}

/// Fetches results in parallel into temporary files beside their targets, renaming each only when complete. Never sends the key.
public struct Downloader: Sendable {
    /// The transport.
    public var transport: any HTTPTransport
    /// Retries for broken or refused downloads.
    public var retrier: Retrier
    /// How many downloads run at once.
    public var concurrency: Int

    /// Creates a downloader.
    public init(transport: any HTTPTransport, retrier: Retrier, concurrency: Int = 4) {
        self.transport = transport
        self.retrier = retrier
        self.concurrency = max(1, concurrency)
    }

    /// Fetches every job, at most `concurrency` at once; returns each saved path or error in job order.
    public func fetch(_ jobs: [DownloadJob], force: Bool) async throws -> [Result<String, DashScopeError>] {
        var results = [Result<String, DashScopeError>?](repeating: nil, count: jobs.count)
        try await withThrowingTaskGroup(of: (Int, Result<String, DashScopeError>).self) { group in
            var next = 0
            func start() {
                let i = next
                let job = jobs[i]
                group.addTask { (i, try await self.fetchOne(job, force: force)) }
                next += 1
            }
            while next < min(concurrency, jobs.count) { start() }
            while let (i, result) = try await group.next() {
                results[i] = result
                if next < jobs.count { start() }
            }
        }
        return results.map { $0! }
    }

    private func fetchOne(_ job: DownloadJob, force: Bool) async throws -> Result<String, DashScopeError> {
        guard let url = URL(string: job.url), ["http", "https"].contains(url.scheme?.lowercased() ?? "") else {
            return .failure(DashScopeError("the service gave a result URL that cannot be fetched: \(job.url)", exit: .failed))
        }
        let directory = (job.destination as NSString).deletingLastPathComponent
        let temp = directory + "/.dashscope-\(UUID().uuidString.prefix(8)).part"
        defer { unlink(temp) }
        let request = HTTPRequest(method: "GET", url: url, headers: [("User-Agent", Version.userAgent)], timeout: 60)
        let response: HTTPResponse
        do {
            response = try await retrier.run(kind: .idempotent, what: "download \(url.lastPathComponent)") {
                try await transport.download(request, to: URL(fileURLWithPath: temp), progress: nil)
            }
        } catch let error as TransportError {
            if case .writeFailed = error { return .failure(DashScopeError("cannot save \(job.destination): \(error.message)", exit: .cannotWrite)) }
            return .failure(DashScopeError("download of \(url.lastPathComponent) failed: \(error.message)",
                                           hint: "the URL stays valid for 24 h: `dashscope task wait <id>` fetches it again", exit: .unavailable))
        }
        guard (200..<300).contains(response.status) else {
            return .failure(DashScopeError("download of \(url.lastPathComponent) failed with HTTP \(response.status)",
                                           hint: "result URLs expire after 24 h", exit: .unavailable))
        }
        return Self.commit(temp, to: job.destination, force: force)
    }

    /// Moves a complete temporary file to its final name without ever replacing an existing file unless forced.
    static func commit(_ temp: String, to destination: String, force: Bool) -> Result<String, DashScopeError> {
        if force {
            guard rename(temp, destination) == 0 else { return .failure(writeError(destination)) }
            return .success(destination)
        }
        for attempt in 1...10_000 {
            let candidate = OutputPlan.freePath(destination, attempt: attempt)
            if link(temp, candidate) == 0 {
                unlink(temp)
                return .success(candidate)
            }
            if errno == EEXIST { continue }
            guard !FileManager.default.fileExists(atPath: candidate) else { continue }
            guard rename(temp, candidate) == 0 else { return .failure(writeError(candidate)) }
            return .success(candidate)
        }
        return .failure(writeError(destination))
    }

    private static func writeError(_ path: String) -> DashScopeError {
        DashScopeError("cannot save \(path): \(String(cString: strerror(errno)))", hint: "check the directory's permissions and free space", exit: .cannotWrite)
    }
}
