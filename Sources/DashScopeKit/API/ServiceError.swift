#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads the service's error bodies (native and compatible-mode) and maps them to `DashScopeError`s with exit codes.
public enum ServiceError {
    /// The code, message and request id found in an error body, in any of the documented shapes.
    public struct Body: Sendable, Equatable {
        /// The service's error code, e.g. `InvalidParameter`.
        public var code: String?
        /// The service's message.
        public var message: String?
        /// The request id.
        public var requestID: String?
    }

    /// Extracts code/message/request id from a native body, a compatible-mode body, or an SSE `data:` line.
    public static func body(from data: Data) -> Body? {
        if let json = try? JSON.parse(data) { return body(from: json) }
        let text = String(decoding: data, as: UTF8.self)
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("data:") {
            let payload = line.dropFirst(5).trimmingBlanks()
            if let json = try? JSON.parse(Data(payload.utf8)), let found = body(from: json) { return found }
        }
        return nil
    }

    /// Extracts code/message/request id from a parsed body; nil when it carries no error.
    public static func body(from json: JSON) -> Body? {
        let requestID = json["request_id"]?.string ?? json["id"]?.string
        if let error = json["error"], !error.isNull {
            return Body(code: error["code"]?.string ?? error["type"]?.string,
                        message: error["message"]?.string, requestID: requestID)
        }
        let code = json["code"]?.string
        let message = json["message"]?.string ?? json["msg"]?.string
        guard let code, !code.isEmpty else { return nil }
        return Body(code: code, message: message, requestID: requestID)
    }

    /// Maps an HTTP error answer to the error the user sees.
    public static func error(status: Int, data: Data, region: Region?) -> DashScopeError {
        let found = body(from: data)
        let code = found?.code
        let text = found?.message ?? "no message"
        let label = [code, "HTTP \(status)"].compactMap { $0 }.joined(separator: ", ")
        let message = "the service refused the request (\(label)): \(text)"
        var error = DashScopeError(message, exit: exitCode(status: status, code: code, message: text),
                                   serviceCode: code, requestID: found?.requestID)
        error.hint = hint(status: status, code: code, message: text, region: region)
        error.permanent = status == 429 && isFreeQuotaUsedUp(text)
        return error
    }

    /// Whether a 429's message says the model's free quota is used up: no retry or wait helps (paid usage must be enabled).
    static func isFreeQuotaUsedUp(_ message: String) -> Bool {
        message.containsIgnoringCase("free allocated quota")
    }

    /// The exit code for an HTTP status and service code.
    public static func exitCode(status: Int, code: String?, message: String?) -> ExitCode {
        switch status {
        case 401, 403: return .keyRejected
        case 429: return .tryLater
        case 500...599: return .unavailable
        default: return .failed
        }
    }

    private static func hint(status: Int, code: String?, message: String, region: Region?) -> String? {
        switch (status, code ?? "") {
        case (401, _):
            let here = region.map { "this call went to the \($0.rawValue) region (\($0.host)); " } ?? ""
            return "check the key; \(here)keys are per region, so a Beijing (cn) key fails on intl/us: pass --region or set DASHSCOPE_REGION"
        case (403, _) where message.containsIgnoringCase("synchronous"):
            return "this model must be called asynchronously; this is a bug in dashscope, please report it"
        case (403, _):
            return "the key is valid but may not have access to this model: check the model is activated in the Model Studio console"
        case (404, _):
            return "check the model name: `dashscope models` lists the known ones"
        case (429, _) where isFreeQuotaUsedUp(message):
            return "the free quota of this model is used up: enable paid usage in the console, or pick another model"
        case (429, _):
            return "you are being rate limited: wait a little and try again"
        case (_, "Arrearage"):
            return "the account has an overdue payment: top it up in the Alibaba Cloud console"
        case (_, "DataInspectionFailed"), (_, "IPInfringementSuspect"):
            return "the content check refused the input or output: rephrase the prompt"
        case (500...599, _):
            return "the service is having trouble: try again later"
        default:
            return nil
        }
    }
}
