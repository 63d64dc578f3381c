#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The services a job runs on: the API client, the downloader, the journal, and the poll schedule of each output kind.
public struct JobServices: Sendable {
    /// The API client (key, origin, retries).
    public var client: APIClient
    /// Fetches outputs.
    public var downloader: Downloader
    /// Where submitted tasks are remembered; nil for the in-process mock, whose tasks end with the process.
    public var journal: Journal?
    /// How often tasks producing each kind of output are polled.
    public var schedule: @Sendable (MediaKind) -> PollSchedule
    /// How waiting is done.
    public var sleeper: any Sleeper

    /// Creates the services.
    public init(client: APIClient, downloader: Downloader, journal: Journal?,
                schedule: @escaping @Sendable (MediaKind) -> PollSchedule, sleeper: any Sleeper) {
        self.client = client
        self.downloader = downloader
        self.journal = journal
        self.schedule = schedule
        self.sleeper = sleeper
    }

    /// The task endpoints.
    public var tasks: TasksAPI { TasksAPI(client: client) }
}

/// How the user asked a job to run and end: where files go, whether to wait, what to print.
public struct JobOptions: Sendable {
    /// Where outputs are saved.
    public var plan: OutputPlan
    /// `-o` made absolute, as the journal records it (nil: not given).
    public var journalOutput: String?
    /// `--force`: replace existing files.
    public var force: Bool = false
    /// `--json`: one document on stdout.
    public var json: Bool = false
    /// `--no-wait`: print the task id and stop.
    public var noWait: Bool = false
    /// `--dry-run`: print the request and send nothing.
    public var dryRun: Bool = false
    /// When the whole job (create, polls, downloads) must be over (`--timeout`); nil: no limit.
    public var deadline: Date?
    /// The directory printed paths are relative to.
    public var cwd: String
    /// The exact command line that resumes a task, or nil when it cannot be resumed (the in-process mock).
    public var resumeCommand: @Sendable (String) -> String?

    /// Creates options.
    public init(plan: OutputPlan, journalOutput: String? = nil, force: Bool = false, json: Bool = false, noWait: Bool = false,
                dryRun: Bool = false, deadline: Date? = nil, cwd: String, resumeCommand: @escaping @Sendable (String) -> String?) {
        self.plan = plan
        self.journalOutput = journalOutput
        self.force = force
        self.json = json
        self.noWait = noWait
        self.dryRun = dryRun
        self.deadline = deadline
        self.cwd = cwd
        self.resumeCommand = resumeCommand
    }
}
