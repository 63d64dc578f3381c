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

/// SIGINT and SIGTERM, taken with `sigwait` on a thread of their own (a Dispatch signal source missed SIGTERM in release builds).
public enum StopSignals {
    /// The exit status after a second Ctrl-C.
    public static let interruptedStatus: Int32 = ExitCode.interrupted.rawValue
    /// The exit status after SIGTERM (128 + 15).
    public static let terminatedStatus: Int32 = ExitCode.terminated.rawValue

    /// Blocks SIGINT and SIGTERM in the calling thread and every thread started after it: call first thing in `main`,
    /// before any thread exists, so that only `sigwait` ever receives them.
    public static func block() {
        var set = stopSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// How long a SIGTERM'd run may take to stop on its own (cancelled like a Ctrl-C: it prints its resume line and exits
    /// 143) before the process ends anyway.
    public static let terminationGrace: Double = 1.5

    private static let lock = Lock()
    nonisolated(unsafe) private static var received: ExitCode?

    /// Why the run is being stopped: `.terminated` after SIGTERM, else `.interrupted` (Ctrl-C, or a cancellation
    /// without a signal); its `name` is the word errors use.
    public static var reason: ExitCode { lock.withLock { received } ?? .interrupted }

    /// Starts the thread that waits for the signals. The first stop signal calls `interrupt` (the run cancels itself,
    /// prints its resume line and exits with `reason`: 130 for SIGINT, 143 for SIGTERM); after SIGTERM the process
    /// ends with 143 within `terminationGrace` seconds whatever the run does. A second signal, or the grace running
    /// out, deletes the registered temporary files (`TemporaryFiles`; a task's resumable partial downloads are kept)
    /// and ends the process at once with 130 or 143.
    public static func handle(interrupt: @escaping @Sendable () -> Void) {
        Threads.start {
            block()
            var set = stopSet()
            var stopping = false
            while true {
                var signal: Int32 = 0
                guard sigwait(&set, &signal) == 0 else { continue }
                if !stopping {
                    stopping = true
                    lock.withLock { received = signal == SIGTERM ? .terminated : .interrupted }
                    interrupt()
                    if signal == SIGTERM { endAfterGrace() }
                    continue
                }
                TemporaryFiles.removeAll()
                _exit(signal == SIGTERM ? terminatedStatus : interruptedStatus)
            }
        }
    }

    /// Ends the process with 143 once `terminationGrace` has passed, unless the run has exited by then.
    private static func endAfterGrace() {
        Threads.start {
            block()
            usleep(UInt32(terminationGrace * 1_000_000))
            TemporaryFiles.removeAll()
            _exit(terminatedStatus)
        }
    }

    private static func stopSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        return set
    }
}
