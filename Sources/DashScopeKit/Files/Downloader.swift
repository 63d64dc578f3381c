#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
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

/// Fetches results in parallel into temporary files beside their targets, renaming each only when complete. Never sends
/// the key. A broken download is resumed with `Range` from what its `.part` file already holds; `.part` files are
/// registered with `TemporaryFiles` so an interrupted run deletes them.
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
    /// With a `deadline` (the job's `--timeout`; `.distantFuture` for none) broken downloads are retried until it
    /// and no transfer runs past it; without one they are retried `retrier.policy.maxAttempts` times.
    /// `progress` gets a job's index and its bytes so far.
    public func fetch(_ jobs: [DownloadJob], force: Bool, deadline: Date? = nil,
                      progress: (@Sendable (Int, Int64) -> Void)? = nil) async throws -> [Result<String, DashScopeError>] {
        var results = [Result<String, DashScopeError>?](repeating: nil, count: jobs.count)
        try await withThrowingTaskGroup(of: (Int, Result<String, DashScopeError>).self) { group in
            var next = 0
            func start() {
                let i = next
                let job = jobs[i]
                let report = progress.map { report in { @Sendable (bytes: Int64) in report(i, bytes) } }
                group.addTask { (i, try await self.fetchOne(job, force: force, deadline: deadline, progress: report)) }
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

    private func fetchOne(_ job: DownloadJob, force: Bool, deadline: Date?,
                          progress: (@Sendable (Int64) -> Void)?) async throws -> Result<String, DashScopeError> {
        guard let url = URL(string: job.url), HTTPRequest.schemes.contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            return .failure(DashScopeError("the service gave a result URL that is not http or https, so it was not fetched: \(HTTPRequest.printable(job.url))",
                                           exit: .failed))
        }
        let name = HTTPRequest.printable(url.lastPathComponent)
        let directory = PathText.deletingLastComponent(job.destination)
        let temp: String
        switch Self.makeTemporaryFile(in: directory.isEmpty ? "." : directory, for: job.destination) {
        case let .success(path): temp = path
        case let .failure(error): return .failure(error)
        }
        defer {
            unlink(temp)
            TemporaryFiles.unregister(temp)
        }
        let request = HTTPRequest(method: "GET", url: url, headers: [("User-Agent", Version.userAgent)], timeout: 60, deadline: deadline)
        let file = URL(fileURLWithPath: temp)
        let response: HTTPResponse
        do {
            response = try await retrier.run(kind: .idempotent, what: "download \(name)", deadline: deadline) {
                let offset = Self.size(of: temp)
                let answer = try await transport.download(request, to: file, resumeFrom: offset, progress: progress)
                guard answer.status == 416 && offset > 0 else { return answer }
                return try await transport.download(request, to: file, resumeFrom: 0, progress: progress)
            }
        } catch let error as TransportError {
            return .failure(Self.failure(error, name: name, destination: job.destination))
        }
        guard (200..<300).contains(response.status) else {
            return .failure(DashScopeError("download of \(name) failed with HTTP \(response.status)",
                                           hint: "result URLs expire after 24 h", exit: .unavailable))
        }
        return Self.commit(temp, to: job.destination, force: force)
    }

    /// The user-facing error for a download that got no file.
    static func failure(_ error: TransportError, name: String, destination: String) -> DashScopeError {
        let again = "result URLs stay valid for 24 h, so the task can be collected again"
        switch error {
        case .writeFailed:
            return DashScopeError("cannot save \(destination): \(error.message)", hint: "check free space and permissions",
                                  exit: .cannotWrite)
        case .deadlineReached:
            return DashScopeError("download of \(name) stopped: \(error.message)", hint: again, exit: .tryLater)
        default:
            return DashScopeError("download of \(name) failed: \(error.message)", hint: error.hint ?? again, exit: .unavailable)
        }
    }

    /// Creates a new, empty `.part` file in `directory` (never through a symlink, never an existing file) and
    /// registers it for deletion if the run is stopped.
    static func makeTemporaryFile(in directory: String, for destination: String) -> Result<String, DashScopeError> {
        for _ in 0..<100 {
            let path = directory + "/.dashscope-\(UUID().uuidString.prefix(8)).part"
            TemporaryFiles.register(path)
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
            if descriptor >= 0 {
                close(descriptor)
                return .success(path)
            }
            let failure = errno
            TemporaryFiles.unregister(path)
            guard failure == EEXIST else { return .failure(writeError(destination, errno: failure)) }
        }
        return .failure(writeError(destination, errno: EEXIST))
    }

    /// The size of the file at `path`, or 0.
    static func size(of path: String) -> Int64 {
        var info = stat()
        return lstat(path, &info) == 0 ? Int64(info.st_size) : 0
    }

    /// Writes `text` beside the downloads the same way: a temporary file, renamed when complete, never over an
    /// existing file unless `force`.
    public static func save(_ text: String, to destination: String, force: Bool) -> Result<String, DashScopeError> {
        let directory = PathText.deletingLastComponent(destination)
        let temp: String
        switch makeTemporaryFile(in: directory.isEmpty ? "." : directory, for: destination) {
        case let .success(path): temp = path
        case let .failure(error): return .failure(error)
        }
        defer { unlink(temp); TemporaryFiles.unregister(temp) }
        do {
            try DescriptorIO.write(Data(text.utf8), toExisting: temp)
        } catch {
            return .failure(writeError(destination, errno: (error as? StreamWriter.Failure)?.code ?? errno))
        }
        return commit(temp, to: destination, force: force)
    }

    /// Moves a complete temporary file to its final name. Without `force` an existing name (a symlink included, even
    /// a dangling one) is never replaced: the next free variant is taken. With `force` the name itself is replaced;
    /// a symlink there is replaced as a link, never followed to write elsewhere.
    static func commit(_ temp: String, to destination: String, force: Bool) -> Result<String, DashScopeError> {
        if force {
            guard rename(temp, destination) == 0 else { return .failure(writeError(destination, errno: errno)) }
            return .success(destination)
        }
        for attempt in 1...10_000 {
            let candidate = OutputPlan.freePath(destination, attempt: attempt)
            if link(temp, candidate) == 0 {
                unlink(temp)
                return .success(candidate)
            }
            let failure = errno
            if failure == EEXIST { continue }
            // Some filesystems have no hard links: fall back to rename, skipping every name already taken.
            var info = stat()
            if lstat(candidate, &info) == 0 { continue }
            guard [EPERM, ENOTSUP, EOPNOTSUPP, EXDEV, EMLINK].contains(failure) else {
                return .failure(writeError(candidate, errno: failure))
            }
            guard rename(temp, candidate) == 0 else { return .failure(writeError(candidate, errno: errno)) }
            return .success(candidate)
        }
        return .failure(writeError(destination, errno: EEXIST))
    }

    private static func writeError(_ path: String, errno code: Int32) -> DashScopeError {
        DashScopeError("cannot save \(path): \(String(cString: strerror(code)))", hint: "check the directory's permissions and free space",
                       exit: .cannotWrite)
    }
}
