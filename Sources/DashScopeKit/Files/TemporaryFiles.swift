import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's half-written files that nothing can resume (`.part` downloads of synchronous answers, text files):
/// registered while being written, removed by whoever stops the process early (SIGTERM, a second Ctrl-C), so none
/// outlives the run. A task's partial downloads are not registered: `task wait` resumes them (see `Downloader`).
public enum TemporaryFiles {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var paths: Set<String> = []

    /// Remembers `path` as a file to delete if the process is stopped before it is finished.
    public static func register(_ path: String) {
        lock.withLock { _ = paths.insert(path) }
    }

    /// Forgets `path` (it was renamed to its final name or deleted).
    public static func unregister(_ path: String) {
        lock.withLock { _ = paths.remove(path) }
    }

    /// Deletes every registered file; called on the way out of an interrupted or terminated run.
    public static func removeAll() {
        let all = lock.withLock { () -> Set<String> in
            defer { paths.removeAll() }
            return paths
        }
        for path in all { unlink(path) }
    }
}
