import Foundation

/// What a benchmark wants to know from the mock: connections accepted, bytes of files sent, and per task how long it took, how often it
/// was polled and how late its end was noticed. Served as JSON at `GET /mock/stats` (no key, never faulted).
public struct MockStats: Sendable, Equatable {
    /// The path the statistics are served at.
    public static let path = "/mock/stats"

    /// Connections accepted so far.
    public let connections: Int
    /// Every task created, in creation order.
    public let tasks: [TaskStats]
    /// Body bytes sent in answers to `/files` downloads, to measure what an interrupted download costs to finish.
    public let fileBytes: Int

    /// The statistics as the JSON object `/mock/stats` answers.
    var json: [String: Any] {
        [
            "connections": connections,
            "file_bytes": fileBytes,
            "tasks": tasks.map { task -> [String: Any] in
                ["task_id": task.taskID, "seconds": task.seconds, "polls": task.polls,
                 "lag_seconds": task.lag.map { $0 as Any } ?? NSNull()]
            },
        ]
    }
}

/// One task's figures.
public struct TaskStats: Sendable, Equatable {
    /// The task's id.
    public let taskID: String
    /// How long the task took (from `--task-seconds`).
    public let seconds: Double
    /// How many times it was queried.
    public let polls: Int
    /// Seconds from the task's end to the first query that answered its final status; nil until one did.
    public let lag: Double?
}
