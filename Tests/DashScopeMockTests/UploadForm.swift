import Foundation
import XCTest
@testable import DashScopeMock

/// A `multipart/form-data` body as a client builds it for the OSS form upload.
struct UploadForm {
    let boundary = "----dashscope-test-" + UUID().uuidString
    var fields: [(name: String, value: String)]
    var filename = "cat.png"
    var file = PNG.picture(id: "upload", index: 0)

    /// The fields API.md §6 lists, in order, filled from a getPolicy `data` object; the key is `{upload_dir}/{name}`.
    init(policy: [String: Any], name: String = "cat.png", contentType: String = "image/png") {
        let text = { (field: String) in policy[field].map { "\($0)" } ?? "" }
        fields = [
            ("OSSAccessKeyId", text("oss_access_key_id")), ("Signature", text("signature")), ("policy", text("policy")),
            ("key", text("upload_dir") + "/" + name), ("x-oss-object-acl", text("x_oss_object_acl")),
            ("x-oss-forbid-overwrite", text("x_oss_forbid_overwrite")), ("success_action_status", "200"),
            ("x-oss-content-type", contentType),
        ]
        filename = name
    }

    /// The form's `key` field.
    var key: String {
        fields.first { $0.name == "key" }?.value ?? ""
    }

    /// Sets (or adds) a field's value.
    mutating func set(_ name: String, _ value: String) {
        if let index = fields.firstIndex(where: { $0.name == name }) {
            fields[index].value = value
        } else {
            fields.append((name, value))
        }
    }

    /// The body bytes, with `file` after the fields unless `fileFirst`.
    func body(fileFirst: Bool = false) -> Data {
        var fieldBytes = Data()
        for field in fields {
            fieldBytes += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field.name)\"\r\n\r\n\(field.value)\r\n".utf8)
        }
        var fileBytes = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\n".utf8)
        fileBytes += Data("Content-Type: application/octet-stream\r\n\r\n".utf8) + file + Data("\r\n".utf8)
        let parts = fileFirst ? fileBytes + fieldBytes : fieldBytes + fileBytes
        return parts + Data("--\(boundary)--\r\n".utf8)
    }

    /// The Content-Type header naming the boundary.
    var contentType: String {
        "multipart/form-data; boundary=\(boundary)"
    }
}

extension MockTestCase {
    /// Asks getPolicy for `model` and returns its `data` object.
    func policy(_ model: String = "wan2.5-i2i-preview") async throws -> [String: Any] {
        let reply = try await send("GET", "/api/v1/uploads?action=getPolicy&model=\(model)")
        XCTAssertEqual(reply.status, 200, reply.message)
        return try XCTUnwrap(reply.json["data"] as? [String: Any])
    }

    /// Posts `form` to the mock's OSS without an API key (unless `key` is given).
    func upload(_ form: UploadForm, fileFirst: Bool = false, key: String? = nil) async throws -> Reply {
        try await send(
            "POST", MockService.ossPath, key: key, headers: ["Content-Type": form.contentType],
            body: form.body(fileFirst: fileFirst)
        )
    }
}
