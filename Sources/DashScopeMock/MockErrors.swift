#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A DashScope error answer: the HTTP status, the service's code and message, and any extra headers.
struct ServiceError: Error, Equatable {
    let status: Int
    let code: String
    var message: String
    var retryAfter: Int?

    /// The JSON answer `{"request_id", "code", "message"}` with this error's status.
    func response(requestID: String = MockJSON.newID()) -> HTTPResponse {
        let headers = retryAfter.map { [(name: "Retry-After", value: String($0))] } ?? []
        return MockJSON.response(
            status: status,
            ["request_id": requestID, "code": code, "message": message],
            headers: headers
        )
    }

    // MARK: - Authentication and access

    static let missingKey = ServiceError(status: 401, code: "InvalidApiKey", message: "No API-key provided.")
    static let invalidKey = ServiceError(status: 401, code: "InvalidApiKey", message: "Invalid API-key provided.")
    static let asyncRequired = ServiceError(
        status: 403, code: "AccessDenied", message: "current user api does not support synchronous calls"
    )
    static let syncRequired = ServiceError(
        status: 403, code: "AccessDenied", message: "current user api does not support asynchronous calls"
    )

    // MARK: - Requests the service refuses

    static let modelNotFound = ServiceError(status: 404, code: "ModelNotFound", message: "Model not exist.")
    static let cancelRefused = ServiceError(
        status: 400, code: "UnsupportedOperation",
        message: "Failed to cancel the task, please confirm if the task is in PENDING status."
    )

    /// A 400 `InvalidParameter` whose message names the offending field.
    static func invalidParameter(_ message: String) -> ServiceError {
        ServiceError(status: 400, code: "InvalidParameter", message: message)
    }

    /// A 404 for a path no route serves.
    static func notFound(_ method: String, _ path: String) -> ServiceError {
        ServiceError(status: 404, code: "NotFound", message: "The requested resource \(method) \(path) was not found.")
    }

    /// A 400 for bytes that are not an HTTP request, or a 413 for one too large to read.
    static func unreadable(_ error: HTTPRequestError) -> ServiceError {
        switch error {
        case .tooLarge(let reason):
            ServiceError(status: 413, code: "RequestTooLarge", message: "Request too large: \(reason).")
        case .malformed(let reason):
            ServiceError(status: 400, code: "BadRequest", message: "Malformed HTTP request: \(reason).")
        case .closed:
            ServiceError(status: 400, code: "BadRequest", message: "Malformed HTTP request: no request was sent.")
        case .spoolFailed(let reason):
            ServiceError(status: 500, code: "InternalError", message: "The request body could not be stored: \(reason).")
        }
    }

    // MARK: - Injected failures

    /// The 429 the service sends when the request rate is exceeded.
    static func throttled(retryAfter seconds: Int) -> ServiceError {
        ServiceError(
            status: 429, code: "Throttling.RateQuota",
            message: "Requests rate limit exceeded, please try again later.", retryAfter: seconds
        )
    }

    static let internalError = ServiceError(
        status: 500, code: "InternalError",
        message: "An internal error has occured, please try again later or contact service support."
    )
    static let policyRefused = ServiceError(
        status: 403, code: "AccessDenied", message: "Access denied: this account may not upload files for the model."
    )
    static let ossInternalError = ServiceError(
        status: 500, code: "InternalError", message: "We encountered an internal error. Please try again."
    )
    static let unavailable = ServiceError(
        status: 503, code: "ServiceUnavailable",
        message: "The service is temporarily unavailable, please try again later."
    )
}
