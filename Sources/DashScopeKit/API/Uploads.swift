#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The temporary upload policy of one model (API.md section 6): what the OSS form must carry, and where it goes.
public struct UploadPolicy: Sendable, Equatable {
    /// The base64 policy document, sent back verbatim.
    public var policy: String
    /// Its signature.
    public var signature: String
    /// The folder every key must start with (a safe relative path).
    public var uploadDir: String
    /// The OSS endpoint the form is posted to (`http` or `https`).
    public var uploadHost: URL
    /// The access key id of the policy (not the user's API key).
    public var accessKeyID: String
    /// `x-oss-object-acl`, when the policy sets one.
    public var objectACL: String?
    /// `x-oss-forbid-overwrite`, when the policy sets one.
    public var forbidOverwrite: String?
    /// The largest file the policy admits, in MB, when it says so.
    public var maxFileSizeMB: Int?

    /// Creates a policy.
    public init(policy: String, signature: String, uploadDir: String, uploadHost: URL, accessKeyID: String,
                objectACL: String? = nil, forbidOverwrite: String? = nil, maxFileSizeMB: Int? = nil) {
        self.policy = policy
        self.signature = signature
        self.uploadDir = uploadDir
        self.uploadHost = uploadHost
        self.accessKeyID = accessKeyID
        self.objectACL = objectACL
        self.forbidOverwrite = forbidOverwrite
        self.maxFileSizeMB = maxFileSizeMB
    }

    /// Reads the answer of getPolicy: `data`, or `output` when `data` is absent. Throws 69 when a field is missing,
    /// the host is not an http(s) URL, or the folder is not a safe relative path.
    public static func parse(_ json: JSON) throws -> UploadPolicy {
        let fields = json["data"].flatMap { $0.isNull ? nil : $0 } ?? json["output"] ?? .null
        func text(_ name: String) -> String? {
            if let string = fields[name]?.string { return string }
            if let flag = fields[name]?.bool { return flag ? "true" : "false" }
            return nil
        }
        func required(_ name: String) throws -> String {
            guard let value = text(name), !value.isEmpty else { throw unusable("it has no \(name)") }
            return value
        }
        // Every value goes into a form part as it is: a line break there would forge parts of the form.
        for (name, value) in fields.members where value.string?.unicodeScalars.contains(where: TerminalText.isControl) == true {
            throw unusable("its \(TerminalText.line(name)) holds control characters")
        }
        let host = try required("upload_host")
        guard let url = URL(string: host), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), let name = url.host, !name.isEmpty else {
            throw unusable("its upload_host is not an http(s) URL (\(TerminalText.line(String(host.prefix(200)))))")
        }
        // Files and the signed policy go in clear over plain http: only to this machine (the mock).
        guard url.scheme?.lowercased() == "https" || SettingChecks.isLoopback(name) else {
            throw unusable("its upload_host is plain http off this machine (\(TerminalText.line(String(host.prefix(200)))))")
        }
        let directory = try required("upload_dir")
        guard isSafeDirectory(directory) else {
            throw unusable("its upload_dir is not a safe relative path (\(TerminalText.line(String(directory.prefix(200)))))")
        }
        return UploadPolicy(policy: try required("policy"), signature: try required("signature"), uploadDir: directory,
                            uploadHost: url, accessKeyID: try required("oss_access_key_id"),
                            objectACL: text("x_oss_object_acl"), forbidOverwrite: text("x_oss_forbid_overwrite"),
                            maxFileSizeMB: fields["max_file_size_mb"]?.int)
    }

    /// Relative, no `..` or `.` component, no empty component, no backslash, no control characters.
    static func isSafeDirectory(_ directory: String) -> Bool {
        let trimmed = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        guard !trimmed.isEmpty, !trimmed.hasPrefix("/"), !trimmed.contains("\\"),
              !trimmed.unicodeScalars.contains(where: TerminalText.isControl) else { return false }
        return trimmed.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    private static func unusable(_ why: String) -> DashScopeError {
        DashScopeError("the upload policy from the service is unusable: \(why)",
                       hint: "try again later; run with --verbose to see the answer", exit: .unavailable)
    }
}

