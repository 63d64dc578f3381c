#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// A file the mock's OSS stored through the form upload, as tests see it.
public struct MockUpload: Sendable, Equatable {
    /// The object key, `{upload_dir}/{filename}`; `oss://` followed by it names the file in model calls.
    public let key: String
    /// The file's size in bytes.
    public let size: Int
    /// The form's `x-oss-content-type` field.
    public let contentType: String
    /// The model the policy it was uploaded under was issued for.
    public let model: String
}

/// A temporary-upload policy issued by `GET /api/v1/uploads?action=getPolicy` (API.md §6).
struct UploadPolicy: Sendable {
    let policy: String
    let signature: String
    let accessKeyID: String
    let uploadDir: String
    let model: String
    let acl = "private"
    let forbidOverwrite = "true"
    static let maxFileMegabytes = 100
    static let expireSeconds = 300

    /// A fresh policy for `model`, its text a base64 JSON document like OSS's, dated `now`.
    init(model: String, now: Date) {
        let day = MockTime.format(now).prefix(10)
        uploadDir = "dashscope-instant/\(Self.random(32))/\(day)/\(Self.random(8))"
        let document: [String: Any] = [
            "expiration": CalendarText.iso8601(now.addingTimeInterval(Double(Self.expireSeconds))),
            "conditions": [
                ["content-length-range", 0, Self.maxFileMegabytes * 1_048_576],
                ["starts-with", "$key", uploadDir],
                ["bucket", "dashscope-file-mgr"],
            ],
        ]
        policy = MockJSON.encode(document).base64EncodedString()
        signature = Data(Self.random(20).utf8).base64EncodedString()
        accessKeyID = "LTAI5t" + Self.random(18)
        self.model = model
    }

    /// The `data` object of the getPolicy answer, uploads going to `host`.
    func json(host: String) -> [String: Any] {
        [
            "policy": policy, "signature": signature, "upload_dir": uploadDir, "upload_host": host,
            "oss_access_key_id": accessKeyID, "x_oss_object_acl": acl, "x_oss_forbid_overwrite": forbidOverwrite,
            "max_file_size_mb": Self.maxFileMegabytes, "capacity_limit_mb": 999_999_999,
            "expire_in_seconds": Self.expireSeconds,
        ]
    }

    private static func random(_ count: Int) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<count).map { _ in letters.randomElement()! })
    }
}

/// The mock's OSS: policies issued and files stored, each file in memory or in a temporary file.
struct UploadStore: Sendable {
    private struct Object: Sendable {
        let upload: MockUpload
        let memory: Data
        let spooled: SpooledBody?
    }

    private var policies: [String: UploadPolicy] = [:]
    private var objects: [String: Object] = [:]
    private var order: [String] = []

    /// Keeps a policy so form uploads can be checked against it.
    mutating func issue(_ policy: UploadPolicy) {
        policies[policy.policy] = policy
    }

    /// The issued policy whose text is `text`.
    func policy(_ text: String) -> UploadPolicy? {
        policies[text]
    }

    /// Whether a file is stored under `key`.
    func contains(_ key: String) -> Bool {
        objects[key] != nil
    }

    /// The model a stored file's policy was issued for.
    func model(ofKey key: String) -> String? {
        objects[key]?.upload.model
    }

    /// Stores (or replaces) the file under `upload.key`.
    mutating func store(_ upload: MockUpload, memory: Data, spooled: SpooledBody?) {
        if objects[upload.key] == nil {
            order.append(upload.key)
        }
        objects[upload.key] = Object(upload: upload, memory: memory, spooled: spooled)
    }

    /// Every stored file, in the order first stored.
    var uploads: [MockUpload] {
        order.compactMap { objects[$0]?.upload }
    }

    /// The bytes stored under `key`; a file kept on disk is mapped, not read.
    func data(_ key: String) -> Data? {
        guard let object = objects[key] else {
            return nil
        }
        guard let spooled = object.spooled else {
            return object.memory
        }
        return try? Data(contentsOf: URL(fileURLWithPath: spooled.path), options: .alwaysMapped)
    }

    /// Forgets every policy and file; files on disk are deleted once nothing holds them.
    mutating func removeAll() {
        policies.removeAll()
        objects.removeAll()
        order.removeAll()
    }
}
