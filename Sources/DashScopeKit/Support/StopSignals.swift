import Foundation
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

    /// Starts the thread that waits for the signals: the first SIGINT calls `interrupt` (the run cancels itself, prints
    /// its resume line and exits 130); a second SIGINT or any SIGTERM deletes the registered temporary files
    /// (`TemporaryFiles`; a task's resumable partial downloads are kept) and ends the process at once with 130 or 143.
    public static func handle(interrupt: @escaping @Sendable () -> Void) {
        let thread = Thread {
            block()
            var set = stopSet()
            var interrupted = false
            while true {
                var received: Int32 = 0
                guard sigwait(&set, &received) == 0 else { continue }
                if received == SIGINT && !interrupted {
                    interrupted = true
                    interrupt()
                    continue
                }
                TemporaryFiles.removeAll()
                _exit(received == SIGTERM ? terminatedStatus : interruptedStatus)
            }
        }
        thread.name = "signals"
        thread.start()
    }

    private static func stopSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        return set
    }
}
