#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The temporary-upload routes (API.md §6): getPolicy on the API, and the OSS form POST at `{origin}/oss`.
extension MockService {
    /// The path of the mock's OSS form-upload endpoint; getPolicy's `upload_host` is the origin followed by it.
    static let ossPath = "/oss"
    /// Files up to this size are kept in memory; larger ones in a temporary file.
    static let uploadMemoryBytes = 1 << 20

    /// The form fields OSS's PostObject reads, in the order API.md §6 says the client sends them (`file` last).
    static let formFields = [
        "OSSAccessKeyId", "Signature", "policy", "key", "x-oss-object-acl", "x-oss-forbid-overwrite",
        "success_action_status", "x-oss-content-type", "file",
    ]

    /// Answers `GET /api/v1/uploads?action=getPolicy&model=M` with a fresh policy for the model.
    func issuePolicy(_ exchange: Exchange) throws(ServiceError) -> HTTPResponse {
        let query = exchange.request.query
        guard query["action"] == "getPolicy" else {
            throw .invalidParameter("Field action must be getPolicy.")
        }
        guard let model = query["model"], !model.isEmpty else {
            throw .invalidParameter("Missing required field: model.")
        }
        let policy = UploadPolicy(model: model, now: clock())
        withUploads { $0.issue(policy) }
        return MockJSON.response([
            "request_id": exchange.requestID, "data": policy.json(host: origin + Self.ossPath),
        ])
    }

    /// Answers the OSS form POST: checks the fields, their order and the policy, then stores the file.
    func storeUpload(_ exchange: Exchange) throws(ServiceError) -> HTTPResponse {
        let request = exchange.request
        guard request.header("authorization") == nil else {
            throw MultipartForm.refuse(
                "An Authorization header must not come with a form upload: the policy and Signature fields "
                    + "authorize it (and an API key must never reach the storage host)."
            )
        }
        let form = try MultipartForm(request, fileMemoryLimit: Self.uploadMemoryBytes)
        let fields = try Self.orderedFields(form.parts)
        guard let policy = withUploads({ $0.policy(fields["policy"] ?? "") }) else {
            throw ServiceError(status: 403, code: "AccessDenied", message: "Invalid according to Policy: the policy was not issued by getPolicy.")
        }
        guard fields["OSSAccessKeyId"] == policy.accessKeyID else {
            throw ServiceError(status: 403, code: "InvalidAccessKeyId", message: "The OSS Access Key Id you provided does not match the policy.")
        }
        guard fields["Signature"] == policy.signature else {
            throw ServiceError(status: 403, code: "SignatureDoesNotMatch", message: "The request signature we calculated does not match the signature you provided.")
        }
        let key = fields["key"] ?? ""
        guard key.hasPrefix(policy.uploadDir), key.count > policy.uploadDir.count, !key.hasSuffix("/") else {
            throw ServiceError(
                status: 403, code: "AccessDenied",
                message: "Invalid according to Policy: Policy Condition failed: [\"starts-with\", \"$key\", \"\(policy.uploadDir)\"] "
                    + "(and the key must name a file after it)."
            )
        }
        guard fields["x-oss-object-acl"] == policy.acl else {
            throw MultipartForm.refuse("The form field x-oss-object-acl must be \(policy.acl), as the policy says.")
        }
        guard let file = form.parts.last, let content = file.file else {
            throw MultipartForm.refuse("The form field file must carry a filename.")
        }
        guard file.length <= UploadPolicy.maxFileMegabytes * 1_048_576 else {
            throw ServiceError(
                status: 400, code: "EntityTooLarge",
                message: "Your proposed upload exceeds the maximum allowed size of \(UploadPolicy.maxFileMegabytes) MB."
            )
        }
        let upload = MockUpload(
            key: key, size: file.length, contentType: fields["x-oss-content-type"] ?? "", model: policy.model
        )
        let forbidden = fields["x-oss-forbid-overwrite"]?.lowercased() == "true"
        let stored = withUploads { uploads -> Bool in
            guard !(forbidden && uploads.contains(key)) else {
                return false
            }
            uploads.store(upload, memory: content.memory, spooled: content.spooled)
            return true
        }
        guard stored else {
            throw ServiceError(
                status: 409, code: "FileAlreadyExists",
                message: "The object you specified already exists and can not be overwritten."
            )
        }
        return Self.uploadAnswer(status: fields["success_action_status"], key: key, requestID: exchange.requestID)
    }

    /// The documented fields by name, once each is present exactly once, in order, with `file` last.
    private static func orderedFields(_ parts: [FormPart]) throws(ServiceError) -> [String: String] {
        let order = formFields.joined(separator: ", ")
        let names = parts.map(\.name)
        for name in formFields where names.filter({ $0 == name }).count != 1 {
            throw MultipartForm.refuse(
                "The form field \(name) must be sent exactly once (fields in order: \(order)); "
                    + "it came \(names.filter { $0 == name }.count) times."
            )
        }
        guard names.last == "file" else {
            throw MultipartForm.refuse("The form field file must come last; OSS ignores fields after it.")
        }
        let seen = names.filter(formFields.contains)
        guard seen == formFields else {
            throw MultipartForm.refuse(
                "The form fields came in the order \(seen.joined(separator: ", ")); send them as \(order)."
            )
        }
        var fields: [String: String] = [:]
        for part in parts where part.name != "file" {
            fields[part.name] = part.text
        }
        return fields
    }

    /// The answer OSS gives a stored form upload: `success_action_status` 200 or 201 (with an XML body), else 204.
    private static func uploadAnswer(status: String?, key: String, requestID: String) -> HTTPResponse {
        let headers = [(name: "x-oss-request-id", value: requestID)]
        switch status {
        case "200":
            return HTTPResponse(status: 200, headers: headers, body: Data())
        case "201":
            let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse><Key>\(OSSXML.escape(key))</Key></PostResponse>"
            return HTTPResponse(
                status: 201, headers: headers + [(name: "Content-Type", value: "application/xml")], body: Data(xml.utf8)
            )
        default:
            return HTTPResponse(status: 204, headers: headers, body: Data())
        }
    }
}

/// OSS's XML error documents.
enum OSSXML {
    /// The `<Error>` document OSS answers with, for `error`.
    static func response(_ error: ServiceError, requestID: String) -> HTTPResponse {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error>
              <Code>\(escape(error.code))</Code>
              <Message>\(escape(error.message))</Message>
              <RequestId>\(escape(requestID))</RequestId>
              <HostId>127.0.0.1</HostId>
            </Error>

            """
        let retry = error.retryAfter.map { [(name: "Retry-After", value: String($0))] } ?? []
        return HTTPResponse(
            status: error.status,
            headers: [(name: "Content-Type", value: "application/xml"), (name: "x-oss-request-id", value: requestID)]
                + retry,
            body: Data(xml.utf8)
        )
    }

    /// `text` with XML's five special characters escaped.
    static func escape(_ text: String) -> String {
        text.replacingAll("&", with: "&amp;").replacingAll("<", with: "&lt;")
            .replacingAll(">", with: "&gt;").replacingAll("\"", with: "&quot;")
            .replacingAll("'", with: "&apos;")
    }
}
