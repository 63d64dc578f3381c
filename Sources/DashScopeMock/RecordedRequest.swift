import Foundation

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
    /// The body exactly as received (chunked bodies reassembled).
    public let body: Data

    init(_ request: HTTPRequest) {
        method = request.method
        path = request.path
        query = request.query
        headers = request.headers
        body = request.body
    }

    /// The body parsed as a JSON object, or nil when it is not one.
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
    }
}
