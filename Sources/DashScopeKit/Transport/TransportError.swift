#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Why a request got no usable HTTP answer; each case says whether the server may have seen the request, which
/// decides if a create may be re-sent, and whether trying again can help.
public enum TransportError: Error, Sendable, Equatable {
    /// No byte of the request left: the server cannot have seen it (refused, unreachable, connect timed out).
    case cannotConnect(String)
    /// The exchange broke or stalled after the request (or part of it) was sent.
    case connectionLost(String)
    /// The body ended before the promised length (`expected` -1 when no length was promised, as in a stream).
    case truncated(expected: Int64, received: Int64)
    /// Writing the downloaded bytes to disk failed.
    case writeFailed(String)
    /// A file to send could not be read.
    case readFailed(String)
    /// The server's TLS certificate was not trusted, or the CA store could not be read: nothing was sent.
    case tlsFailed(String)
    /// libcurl could not be loaded: nothing can be sent until it is installed.
    case libraryMissing(String)
    /// The URL (first or after a redirect) is not `http`/`https`; it was not fetched.
    case unsupportedScheme(String)
    /// A header name or value holds CR, LF or another control character; nothing was sent.
    case invalidHeader(String)
    /// A redirect would have sent the request's body (a signed upload form, a prompt) in clear text off this machine.
    case insecureRedirect(String)
    /// The answer was longer than the request's `maxBodyBytes`; reading stopped there.
    case answerTooLarge(limit: Int)
    /// The job's deadline passed before the exchange ended; `sent` says whether the request may have arrived.
    case deadlineReached(sent: Bool)
    /// A download answered with no usable body: 204, an empty 2xx, or a 206 that does not continue the file.
    case badDownload(String)

    /// A human description.
    public var message: String {
        switch self {
        case let .cannotConnect(m): return "could not connect: \(m)"
        case let .connectionLost(m): return "the connection failed: \(m)"
        case let .truncated(e, r) where e < 0: return "the answer ended early (after \(r) bytes)"
        case let .truncated(e, r): return "the answer ended early (\(r) of \(e) bytes)"
        case let .writeFailed(m): return "could not write the file: \(m)"
        case let .readFailed(m): return "could not read the file to send: \(m)"
        case let .tlsFailed(m): return "the TLS connection was refused (certificate not trusted?): \(m)"
        case let .libraryMissing(m): return m
        case let .unsupportedScheme(url): return "refused to fetch \(url): only http and https URLs are followed"
        case let .invalidHeader(name): return "refused to send the header '\(name)': it contains a line break or control character"
        case let .insecureRedirect(url): return "refused a redirect to \(url): it would send the request's body in clear text off this machine"
        case let .answerTooLarge(limit): return "the answer is larger than \(limit >> 20) MiB and was refused"
        case .deadlineReached: return "the time limit (--timeout) ran out"
        case let .badDownload(m): return "the download has no usable content: \(m)"
        }
    }

    /// What to do about it, when the failure says more than "the network".
    public var hint: String? {
        switch self {
        case .tlsFailed:
            return "if a proxy or company network re-signs TLS, point SSL_CERT_FILE (or CURL_CA_BUNDLE) at its CA bundle, "
                + "or SSL_CERT_DIR at a directory of CA certificates"
        case .libraryMissing:
            return "install libcurl (Debian/Ubuntu: apt install libcurl4; Fedora/RHEL: dnf install libcurl), then run again"
        case .invalidHeader:
            return "check the API key and settings for stray line breaks (e.g. a key pasted with a newline)"
        default:
            return nil
        }
    }

    /// Whether the server may have received the request (so a create must not be re-sent).
    public var maySeeRequest: Bool {
        switch self {
        case .cannotConnect, .tlsFailed, .libraryMissing, .unsupportedScheme, .invalidHeader: return false
        case let .deadlineReached(sent): return sent
        case .connectionLost, .truncated, .writeFailed, .readFailed, .answerTooLarge, .badDownload, .insecureRedirect: return true
        }
    }

    /// Whether no later try can succeed whatever the wait (trust, library, scheme, size, header): a poll stops at once.
    public var isPermanent: Bool {
        switch self {
        case .tlsFailed, .libraryMissing, .unsupportedScheme, .answerTooLarge, .invalidHeader, .insecureRedirect: return true
        default: return false
        }
    }

    /// Whether another try may succeed, for a request of this kind.
    public func isRetryable(_ kind: RequestKind) -> Bool {
        switch self {
        case .cannotConnect: return true
        case .connectionLost, .truncated: return kind == .idempotent
        case .writeFailed, .readFailed, .tlsFailed, .libraryMissing, .unsupportedScheme, .invalidHeader, .answerTooLarge,
             .deadlineReached, .badDownload, .insecureRedirect:
            return false
        }
    }
}
