#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A request as the mock received it, kept so tests can check exactly what a client sent.
public struct RecordedRequest: Sendable {
    /// The HTTP method, e.g. `POST`.
    public let method: String
    /// The percent-decoded path without the query, e.g. `/api/v1/tasks/abc`.
    public let path: String
    /// The decoded query parameters.
    public let query: [String: String]
    /// The headers, names lowercased; repeated headers are joined with `, `.
    public let headers: [String: String]
    /// The body exactly as received (chunked bodies reassembled); empty when it was over 64 MB and spooled to disk.
    public let body: Data
    /// The body's length in bytes, spooled or not.
    public let bodyLength: Int

    init(_ request: HTTPRequest) {
        method = request.method
        path = request.path
        query = request.query
        headers = request.headers
        body = request.body
        bodyLength = request.bodyLength
    }

    /// The body parsed as a JSON object, or nil when it is not one.
    public var json: [String: Any]? {
        MockJSON.object(body)
    }
}