/// One local file to upload: where it is, the name announced, and its type.
public struct UploadFile: Sendable, Equatable {
    /// The absolute path.
    public var path: String
    /// The file name (its last path component).
    public var name: String
    /// The MIME type (from the magic bytes).
    public var contentType: String

    /// Creates an upload.
    public init(path: String, name: String, contentType: String) {
        self.path = path
        self.name = name
        self.contentType = contentType
    }
}

/// Temporary uploads: one getPolicy per call, then OSS form posts streamed from disk, several at a time, each under
/// its own key. The API key goes to getPolicy only, never to the upload host.
public struct UploadsAPI: Sendable {
    /// The API client (getPolicy, and the transport and retries of the OSS posts).
    public var client: APIClient
    /// How many files are posted at once.
    public var parallelism: Int
    /// Makes the unique part of each key.
    public var uniquePrefix: @Sendable () -> String

    /// Creates the uploader.
    public init(client: APIClient, parallelism: Int = 4,
                uniquePrefix: @escaping @Sendable () -> String = { String(UUID().uuidString.lowercased().filter { $0 != "-" }.prefix(16)) }) {
        self.client = client
        self.parallelism = max(1, parallelism)
        self.uniquePrefix = uniquePrefix
    }

    /// The endpoint of getPolicy for `model`.
    public static func policyEndpoint(model: String) -> Endpoint {
        Endpoint(method: "GET", path: "/uploads", query: [("action", "getPolicy"), ("model", model)], kind: .idempotent)
    }

    /// Asks for the upload policy of `model`; 401/403 become the client's usual 77 with an upload hint.
    public func getPolicy(model: String, deadline: Date?) async throws -> UploadPolicy {
        do {
            return try UploadPolicy.parse(try await client.perform(Self.policyEndpoint(model: model), deadline: deadline))
        } catch var error as DashScopeError where error.exitCode == .keyRejected {
            error.hint = (error.hint.map { $0 + "; " } ?? "") + "uploading local files (--upload, videos, audio) needs a key that may call the model"
            throw error
        }
    }

    /// Uploads every file under one policy for `model`, at most `parallelism` at once; returns `oss://` URLs in order.
    public func upload(_ files: [UploadFile], model: String, deadline: Date?) async throws -> [String] {
        guard !files.isEmpty else { return [] }
        let policy = try await getPolicy(model: model, deadline: deadline)
        let keys = files.map { key(for: $0, policy: policy) }
        return try await Concurrently.map(files.count, width: parallelism) { index in
            try await post(files[index], key: keys[index], policy: policy, deadline: deadline)
        }
    }

    /// `{upload_dir}/{unique prefix}-{sanitised name}`: two files with the same name never share a key.
    public func key(for file: UploadFile, policy: UploadPolicy) -> String {
        let directory = policy.uploadDir.hasSuffix("/") ? String(policy.uploadDir.dropLast()) : policy.uploadDir
        return "\(directory)/\(uniquePrefix())-\(Self.sanitised(file.name))"
    }

    /// A file name safe in a key: letters, digits, `.`, `-`, `_`; anything else `_`; no leading dot; at most 100 characters.
    public static func sanitised(_ name: String) -> String {
        var clean = String(String.UnicodeScalarView(name.unicodeScalars.map { scalar in
            scalar.isASCII && (scalar.isASCIIAlphanumeric || "._-".unicodeScalars.contains(scalar)) ? scalar : "_"
        }))
        while clean.hasPrefix(".") { clean = "_" + clean.dropFirst() }
        clean = String(clean.suffix(100))
        return clean.isEmpty ? "file" : clean
    }

