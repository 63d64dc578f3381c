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

/// One parsed HTTP request: method, decoded path and query, lowercased headers and the body.
struct HTTPRequest: Sendable {
    var method: String
    var path: String
    var query: [String: String]
    var headers: [String: String]
    /// The body when it fit in memory; empty when it was spooled to `spooled`.
    var body: Data
    /// The body of a request too large to keep in memory, on disk until the request is released.
    var spooled: SpooledBody?
    /// `HTTP/1.1` or `HTTP/1.0`.
    var version = "HTTP/1.1"

    /// Whether the client is willing to send another request on the connection: HTTP/1.1 without `Connection: close`.
    var keepsAlive: Bool {
        let options = (header("connection") ?? "").lowercased().split(separator: ",")
        return version == "HTTP/1.1" && !options.contains { $0.trimmingBlanks() == "close" }
    }

    /// The value of a header, looked up case-insensitively.
    func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// Whether header `name` says `enable` (any case, blanks around it ignored), as the X-DashScope-* switches do.
    func enables(_ name: String) -> Bool {
        header(name)?.trimmingBlanks().lowercased() == "enable"
    }

    /// The body's length in bytes, wherever it is kept.
    var bodyLength: Int {
        spooled?.length ?? body.count
    }

    /// The whole body: the bytes in memory, or the spooled file mapped rather than read.
    func bodyData() -> Data {
        guard let spooled else {
            return body
        }
        return (try? Data(contentsOf: URL(fileURLWithPath: spooled.path), options: .alwaysMapped)) ?? Data()
    }
}

/// A request body kept in a temporary file, deleted when the last request value holding it goes away.
final class SpooledBody: Sendable {
    /// The file's path.
    let path: String
    /// How many bytes it holds.
    let length: Int

    init(path: String, length: Int) {
        self.path = path
        self.length = length
    }

    deinit {
        unlink(path)
    }
}

/// Why no request could be read from a connection.
enum HTTPRequestError: Error, Equatable {
    /// The peer closed or stalled before sending anything: nobody is left to answer.
    case closed
    /// The bytes do not form an HTTP/1.x request; the text says what is wrong.
    case malformed(String)
    /// The header section or the body exceeds the server's limits.
    case tooLarge(String)
    /// The body could not be spooled to a temporary file.
    case spoolFailed(String)
}
