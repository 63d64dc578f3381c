import Foundation
import XCTest
@testable import DashScopeKit

final class UploadTests: XCTestCase {
    private static let key = "sk-test-0123456789abcd"
    private static let policyJSON = """
        {"request_id":"r1","data":{"policy":"eyJwb2xpY3kiOjF9","signature":"c2ln","upload_dir":"dashscope-instant/abc/2026-11-26/xyz",
        "upload_host":"https://dashscope-file-mgr.oss-cn-beijing.aliyuncs.com","expire_in_seconds":300,"max_file_size_mb":100,
        "capacity_limit_mb":999,"oss_access_key_id":"LTAI-policy-id","x_oss_object_acl":"private","x_oss_forbid_overwrite":"true"}}
        """

    private func uploads(_ transport: FakeTransport, prefix: (@Sendable () -> String)? = nil) throws -> UploadsAPI {
        let api = client(transport, configuration: try configuration(key: Self.key))
        return prefix.map { UploadsAPI(client: api, uniquePrefix: $0) } ?? UploadsAPI(client: api)
    }

    /// The bytes a transport would send for a request's body.
    private func wire(_ request: HTTPRequest) throws -> String {
        let reader = try BodyReader(request.content)
        var out = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
            if count == 0 { break }
            out.append(contentsOf: buffer.prefix(count))
        }
        return String(decoding: out, as: UTF8.self)
    }

    private func localFiles(_ names: [String]) throws -> [UploadFile] {
        let directory = try temporaryDirectory(self)
        return try names.enumerated().map { index, name in
            try FileManager.default.createDirectory(atPath: "\(directory)/\(index)", withIntermediateDirectories: true)
            let path = try Sample.write(Sample.png(500, 500), name, in: "\(directory)/\(index)")
            return UploadFile(path: path, name: name, contentType: "image/png")
        }
    }

    // MARK: Policy

    func testThePolicyIsReadFromDataOrOutput() throws {
        let policy = try UploadPolicy.parse(JSON.parse(Data(Self.policyJSON.utf8)))
        XCTAssertEqual(policy, UploadPolicy(policy: "eyJwb2xpY3kiOjF9", signature: "c2ln", uploadDir: "dashscope-instant/abc/2026-11-26/xyz",
                                            uploadHost: URL(string: "https://dashscope-file-mgr.oss-cn-beijing.aliyuncs.com")!,
                                            accessKeyID: "LTAI-policy-id", objectACL: "private", forbidOverwrite: "true", maxFileSizeMB: 100))
        let output = #"{"output":{"policy":"p","signature":"s","upload_dir":"d","upload_host":"http://127.0.0.1:9/oss","oss_access_key_id":"k","x_oss_forbid_overwrite":true}}"#
        let fromOutput = try UploadPolicy.parse(JSON.parse(Data(output.utf8)))
        XCTAssertEqual(fromOutput.uploadDir, "d")
        XCTAssertEqual(fromOutput.forbidOverwrite, "true")
        XCTAssertNil(fromOutput.objectACL)
    }

    func testAnUnsafePolicyIsRefused() throws {
        func parse(host: String = "https://oss.example.com", dir: String = "a/b") throws -> UploadPolicy {
            let json = JSON.object(["data": .object(["policy": .string("p"), "signature": .string("s"), "upload_dir": .string(dir),
                                                     "upload_host": .string(host), "oss_access_key_id": .string("k")])])
            return try UploadPolicy.parse(json)
        }
        XCTAssertNoThrow(try parse(dir: "dashscope-instant/x/"))
        for dir in ["../etc", "a/../../b", "/abs", "a//b", "a/\u{1B}[2J", "a\\b", ".", ""] {
            assertFails(.unavailable) { _ = try parse(dir: dir) }
        }
        for host in ["file:///etc/passwd", "ftp://oss.example.com", "oss.example.com", "https://", "http://oss.example.com"] {
            assertFails(.unavailable) { _ = try parse(host: host) }
        }
        XCTAssertNoThrow(try parse(host: "http://127.0.0.1:8089/oss"), "plain http only to this machine (the mock)")
        let forged = #"{"data":{"policy":"p\r\n--x","signature":"s","upload_dir":"d","upload_host":"https://h","oss_access_key_id":"k"}}"#
        XCTAssertEqual(assertFails(.unavailable) { _ = try UploadPolicy.parse(JSON.parse(Data(forged.utf8))) }?.message,
                       "the upload policy from the service is unusable: its policy holds control characters")
        let missing = assertFails(.unavailable) { _ = try UploadPolicy.parse(JSON.parse(Data(#"{"data":{"policy":"p"}}"#.utf8))) }
        XCTAssertEqual(missing?.message.contains("no upload_host"), true)
    }

    func testGetPolicyAsksForTheModelWithTheKey() async throws {
        let transport = FakeTransport([.json(200, Self.policyJSON)])
        _ = try await uploads(transport).getPolicy(model: "wan2.6-r2v", deadline: nil)
        let request = try XCTUnwrap(transport.requests.first)
        XCTAssertEqual(request.method, "GET")
        XCTAssertEqual(request.url.absoluteString, "https://dashscope.aliyuncs.com/api/v1/uploads?action=getPolicy&model=wan2.6-r2v")
        XCTAssertEqual(request.header("Authorization"), "Bearer \(Self.key)")
    }

    func testARefusedPolicyExits77WithAnUploadHint() async throws {
        for status in [401, 403] {
            let transport = FakeTransport([.json(status, #"{"code":"InvalidApiKey","message":"Invalid API-key provided.","request_id":"r"}"#)])
            let error = await assertFailsAsync(.keyRejected) { _ = try await self.uploads(transport).upload(try self.localFiles(["a.png"]), model: "m", deadline: nil) }
            XCTAssertEqual(error?.hint?.contains("uploading local files"), true)
            XCTAssertEqual(transport.requests.count, 1, "nothing is posted without a policy")
        }
    }

    // MARK: The OSS form

    func testTheFormHasTheFieldsInOrderTheFileLastAndNoKey() async throws {
        let transport = FakeTransport([.json(200, Self.policyJSON), .response(HTTPResponse(status: 200))])
        let files = try localFiles(["cat.png"])
        let urls = try await uploads(transport, prefix: { "p1" }).upload(files, model: "wan2.5-i2i-preview", deadline: nil)
        XCTAssertEqual(urls, ["oss://dashscope-instant/abc/2026-11-26/xyz/p1-cat.png"])
        let post = transport.requests[1]
        XCTAssertEqual(post.method, "POST")
        XCTAssertEqual(post.url.absoluteString, "https://dashscope-file-mgr.oss-cn-beijing.aliyuncs.com")
        XCTAssertNil(post.header("Authorization"))
        guard case let .multipart(form) = post.content else { return XCTFail("not a form: \(post.content)") }
        XCTAssertEqual(form.fields.map(\.0), ["OSSAccessKeyId", "Signature", "policy", "key", "x-oss-object-acl", "x-oss-forbid-overwrite",
                                              "success_action_status", "x-oss-content-type"])
        XCTAssertEqual(form.fields.map(\.1), ["LTAI-policy-id", "c2ln", "eyJwb2xpY3kiOjF9", "dashscope-instant/abc/2026-11-26/xyz/p1-cat.png",
                                              "private", "true", "200", "image/png"])
        let body = try wire(post)
        XCTAssertFalse(body.contains(Self.key), "the API key never reaches the upload host")
        XCTAssertFalse(post.headers.contains { $0.1.contains(Self.key) })
        let names = ["OSSAccessKeyId", "Signature", "policy", "key", "x-oss-object-acl", "x-oss-forbid-overwrite", "success_action_status",
                     "x-oss-content-type", "file"].map { body.range(of: "name=\"\($0)\"")?.lowerBound }
        XCTAssertFalse(names.contains(nil), body)
        XCTAssertEqual(names.compactMap { $0 }, names.compactMap { $0 }.sorted(), "fields on the wire in order, file last")
        XCTAssertTrue(body.contains("filename=\"cat.png\"\r\nContent-Type: image/png\r\n\r\n\u{FFFD}PNG"), body)
    }

    func testSameNamedFilesGetDistinctKeysUnderOnePolicy() async throws {
        let transport = FakeTransport([.json(200, Self.policyJSON), .response(HTTPResponse(status: 200))])
        let files = try localFiles(["cat.png", "cat.png", "cat.png"])
        XCTAssertNotEqual(files[0].path, files[1].path)
        let urls = try await uploads(transport).upload(files, model: "m", deadline: nil)
        XCTAssertEqual(Set(urls).count, 3, "\(urls)")
        XCTAssertTrue(urls.allSatisfy { $0.hasPrefix("oss://dashscope-instant/abc/2026-11-26/xyz/") && $0.hasSuffix("-cat.png") })
        XCTAssertEqual(transport.requests.filter { $0.method == "GET" }.count, 1, "one getPolicy serves all files")
        XCTAssertEqual(transport.requests.filter { $0.method == "POST" }.count, 3)
    }

    /// Answers getPolicy, then holds each post a moment while counting how many are in flight.
    private final class CountingTransport: HTTPTransport, @unchecked Sendable {
        let inFlight = Locked((now: 0, most: 0, posts: 0))

        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            guard request.method == "POST" else { return HTTPResponse(status: 200, body: Data(UploadTests.policyJSON.utf8)) }
            inFlight.mutate { $0.now += 1; $0.most = max($0.most, $0.now); $0.posts += 1 }
            try await Task.sleep(nanoseconds: 30_000_000)
            inFlight.mutate { $0.now -= 1 }
            return HTTPResponse(status: 200)
        }

        func download(_ request: HTTPRequest, to file: URL, progress: (@Sendable (Int64) -> Void)?) async throws -> HTTPResponse {
            HTTPResponse(status: 500)
        }
    }

    func testFilesUploadInParallelAtMostFourAtOnce() async throws {
        let transport = CountingTransport()
        let api = UploadsAPI(client: APIClient(configuration: try configuration(key: Self.key), transport: transport,
                                               retrier: Retrier(sleeper: RecordingSleeper()), logger: .silent))
        let urls = try await api.upload(try localFiles((1...9).map { "f\($0).png" }), model: "m", deadline: nil)
        XCTAssertEqual(urls.map { $0.hasSuffix("-f1.png") }, [true] + [Bool](repeating: false, count: 8), "URLs come back in input order")
        XCTAssertEqual(transport.inFlight.value.posts, 9)
        XCTAssertLessThanOrEqual(transport.inFlight.value.most, 4)
        XCTAssertGreaterThan(transport.inFlight.value.most, 1, "posts overlap")
    }

    func testA409IsReportedClearlyAndNotRetried() async throws {
        let xml = "<?xml version=\"1.0\"?><Error><Code>FileAlreadyExists</Code><Message>The object you specified already exists.</Message></Error>"
        let transport = FakeTransport([.json(200, Self.policyJSON), .response(HTTPResponse(status: 409, body: Data(xml.utf8)))])
        let error = await assertFailsAsync(.failed) { _ = try await self.uploads(transport).upload(try self.localFiles(["cat.png"]), model: "m", deadline: nil) }
        XCTAssertEqual(error?.message, "the upload of cat.png to dashscope-file-mgr.oss-cn-beijing.aliyuncs.com failed (FileAlreadyExists, HTTP 409): "
                       + "The object you specified already exists.")
        XCTAssertEqual(transport.requests.count, 2)
    }

    func testA5xxIsRetriedThenReportedAs69() async throws {
        let transport = FakeTransport([.json(200, Self.policyJSON), .response(HTTPResponse(status: 503))])
        let error = await assertFailsAsync(.unavailable) { _ = try await self.uploads(transport).upload(try self.localFiles(["a.png"]), model: "m", deadline: nil) }
        XCTAssertEqual(error?.message, "the upload of a.png to dashscope-file-mgr.oss-cn-beijing.aliyuncs.com failed (HTTP 503)")
        XCTAssertEqual(transport.requests.count, 1 + RetryPolicy.standard.maxAttempts)
    }

    func testA409AfterALostFirstAttemptMeansTheFileArrived() async throws {
        let transport = FakeTransport([.json(200, Self.policyJSON), .failure(.connectionLost("reset")),
                                       .response(HTTPResponse(status: 409))])
        let urls = try await uploads(transport, prefix: { "p" }).upload(try localFiles(["a.png"]), model: "m", deadline: nil)
        XCTAssertEqual(urls, ["oss://dashscope-instant/abc/2026-11-26/xyz/p-a.png"])
    }

    func testAFileOverThePolicysLimitIsRefusedBeforePosting() async throws {
        let files = try localFiles(["big.png"])
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: files[0].path))
        try handle.truncate(atOffset: 101 * 1024 * 1024)
        try handle.close()
        let transport = FakeTransport([.json(200, Self.policyJSON)])
        await assertFailsAsync(.badInput) { _ = try await self.uploads(transport).upload(files, model: "m", deadline: nil) }
        XCTAssertEqual(transport.requests.count, 1)
    }

    func testAHostileFileSizeLimitNeitherCrashesNorRefusesEverything() async throws {
        let files = try localFiles(["a.png"])
        for limit in ["9223372036854775807", "0", "-5"] {
            let policy = Self.policyJSON.replacingOccurrences(of: #""max_file_size_mb":100"#, with: #""max_file_size_mb":\#(limit)"#)
            let transport = FakeTransport([.json(200, policy), .json(200, "")])
            let urls = try await uploads(transport).upload(files, model: "m", deadline: nil)
            XCTAssertEqual(urls.count, 1, "max_file_size_mb \(limit) is ignored, not obeyed")
        }
    }

    func testKeysAreSanitised() {
        XCTAssertEqual(UploadsAPI.sanitised("my cat (1).png"), "my_cat__1_.png")
        XCTAssertEqual(UploadsAPI.sanitised("../../.ssh"), "_._.._.ssh")
        XCTAssertEqual(UploadsAPI.sanitised("猫.png"), "_.png")
        XCTAssertEqual(UploadsAPI.sanitised(""), "file")
        XCTAssertEqual(UploadsAPI.sanitised(String(repeating: "a", count: 300) + ".png").count, 100)
    }

    // MARK: Resolving a command's inputs

    func testResolveMakesDataURLsUploadsAndPassesRemoteValues() async throws {
        let files = try localFiles(["cat.png", "clip.mp4"])
        try Data(Sample.mp4).write(to: URL(fileURLWithPath: files[1].path))
        let image = MediaInput(value: "cat.png", role: .image, source: .local(try MediaInspector.inspect(path: files[0].path, shown: "cat.png", role: .image)))
        let video = MediaInput(value: "clip.mp4", role: .video, source: .local(try MediaInspector.inspect(path: files[1].path, shown: "clip.mp4", role: .video)))
        let web = MediaInput(value: "https://e.com/a.png", role: .image, source: .web("https://e.com/a.png"))

        let none = FakeTransport([.json(500, "{}")])
        let plain = try await MediaInputs.resolve([image, web], upload: false, model: "m", uploads: try uploads(none), deadline: nil)
        XCTAssertEqual(plain, ResolvedMedia(urls: ["data:image/png;base64," + Data(Sample.png(500, 500)).base64EncodedString(), "https://e.com/a.png"]))
        XCTAssertFalse(plain.needsOssResolve)
        XCTAssertTrue(none.requests.isEmpty, "data URLs need no request")

        let transport = FakeTransport([.json(200, Self.policyJSON), .response(HTTPResponse(status: 200))])
        let mixed = try await MediaInputs.resolve([image, video, web], upload: false, model: "wan2.6-r2v", uploads: try uploads(transport, prefix: { "u" }), deadline: nil)
        XCTAssertTrue(mixed.urls[0].hasPrefix("data:image/png;base64,"))
        XCTAssertEqual(mixed.urls[1], "oss://dashscope-instant/abc/2026-11-26/xyz/u-clip.mp4", "a video is always uploaded")
        XCTAssertTrue(mixed.needsOssResolve)
        XCTAssertEqual(transport.requests.first?.url.query, "action=getPolicy&model=wan2.6-r2v")

        let all = FakeTransport([.json(200, Self.policyJSON), .response(HTTPResponse(status: 200))])
        let uploaded = try await MediaInputs.resolve([image, web], upload: true, model: "m", uploads: try uploads(all, prefix: { "u" }), deadline: nil)
        XCTAssertEqual(uploaded.urls, ["oss://dashscope-instant/abc/2026-11-26/xyz/u-cat.png", "https://e.com/a.png"])
        XCTAssertEqual(all.requests.count, 2)

        await assertFailsAsync(.usage) { _ = try await MediaInputs.resolve([video], upload: false, model: "m", uploads: nil, deadline: nil) }

        let oss = MediaInput(value: "oss://b/k.png", role: .image, source: .oss("oss://b/k.png"))
        let passed = try await MediaInputs.resolve([oss], upload: false, model: "m", uploads: nil, deadline: nil)
        XCTAssertEqual(passed.urls, ["oss://b/k.png"])
        XCTAssertTrue(passed.needsOssResolve)
    }

    #if os(Linux)
    func testOnTheWireTheKeyGoesToGetPolicyOnlyAndTheFormArrivesInOrder() async throws {
        let port = Locked<UInt16>(0)
        let server = try CannedHTTPServer { received in
            let body: String
            if received.path.hasPrefix("/api/v1/uploads") {
                body = #"{"request_id":"r","data":{"policy":"cG9s","signature":"c2ln","upload_dir":"dir/sub","upload_host":"http://127.0.0.1:"#
                    + "\(port.value)/oss" + #"","oss_access_key_id":"id","x_oss_object_acl":"private","x_oss_forbid_overwrite":"true"}}"#
            } else {
                body = ""
            }
            return .raw("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        }
        defer { server.stop() }
        port.mutate { $0 = server.port }
        let api = APIClient(configuration: try configuration(key: Self.key, baseURL: "http://127.0.0.1:\(server.port)"),
                            transport: CurlTransport(), retrier: Retrier(sleeper: RecordingSleeper()), logger: .silent)
        let files = try localFiles(["my cat.png"])
        let urls = try await UploadsAPI(client: api, uniquePrefix: { "u1" }).upload(files, model: "wan2.6-image", deadline: nil)
        XCTAssertEqual(urls, ["oss://dir/sub/u1-my_cat.png"])

        let requests = server.requests
        XCTAssertEqual(requests.map(\.method), ["GET", "POST"])
        XCTAssertEqual(requests[0].header("authorization"), "Bearer \(Self.key)")
        XCTAssertEqual(requests[1].path, "/oss")
        XCTAssertNil(requests[1].header("authorization"), "no Authorization on the upload host")
        let body = requests[1].body
        XCTAssertNil(body.range(of: Data(Self.key.utf8)), "the key is nowhere in the form")
        let order = ["OSSAccessKeyId", "Signature", "policy", "key", "x-oss-object-acl", "x-oss-forbid-overwrite", "success_action_status",
                     "x-oss-content-type", "file"].compactMap { body.range(of: Data("name=\"\($0)\"".utf8))?.lowerBound }
        XCTAssertEqual(order.count, 9)
        XCTAssertEqual(order, order.sorted())
        XCTAssertNotNil(body.range(of: Data("dir/sub/u1-my_cat.png\r\n".utf8)))
        XCTAssertNotNil(body.range(of: Data(Sample.png(500, 500))), "the file's bytes arrive whole")
        XCTAssertTrue(requests[1].header("content-type")?.hasPrefix("multipart/form-data; boundary=") == true)
    }
    #endif
}