    /// The OSS form, fields in the order of API.md section 6, the file last.
    public static func form(for file: UploadFile, key: String, policy: UploadPolicy) -> MultipartForm {
        var fields: [(String, String)] = [("OSSAccessKeyId", policy.accessKeyID), ("Signature", policy.signature),
                                          ("policy", policy.policy), ("key", key)]
        if let acl = policy.objectACL { fields.append(("x-oss-object-acl", acl)) }
        if let forbid = policy.forbidOverwrite { fields.append(("x-oss-forbid-overwrite", forbid)) }
        fields += [("success_action_status", "200"), ("x-oss-content-type", file.contentType)]
        return MultipartForm(fields: fields, file: .init(path: file.path, filename: sanitised(file.name), contentType: file.contentType))
    }

    /// Posts one file; retried on connection failures and 5xx (until `deadline`, with one: no retry waits past it). A
    /// 409 after a lost first attempt means that attempt stored the file (the key is ours alone), so it counts as done.
    private func post(_ file: UploadFile, key: String, policy: UploadPolicy, deadline: Date?) async throws -> String {
        // A limit from the server is used only when it is sane (a huge or negative one must not overflow or refuse all).
        if let mb = policy.maxFileSizeMB, (1...(Int.max / 1_048_576)).contains(mb),
           let size = try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int, size > mb * 1_048_576 {
            throw DashScopeError("\(TerminalText.line(file.name)) is \(MediaInspector.megabytes(size)); the upload policy takes files of at most \(mb) MB",
                                 hint: "make it smaller, or pass an http(s) URL to it instead", exit: .badInput)
        }
        let request = HTTPRequest(method: "POST", url: policy.uploadHost, headers: [("User-Agent", Version.userAgent)],
                                  content: .multipart(Self.form(for: file, key: key, policy: policy)), timeout: 120, deadline: deadline)
        let host = TerminalText.line(policy.uploadHost.host ?? policy.uploadHost.absoluteString)
        var attempts = 0
        let response: HTTPResponse
        do {
            response = try await client.retrier.run(kind: .idempotent, what: "upload of \(TerminalText.line(file.name)) to \(host)",
                                                    deadline: deadline) {
                attempts += 1
                client.logger.trace?("> POST \(policy.uploadHost.absoluteString) (form upload of \(TerminalText.line(file.name)), key \(TerminalText.line(key)))")
                return try await client.transport.send(request)
            }
        } catch let error as TransportError {
            throw APIClient.networkError(error, kind: .idempotent, host: host)
        }
        client.logger.trace?("< HTTP \(response.status) from \(host)")
        guard response.status == 200 || (response.status == 409 && attempts > 1) else {
            throw Self.failure(status: response.status, body: response.body, host: host, file: file.name)
        }
        return "oss://\(key)"
    }

    /// The error for a refused upload: OSS answers XML `<Code>` and `<Message>`.
    static func failure(status: Int, body: Data, host: String, file: String) -> DashScopeError {
        let text = String(decoding: body.prefix(4096), as: UTF8.self)
        func element(_ name: String) -> String? {
            guard let open = text.firstRange(of: "<\(name)>"), let close = text[open.upperBound...].firstRange(of: "</\(name)>")
            else { return nil }
            return TerminalText.line(String(text[open.upperBound..<close.lowerBound].prefix(300)))
        }
        let code = element("Code")
        let label = [code, "HTTP \(status)"].compactMap { $0 }.joined(separator: ", ")
        let message = "the upload of \(TerminalText.line(file)) to \(host) failed (\(label))" + (element("Message").map { ": \($0)" } ?? "")
        let hint: String
        switch status {
        case 409: hint = "an object with this key already exists; run the command again (each run uses new keys)"
        case 403: hint = "the storage host refused the upload policy (it may have expired): run the command again"
        case 400...499: hint = "the storage host refused the form: run again with --verbose and report it if it repeats"
        default: hint = "the storage host is having trouble: try again later"
        }
        return DashScopeError(message, hint: hint, exit: (400...499).contains(status) ? .failed : .unavailable)
    }
}
