#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A generating request checked against the catalogue and shaped for the wire: the one thing the job pipeline runs.
/// Every generating command builds one with its request builder (`TextToImage.prepare`, ...).
public struct PreparedJob: Sendable {
    /// The catalogue row (or the inferred one) of the model.
    public var model: ModelSpec
    /// The family the call belongs to (decides the output kind, the poll schedule and how `task wait` resumes it).
    public var capability: Capability
    /// The prompt or text, for file names, the journal and `--json`.
    public var prompt: String
    /// How the call is made.
    public var mode: CallMode
    /// The exact request.
    public var endpoint: Endpoint

    /// Creates a job.
    public init(model: ModelSpec, capability: Capability? = nil, prompt: String, mode: CallMode, endpoint: Endpoint) {
        self.model = model
        self.capability = capability ?? model.capability
        self.prompt = prompt
        self.mode = mode
        self.endpoint = endpoint
    }
}

/// What the pipeline knows about a job while it waits and collects: enough to name files and resume it later.
public struct JobRecord: Sendable {
    /// The model name.
    public var model: String
    /// The prompt (or the task id when a task is resumed without a journal entry).
    public var prompt: String
    /// When the job started (names the files).
    public var started: Date
    /// The family, when known.
    public var capability: Capability?
    /// When the task was created, if known (the poll schedule counts from it; nil: poll at once).
    public var submitted: Date?
    /// The `parameters` object of the request sent (seed, size, n, ...), for `--json`; nil when unknown.
    public var parameters: JSON?

    /// Creates a record.
    public init(model: String, prompt: String, started: Date = Date(), capability: Capability?, submitted: Date? = nil,
                parameters: JSON? = nil) {
        self.model = model
        self.parameters = parameters
        self.prompt = prompt
        self.started = started
        self.capability = capability
        self.submitted = submitted
    }

    /// What the job produces (images when the family is unknown).
    public var output: MediaKind { capability?.output ?? .image }

    /// The seed sent, or nil when none was (the service then picks one and does not say which).
    public var seed: Int? { parameters?["seed"]?.int }

    /// The size sent: `W*H`, or the resolution tier (`720P`) of a model that takes one instead; nil when none was sent.
    public var size: String? { parameters?["size"]?.string ?? parameters?["resolution"]?.string }
}

/// Where the pipeline's human output goes: the CLI's console implements it; tests may record it.
public protocol JobReporter: Sendable {
    /// Prints one result line on stdout.
    func emit(_ line: String)
    /// Prints a human line on stderr (unless quiet).
    func notice(_ line: String)
    /// Prints a warning on stderr (unless quiet).
    func caution(_ line: String)
    /// Prints the failure of one output on stderr, even when quiet: the run ends with a failing status because of it.
    func failure(_ line: String)
    /// Prints a `--verbose` line on stderr.
    func detail(_ line: String)
    /// Whether a live status line may be drawn (stderr is a terminal and not quiet).
    var live: Bool { get }
    /// Redraws the live status line.
    func status(_ line: String)
    /// Removes the live status line.
    func clearStatus()
}
