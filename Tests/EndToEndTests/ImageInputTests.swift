import Foundation
import XCTest
import DashScopeMock
#if canImport(zlib)
import zlib
#endif

/// `i2i` and `edit` end to end: every model, every kind of input (path, URL, data URL, upload), the upload form, the
/// resolve header exactly when needed, no key on the OSS host, and every bad input refused before anything is sent.
final class ImageInputTests: EndToEndCase {
    /// A PNG of `width` x `height` whose header is all the tool and the mock read (a valid signature and IHDR chunk).
    private func png(_ name: String, _ width: Int, _ height: Int) throws {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]
        for value in [width, height] { bytes += [24, 16, 8, 0].map { UInt8((value >> $0) & 0xFF) } }
        bytes += [8, 2, 0, 0, 0, 0, 0, 0, 0] + [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
        let path = url(name)
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: path)
    }

    private var uploadsSeen: [RecordedRequest] { mock.requests.filter { $0.path.hasPrefix("/oss") } }
    private var policies: [RecordedRequest] { mock.requests.filter { $0.path == "/api/v1/uploads" } }

    private func images(of request: RecordedRequest?) -> [String] {
        guard let json = request?.json else { return [] }
        let input = json["input"] as? [String: Any] ?? [:]
        if let list = input["images"] as? [String] { return list }
        if let base = input["base_image_url"] as? String { return [base] + [input["mask_image_url"] as? String].compactMap { $0 } }
        let messages = input["messages"] as? [[String: Any]] ?? []
        return (messages.first?["content"] as? [[String: Any]] ?? []).compactMap { $0["image"] as? String }
    }

    // MARK: - Every model and input kind

    func testImageToImageWithEveryKindOfInput() throws {
        try png("in/cat.png", 512, 512)
        let dataURL = "data:image/png;base64," + (try Data(contentsOf: url("in/cat.png"))).base64EncodedString()
        for model in ["wan2.5-i2i-preview", "wan2.6-image"] {
            mock.clearRequests()
            let result = try run(["i2i", "autumn", "-m", model, "-i", "in/cat.png", "-i", "https://example.com/b.png",
                                  "-i", dataURL, "-o", "out/"])
            assertExit(result, 0)
            assertPNGs(result.lines)
            let sent = images(of: creates.first)
            XCTAssertEqual(sent.count, 3, model)
            XCTAssertTrue(sent[0].hasPrefix("data:image/png;base64,"), "a local file goes inline: \(sent[0].prefix(40))")
            XCTAssertEqual(sent[1], "https://example.com/b.png")
            XCTAssertEqual(sent[2], dataURL)
            XCTAssertNil(creates.first?.headers["x-dashscope-ossresourceresolve"], "\(model): no oss:// input, no resolve header")
            XCTAssertTrue(policies.isEmpty && uploadsSeen.isEmpty, "\(model): nothing is uploaded without --upload")
        }
    }

    func testEveryModelTakesEveryKindOfInput() throws {
        try png("cat.png", 768, 768)
        let dataURL = "data:image/png;base64," + (try Data(contentsOf: url("cat.png"))).base64EncodedString()
        let commands: [(String, [String])] = [
            ("wan2.5-i2i-preview", ["i2i"]), ("wan2.6-image", ["i2i"]), ("qwen-image-edit-plus", ["edit"]),
            ("qwen-image-edit", ["edit"]), ("wanx2.1-imageedit", ["edit", "--function", "colorization"]),
        ]
        let kinds: [(String, [String], String)] = [
            ("path", ["-i", "cat.png"], "data:image/png;base64,"), ("url", ["-i", "https://example.com/a.png"], "https://"),
            ("data URL", ["-i", dataURL], dataURL), ("upload", ["-i", "cat.png", "--upload"], "oss://"),
        ]
        for (model, command) in commands {
            for (kind, input, sentPrefix) in kinds {
                mock.clearRequests()
                let result = try run([command[0], "a change"] + Array(command.dropFirst()) + ["-m", model] + input + ["-o", "out/"])
                assertExit(result, 0)
                assertPNGs(result.lines)
                let sent = images(of: creates.first)
                XCTAssertEqual(sent.count, 1, "\(model) \(kind)")
                XCTAssertTrue(sent.first?.hasPrefix(sentPrefix) ?? false, "\(model) \(kind): \(sent.first?.prefix(40) ?? "")")
                XCTAssertEqual(creates.first?.headers["x-dashscope-ossresourceresolve"], kind == "upload" ? "enable" : nil,
                               "\(model) \(kind): the resolve header exactly when an input is oss://")
                XCTAssertEqual(policies.count, kind == "upload" ? 1 : 0, "\(model) \(kind)")
            }
        }
    }

    func testUploadGoesThroughOnePolicyWithDistinctKeysAndNoKeyOnTheOSSHost() throws {
        try png("a/cat.png", 512, 512)
        try png("b/cat.png", 640, 512)
        let result = try run(["i2i", "merge", "-m", "wan2.6-image", "-i", "a/cat.png", "-i", "b/cat.png", "--upload", "-o", "out/"])
        assertExit(result, 0)
        assertPNGs(result.lines)
        XCTAssertEqual(policies.count, 1, "one policy serves all files of a call")
        XCTAssertEqual(policies.first?.query["model"], "wan2.6-image")
        XCTAssertEqual(uploadsSeen.count, 2)
        for upload in uploadsSeen {
            XCTAssertNil(upload.headers["authorization"], "the key never goes to the OSS host")
            XCTAssertFalse(String(decoding: upload.body, as: UTF8.self).contains(Self.apiKey))
        }
        let keys = mock.uploads.map(\.key)
        XCTAssertEqual(Set(keys).count, 2, "two files named cat.png get two keys: \(keys)")
        let sent = images(of: creates.first)
        XCTAssertEqual(Set(sent), Set(keys.map { "oss://" + $0 }), "the call names exactly the uploaded files")
        XCTAssertEqual(creates.first?.headers["x-dashscope-ossresourceresolve"], "enable")
    }

    func testTheUploadFormHasTheDocumentedFieldsInOrder() throws {
        try png("cat.png", 512, 512)
        let result = try run(["edit", "pink sky", "-i", "cat.png", "--upload", "-o", "out/"])
        assertExit(result, 0)
        let form = String(decoding: try XCTUnwrap(uploadsSeen.first).body, as: UTF8.self)
        let fields = ["OSSAccessKeyId", "Signature", "policy", "key", "x-oss-object-acl", "x-oss-forbid-overwrite",
                      "success_action_status", "x-oss-content-type", "file"]
        let positions = fields.map { form.range(of: "name=\"\($0)\"")?.lowerBound }
        XCTAssertFalse(positions.contains(nil), "every field is sent: \(positions)")
        XCTAssertEqual(positions.compactMap { $0 }, positions.compactMap { $0 }.sorted(), "in the documented order, file last")
    }

    func testEditWithEveryModel() throws {
        try png("cat.png", 512, 512)
        try png("mask.png", 512, 512)
        let plus = try run(["edit", "pink sky", "-i", "cat.png", "-n", "2", "-o", "plus/"])
        assertExit(plus, 0)
        XCTAssertEqual(plus.lines.count, 2)
        assertPNGs(plus.lines)
        XCTAssertEqual(creates.last?.path, "/api/v1/services/aigc/multimodal-generation/generation")
        let single = try run(["edit", "pink sky", "-m", "qwen-image-edit", "-i", "https://example.com/a.png", "-o", "single/"])
        assertExit(single, 0)
        assertPNGs(single.lines)
        let masked = try run(["edit", "a red hat", "-m", "wanx2.1-imageedit", "--function", "description_edit_with_mask",
                              "-i", "cat.png", "--mask", "mask.png", "--upload", "-o", "masked/"])
        assertExit(masked, 0)
        assertPNGs(masked.lines)
        XCTAssertEqual(creates.last?.path, "/api/v1/services/aigc/image2image/image-synthesis")
        XCTAssertEqual(creates.last?.headers["x-dashscope-async"], "enable")
        XCTAssertEqual(images(of: creates.last).count, 2, "base image and mask")
        XCTAssertTrue(images(of: creates.last).allSatisfy { $0.hasPrefix("oss://") })
        let input = creates.last?.json?["input"] as? [String: Any]
        XCTAssertTrue((input?["base_image_url"] as? String)?.hasSuffix("-cat.png") ?? false, "\(input ?? [:])")
        XCTAssertTrue((input?["mask_image_url"] as? String)?.hasSuffix("-mask.png") ?? false, "the mask goes in mask_image_url")
        let expand = try run(["edit", "wider", "-m", "wanx2.1-imageedit", "--function", "expand", "--top-scale", "1.5",
                              "-i", "cat.png", "-o", "expand/"])
        assertExit(expand, 0)
        let parameters = creates.last?.json?["parameters"] as? [String: Any]
        XCTAssertEqual(parameters?["top_scale"] as? Double, 1.5)
    }

    func testInterleavedTextIsSavedAsMarkdownBesideTheImages() throws {
        try png("cat.png", 512, 512)
        let result = try run(["i2i", "steps", "-m", "wan2.6-image", "-i", "cat.png", "--interleave", "--max-images", "2", "-o", "il/guide.png"])
        assertExit(result, 0)
        XCTAssertEqual(result.lines, ["il/guide-1.png", "il/guide-2.png", "il/guide.md"])
        assertPNGs(Array(result.lines.prefix(2)))
        let markdown = try String(contentsOf: url("il/guide.md"), encoding: .utf8)
        let first = try XCTUnwrap(markdown.range(of: "![](<guide-1.png>)"), markdown)
        let second = try XCTUnwrap(markdown.range(of: "![](<guide-2.png>)"), markdown)
        XCTAssertLessThan(first.lowerBound, second.lowerBound)
        XCTAssertFalse(markdown.isEmpty)
        let parameters = creates.last?.json?["parameters"] as? [String: Any]
        XCTAssertEqual(parameters?["enable_interleave"] as? Bool, true)
        XCTAssertEqual(parameters?["max_images"] as? Int, 2)
        let json = try run(["i2i", "steps", "-m", "wan2.6-image", "-i", "cat.png", "--interleave", "--json", "-o", "il2/"])
        assertExit(json, 0)
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertFalse((document["texts"] as? [String] ?? []).isEmpty, json.stdout)
        XCTAssertTrue((document["paths"] as? [String] ?? []).contains { $0.hasSuffix(".md") }, json.stdout)
    }

    func testDryRunShowsPlaceholdersAndSendsNothing() throws {
        try png("cat.png", 512, 512)
        let inline = try run(["i2i", "autumn", "-i", "cat.png", "--dry-run"])
        assertExit(inline, 0)
        XCTAssertTrue(inline.stdout.contains("data:image/png;base64,…(cat.png"), inline.stdout)
        let uploaded = try run(["i2i", "autumn", "-i", "cat.png", "--dry-run", "--upload"])
        XCTAssertTrue(uploaded.stdout.contains("oss://<upload of cat.png>"), uploaded.stdout)
        XCTAssertTrue(uploaded.stdout.contains("X-DashScope-OssResourceResolve: enable"), uploaded.stdout)
        XCTAssertTrue(mock.requests.isEmpty, "--dry-run sends nothing, uploads nothing")
    }

    // MARK: - Bad input, refused before anything is sent

    /// An unreadable image exits 66 before anything is sent. Root reads every file, so as root (CI) the run drops to
    /// `nobody` with setpriv; a non-root user runs it directly.
    func testAnUnreadableImageExits66() throws {
        try png("locked.png", 512, 512)
        chmod(url("locked.png").path, 0)
        defer { chmod(url("locked.png").path, 0o600) }
        chmod(root.path, 0o755)
        let args = ["i2i", "x", "-i", "locked.png"]
        let result: RunResult
        if getuid() == 0 {
            let setpriv = URL(fileURLWithPath: "/usr/bin/setpriv")
            guard FileManager.default.isExecutableFile(atPath: setpriv.path) else { return XCTFail("setpriv (util-linux) is missing") }
            result = try Spawned(binary: setpriv, arguments: ["--reuid=65534", "--regid=65534", "--clear-groups", try Self.binary().path] + args,
                                 environment: environment(), cwd: root, stdin: nil).finish(timeout: 20)
        } else {
            result = try run(args)
        }
        assertExit(result, 66)
        XCTAssertTrue(result.stderr.contains("cannot read locked.png: permission denied"), result.stderr)
        XCTAssertTrue(mock.requests.isEmpty, "nothing may be sent")
    }

    func testBadInputsAreRefusedBeforeAnyRequest() throws {
        try png("cat.png", 512, 512)
        try png("small.png", 200, 200)
        try png("huge.png", 6000, 6000)
        let smallData = "data:image/png;base64," + (try Data(contentsOf: url("small.png"))).base64EncodedString()
        try png("mask-data.png", 640, 512)
        let maskData = "data:image/png;base64," + (try Data(contentsOf: url("mask-data.png"))).base64EncodedString()
        try png("wide-mask.png", 640, 512)
        try write("hello, not a picture\n", to: "notes.png")
        try FileManager.default.createDirectory(at: url("folder"), withIntermediateDirectories: true)
        let big = url("big.png")
        try Data(try Data(contentsOf: url("cat.png"))).write(to: big)
        let handle = try FileHandle(forWritingTo: big)
        try handle.truncate(atOffset: 12 * 1024 * 1024)
        try handle.close()
        let cases: [([String], Int32, String)] = [
            (["i2i", "x", "-i", "missing.png"], 66, "does not exist"),
            (["i2i", "x", "-i", "folder"], 66, "directory"),
            (["i2i", "x", "-i", "notes.png"], 65, "not an image"),
            (["i2i", "x", "-i", "small.png"], 65, "200x200"),
            (["i2i", "x", "-i", "huge.png"], 65, "6000x6000"),
            (["i2i", "x", "-i", smallData], 65, "200x200"),
            (["edit", "x", "-m", "wanx2.1-imageedit", "--function", "description_edit_with_mask", "-i", "cat.png", "--mask", maskData],
             65, "640x512"),
            (["i2i", "x", "-i", "cat.png", "--upload", "-o", "cat.png/x/"], 73, "output directory"),
            (["i2i", "x", "-i", "big.png"], 65, "10 MB"),
            (["i2i", "x", "-i", "cat.png", "-i", "cat.png", "-i", "cat.png", "-i", "cat.png"], 64, "1 to 3 images"),
            (["edit", "x", "-m", "wanx2.1-imageedit", "--function", "description_edit_with_mask", "-i", "cat.png", "--mask", "wide-mask.png"],
             65, "640x512"),
            (["edit", "x", "-m", "wanx2.1-imageedit", "--function", "expand", "--strength", "0.5", "-i", "cat.png"], 64, "--strength"),
            (["edit", "x", "-m", "wanx2.1-imageedit", "--function", "expand", "--mask", "cat.png", "-i", "cat.png"], 64, "--mask"),
            (["edit", "x", "-m", "wanx2.1-imageedit", "--function", "expnd", "-i", "cat.png"], 64, "Did you mean 'expand'"),
            (["edit", "x", "-m", "wanx2.1-imageedit", "-i", "cat.png"], 64, "needs --function"),
            (["i2i", "x", "-i", "file:///etc/passwd"], 64, "file://"),
            (["i2i", "x"], 64, "takes 1 to 3 images"),
        ]
        for (argv, status, words) in cases {
            let result = try run(argv.contains("-o") ? argv : argv + ["-o", "out/"])
            assertExit(result, status)
            XCTAssertTrue(result.stderr.contains(words), "\(argv): \(result.stderr)")
            assertNoBacktrace(result)
        }
        XCTAssertTrue(mock.requests.isEmpty, "bad input costs nothing, and nothing is uploaded: \(mock.requests.map(\.path))")
        let region = try run(["edit", "x", "-m", "wanx2.1-imageedit", "--function", "expand", "-i", "cat.png", "--region", "intl"],
                             removing: ["DASHSCOPE_BASE_URL"])
        assertExit(region, 64)
        XCTAssertTrue(region.stderr.contains("cn only"), "wanx2.1-imageedit is served in Beijing only: \(region.stderr)")
    }

    func testARefusedUploadPolicyIsAKeyError() throws {
        try png("cat.png", 512, 512)
        mock.inject(try Fault(spec: "policy-refused"))
        let result = try run(["i2i", "x", "-i", "cat.png", "--upload", "-o", "out/"])
        assertExit(result, 77)
        XCTAssertTrue(creates.isEmpty, "no model call after a refused upload")
        XCTAssertEqual(files(matching: ".png"), ["cat.png"])
    }
}
