#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// `--timeout SECONDS`, as the job commands and `chat`/`vl` read it.
enum TimeoutOption {
    /// When `--timeout` (seconds from `start`) runs out, or nil without one; 64 for a value that is not 0 or more.
    static func deadline(_ args: ParsedArguments, from start: Date, waitingFor what: String) throws -> Date? {
        guard let timeout = args.number("timeout") else { return nil }
        guard timeout >= 0 && timeout.isFinite else {
            throw DashScopeError.usage("--timeout takes a number of seconds, 0 or more, not \(args.string("timeout") ?? "")",
                                       hint: "leave it out to wait as long as \(what) takes")
        }
        return start.addingTimeInterval(timeout)
    }
}
