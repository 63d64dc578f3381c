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
    /// Names the partial file a later run can resume (e.g. `TASK-1` for a task's first output: letters, digits, `-`,
    /// `_`); nil for a result that cannot be fetched again, whose partial file is deleted when the run stops.
    public var resumeKey: String?

    /// Creates a job.
    public init(url: String, destination: String, resumeKey: String? = nil) {
        self.url = url
        self.destination = destination
        self.resumeKey = resumeKey.flatMap { TaskID.isValid($0) ? $0 : nil }
    }
}

/// Fetches results in parallel into temporary files beside their targets, renaming each only when complete and as
/// large as the server announced. Never sends the key. A broken download is resumed with `Range` from what its `.part`
/// file already holds, and checked with `If-Range` and the size the server gave for the file.
///
/// A job with a `resumeKey` (a task's output, which `task wait` can fetch again) writes `.dashscope-KEY.part` beside
/// its target, locked while in use, with `.dashscope-KEY.part.source` describing the server's file: both outlive
/// a stopped run (Ctrl-C, SIGTERM, a kill, a network failure) so the next run continues where it stopped, and both
/// are deleted once the file is complete or the server refuses it. Other jobs write a randomly named `.part` file
/// registered with `TemporaryFiles`, so an interrupted run deletes it.
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
        try await Concurrently.map(jobs.count, width: concurrency) { i in
            let report = progress.map { report in { @Sendable (bytes: Int64) in report(i, bytes) } }
            return try await self.fetchOne(jobs[i], force: force, deadline: deadline, progress: report)
        }
    }

    private func fetchOne(_ job: DownloadJob, force: Bool, deadline: Date?,
                          progress: (@Sendable (Int64) -> Void)?) async throws -> Result<String, DashScopeError> {
        guard let url = URL(string: job.url), HTTPRequest.schemes.contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            return .failure(DashScopeError("the service gave a result URL that is not http or https, so it was not fetched: \(HTTPRequest.printable(job.url))",
                                           exit: .failed))
        }
        let name = HTTPRequest.printable(url.lastPathComponent)
        let directory = PathText.deletingLastComponent(job.destination)
        let folder = directory.isEmpty ? "." : directory
        let temp: String
        let lock: Int32?
        if let key = job.resumeKey, let kept = Self.openResumable(in: folder, key: key) {
            (temp, lock) = (kept.path, kept.lock)
        } else {
            switch Self.makeTemporaryFile(in: folder, for: job.destination) {
            case let .success(path): (temp, lock) = (path, nil)
            case let .failure(error): return .failure(error)
            }
        }
        // A resumable partial stays unless the download ends (complete, or refused by the server).
        var keep = lock != nil
        defer {
            // An empty partial is not worth keeping.
            if keep && Self.size(of: temp) == 0 { keep = false }
            if !keep {
                unlink(temp)
                if lock != nil { unlink(temp + ".source") }
            }
            if let lock { close(lock) }
            TemporaryFiles.unregister(temp)
        }
        let file = URL(fileURLWithPath: temp)
        let response: HTTPResponse
        do {
            response = try await retrier.run(kind: .idempotent, what: "download \(name)", deadline: deadline) {
                let offset = Self.size(of: temp)
                do {
                    let answer = try await transport.download(Self.request(url, deadline: deadline, offset: offset, partial: temp),
                                                              to: file, resumeFrom: offset, progress: progress)
                    guard answer.status == 416 && offset > 0 else { return answer }
                    // A run stopped between the last byte and the rename left a complete file.
                    let total = RemoteSource(status: 206, headers: answer.headers).total
                    if total == offset, RemoteSource.read(temp + ".source")?.total == offset { return HTTPResponse(status: 200) }
                } catch TransportError.badDownload(let message) where offset > 0 && message == RemoteSource.changedMessage {
                    // The partial file was emptied: fall through and fetch the whole file.
                }
                return try await transport.download(Self.request(url, deadline: deadline, offset: 0, partial: temp),
                                                    to: file, resumeFrom: 0, progress: progress)
            }
        } catch let error as TransportError {
            if case .badDownload = error { keep = false }
            return .failure(Self.failure(error, name: name, destination: job.destination))
        }
        guard (200..<300).contains(response.status) else {
            keep = false
            return .failure(DashScopeError("download of \(name) failed with HTTP \(response.status)",
                                           hint: "result URLs expire after 24 h", exit: .unavailable))
        }
        let committed = Self.commit(temp, to: job.destination, force: force)
        if case .success = committed { keep = false }
        return committed
    }

    /// The GET for a result: from `offset` on with `Range`, and with `If-Range` when the partial file's kept description
    /// has a strong ETag or a date, so a server whose file changed sends the whole new file instead.
    private static func request(_ url: URL, deadline: Date?, offset: Int64, partial: String) -> HTTPRequest {
        var headers = [("User-Agent", Version.userAgent)]
        if offset > 0, let validator = RemoteSource.read(partial + ".source")?.validator, !validator.hasPrefix("W/") {
            headers.append(("If-Range", validator))
        }
        return HTTPRequest(method: "GET", url: url, headers: headers, timeout: 60, deadline: deadline)
    }

    /// Opens (creating it if needed) the resumable partial file `.dashscope-KEY.part` in `directory` and locks it, and
    /// creates its `.source` file; nil when it is not a plain file of ours or another run holds it (that run then
    /// downloads into its own temporary file).
    static func openResumable(in directory: String, key: String) -> (path: String, lock: Int32)? {
        let path = directory + "/.dashscope-\(key).part"
        let descriptor = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { return nil }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_nlink == 1,
              flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        let source = open(path + ".source", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o666)
        if source >= 0 { close(source) }
        return (path, descriptor)
    }

    /// The user-facing error for a download that got no file.
    static func failure(_ error: TransportError, name: String, destination: String) -> DashScopeError {
        let again = "result URLs stay valid for 24 h"
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
