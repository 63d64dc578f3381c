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

/// The system's words for a failed file operation (`Not a directory`), in place of `localizedDescription`, which
/// FoundationEssentials lacks (and which said only "NSCocoaErrorDomain error 512" on Linux).
public enum SystemErrorText {
    /// The `strerror` text behind `error` when it carries an `errno` (directly or as a file error's underlying
    /// cause), else the error as Swift prints it.
    public static func describe(_ error: Error) -> String {
        switch error {
        case let failure as StreamWriter.Failure:
            return failure.description
        case let posix as POSIXError:
            return String(cString: strerror(posix.code.rawValue))
        case let cocoa as CocoaError:
            if let underlying = cocoa.userInfo["NSUnderlyingError"] as? POSIXError {
                return String(cString: strerror(underlying.code.rawValue))
            }
            return "file error \(cocoa.code.rawValue)"
        default:
            return String(describing: error)
        }
    }
}
