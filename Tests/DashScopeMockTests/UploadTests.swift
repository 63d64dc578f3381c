import Foundation
import XCTest
@testable import DashScopeMock

/// Temporary uploads (API.md §6): getPolicy, the OSS form POST, and oss:// URLs in model calls.
final class UploadTests: MockTestCase {
    func testGetPolicyAnswersEveryDocumentedField() async throws {
        let reply = try await send("GET", "/api/v1/uploads?action=getPolicy&model=wan2.5-i2i-preview")
        XCTAssertEqual(reply.status, 200, reply.message)
        XCTAssertEqual((reply.json["request_id"] as? String)?.count, 36)
        let data = try XCTUnwrap(reply.json["data"] as? [String: Any])
        for field in ["policy", "signature", "upload_dir", "oss_access_key_id", "x_oss_object_acl", "x_oss_forbid_overwrite"] {
            XCTAssertFalse((data[field] as? String ?? "").isEmpty, field)
        }
        XCTAssertEqual(data["upload_host"] as? String, server.origin + "/oss")
        XCTAssertEqual(data["x_oss_forbid_overwrite"] as? String, "true")
        XCTAssertEqual(data["max_file_size_mb"] as? Int, 100)
        XCTAssertNotNil(data["capacity_limit_mb"] as? Int)
        XCTAssertEqual(data["expire_in_seconds"] as? Int, 300)
        XCTAssertTrue((data["upload_dir"] as? String ?? "").hasPrefix("dashscope-instant/"))
        let policy = try XCTUnwrap(Data(base64Encoded: data["policy"] as? String ?? ""))
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: policy) as? [String: Any])
        XCTAssertNotNil(document["conditions"] as? [Any])
        let other = try await self.policy()
        XCTAssertNotEqual(other["upload_dir"] as? String, data["upload_dir"] as? String, "each policy its own directory")
    }

    func testGetPolicyNeedsAKeyAModelAndTheAction() async throws {
        assertError(try await send("GET", "/api/v1/uploads?action=getPolicy&model=m", key: nil), 401, "InvalidApiKey")
        assertError(try await send("GET", "/api/v1/uploads?action=getPolicy&model=m", key: "bad"), 401, "InvalidApiKey")
        assertError(try await send("GET", "/api/v1/uploads?action=getPolicy"), 400, "InvalidParameter", "model")
        assertError(try await send("GET", "/api/v1/uploads?model=m"), 400, "InvalidParameter", "getPolicy")
    }

    func testAFormUploadIsStoredAndRecorded() async throws {
        let form = UploadForm(policy: try await policy())
        let reply = try await upload(form)
        XCTAssertEqual(reply.status, 200, String(decoding: reply.body, as: UTF8.self))
        XCTAssertEqual(server.uploads, [
            MockUpload(key: form.key, size: form.file.count, contentType: "image/png", model: "wan2.5-i2i-preview"),
        ])
        XCTAssertEqual(server.uploadedData(key: form.key), form.file)
        let recorded = try XCTUnwrap(server.requests.last)
        XCTAssertEqual(recorded.path, "/oss")
        XCTAssertNil(recorded.headers["authorization"])
        XCTAssertTrue(recorded.headers["content-type"]?.hasPrefix("multipart/form-data; boundary=") == true)
    }

    func testSuccessActionStatusChoosesTheAnswer() async throws {
        var form = UploadForm(policy: try await policy(), name: "a.png")
        form.set("success_action_status", "201")
        let created = try await upload(form)
        XCTAssertEqual(created.status, 201)
        XCTAssertTrue(String(decoding: created.body, as: UTF8.self).contains("<Key>\(form.key)</Key>"))
        form = UploadForm(policy: try await policy(), name: "b.png")
        form.set("success_action_status", "")
        let status1 = try await upload(form).status
        XCTAssertEqual(status1, 204)
    }

    func testAnAuthorizationHeaderIsRefusedAndRecorded() async throws {
        let form = UploadForm(policy: try await policy())
        let reply = try await upload(form, key: "sk-test")
        XCTAssertEqual(reply.status, 400)
        let text = String(decoding: reply.body, as: UTF8.self)
        XCTAssertTrue(text.contains("<Code>InvalidArgument</Code>"), text)
        XCTAssertTrue(text.contains("Authorization"), text)
        XCTAssertEqual(server.requests.last?.headers["authorization"], "Bearer sk-test")
        XCTAssertEqual(server.uploads, [])
    }

    func testASecondUploadUnderTheSameKeyIsAConflict() async throws {
        let form = UploadForm(policy: try await policy())
        let status2 = try await upload(form).status
        XCTAssertEqual(status2, 200)
        let again = try await upload(form)
        XCTAssertEqual(again.status, 409)
        let text = String(decoding: again.body, as: UTF8.self)
        XCTAssertTrue(text.contains("<Code>FileAlreadyExists</Code>"), text)
        XCTAssertEqual(again.headers["content-type"], "application/xml")
        var overwrite = form
        overwrite.set("x-oss-forbid-overwrite", "false")
        overwrite.file = Data("GIF89a again".utf8)
        let status3 = try await upload(overwrite).status
        XCTAssertEqual(status3, 200, "overwriting is allowed when not forbidden")
        XCTAssertEqual(server.uploads.map(\.size), [overwrite.file.count])
    }

    func testFieldsMustBePresentInOrderWithTheFileLast() async throws {
        let data = try await policy()
        let base = UploadForm(policy: data)
        var missing = base
        missing.fields.removeAll { $0.name == "x-oss-content-type" }
        var swapped = base
        swapped.fields.swapAt(0, 1)
        var twice = base
        twice.fields.append(("key", base.key))
        var extra = base
        extra.fields.insert(("x-oss-meta-owner", "me"), at: 2)
        let cases: [(UploadForm, Bool, Int, String)] = [
            (missing, false, 400, "x-oss-content-type must be sent exactly once"),
            (swapped, false, 400, "send them as OSSAccessKeyId, Signature, policy, key"),
            (twice, false, 400, "key must be sent exactly once"),
            (base, true, 400, "file must come last"),
            (extra, false, 200, ""),
        ]
        for (index, (form, fileFirst, status, fragment)) in cases.enumerated() {
            let reply = try await upload(form, fileFirst: fileFirst)
            let text = String(decoding: reply.body, as: UTF8.self)
            XCTAssertEqual(reply.status, status, "case \(index): \(text)")
            XCTAssertTrue(fragment.isEmpty || text.contains(fragment), "case \(index): \(text) lacks \(fragment)")
        }
    }

    func testThePolicyFieldsMustMatchAnIssuedPolicy() async throws {
        let data = try await policy()
        let cases: [(String, String, String)] = [
            ("policy", Data("{}".utf8).base64EncodedString(), "AccessDenied"),
            ("Signature", "forged", "SignatureDoesNotMatch"),
            ("OSSAccessKeyId", "LTAI-other", "InvalidAccessKeyId"),
            ("key", "elsewhere/cat.png", "starts-with"),
            ("key", (data["upload_dir"] as? String ?? "") + "/", "starts-with"),
            ("x-oss-object-acl", "public-read", "x-oss-object-acl"),
        ]
        for (field, value, fragment) in cases {
            var form = UploadForm(policy: data)
            form.set(field, value)
            let reply = try await upload(form)
            let text = String(decoding: reply.body, as: UTF8.self)
            XCTAssertTrue([400, 403].contains(reply.status), "\(field): \(reply.status)")
            XCTAssertTrue(text.contains(fragment), "\(field): \(text) lacks \(fragment)")
        }
        XCTAssertEqual(server.uploads, [])
    }

    func testABodyThatIsNotAFormIsRefused() async throws {
        let json = try await send("POST", "/oss", key: nil, body: Data("{}".utf8))
        XCTAssertEqual(json.status, 400)
        XCTAssertTrue(String(decoding: json.body, as: UTF8.self).contains("multipart/form-data"))
        let form = UploadForm(policy: try await policy())
        let cut = form.body().prefix(form.body().count - 30)
        let truncated = try await send("POST", "/oss", key: nil, headers: ["Content-Type": form.contentType], body: cut)
        XCTAssertEqual(truncated.status, 400)
        XCTAssertTrue(String(decoding: truncated.body, as: UTF8.self).contains("closing boundary"))
    }

    func testAnUploadedFileResolvesInAModelCallWithTheHeader() async throws {
        let form = UploadForm(policy: try await policy("wan2.5-i2i-preview"))
        let status4 = try await upload(form).status
        XCTAssertEqual(status4, 200)
        let url = "oss://" + form.key
        let body = try JSONSerialization.data(withJSONObject: [
            "model": "wan2.5-i2i-preview", "input": ["prompt": "blue", "images": [url]], "parameters": ["n": 1],
        ])
        let path = GenerationRoute.imageAsync.path
        let resolved = try await send("POST", path, headers: [
            "X-DashScope-Async": "enable", "X-DashScope-OssResourceResolve": "enable",
        ], body: body)
        XCTAssertEqual(resolved.status, 200, resolved.message)
        let unresolved = try await send("POST", path, headers: ["X-DashScope-Async": "enable"], body: body)
        assertError(unresolved, 400, "InvalidParameter", "cannot be resolved")
        let otherModel = try JSONSerialization.data(withJSONObject: Body.messages(
            "qwen-image-edit-plus", content: [["image": url], ["text": "blue"]]
        ))
        let refused = try await send("POST", GenerationRoute.messagesSync.path, headers: [
            "X-DashScope-OssResourceResolve": "enable",
        ], body: otherModel)
        assertError(refused, 400, "InvalidParameter", "uploaded for model wan2.5-i2i-preview")
    }

    func testStoppingForgetsUploadsAndDeletesTheirFiles() async throws {
        let before = try spooledFiles()
        var form = UploadForm(policy: try await policy())
        form.file = Data(repeating: 0x47, count: MockService.uploadMemoryBytes + 1)
        let status5 = try await upload(form).status
        XCTAssertEqual(status5, 200)
        XCTAssertEqual(server.uploadedData(key: form.key), form.file)
        XCTAssertEqual(try spooledFiles().count, before.count + 1, "a file over the memory limit is kept on disk")
        server.stop()
        XCTAssertEqual(server.uploads, [])
        XCTAssertEqual(try spooledFiles(), before)
    }
}
