import Foundation
import XCTest
import DashScopeMock

/// `config set|get|unset|list|path`, `auth status`, `doctor`, workspaces and region names, run as the built binary.
final class ConfigCommandTests: EndToEndCase {
    private var configPath: String { root.appendingPathComponent(".config/dashscope/config").path }

    private func configText() -> String {
        String(decoding: FileManager.default.contents(atPath: configPath) ?? Data(), as: UTF8.self)
    }

    // MARK: config

    func testPathSetGetUnsetRoundTrip() throws {
        let path = try run(["config", "path"])
        assertExit(path, 0)
        XCTAssertEqual(path.lines, [configPath])

        assertExit(try run(["config", "set", "region", "Singapore"]), 0)
        assertExit(try run(["config", "set", "T2I.model", "wan2.2-t2i-flash"]), 0)
        XCTAssertEqual(configText(), "region = intl\nt2i.model = wan2.2-t2i-flash\n")
        let mode = try FileManager.default.attributesOfItem(atPath: configPath)[.posixPermissions] as? NSNumber
        XCTAssertEqual(mode?.intValue, 0o600)

        let region = try run(["config", "get", "region"], removing: ["DASHSCOPE_REGION"])
        assertExit(region, 0)
        XCTAssertEqual(region.lines, ["intl"])
        XCTAssertTrue(region.stderr.contains("\(configPath), line 1"), region.stderr)
        let flagged = try run(["config", "get", "region", "--region", "VIRGINIA"])
        XCTAssertEqual(flagged.lines, ["us"])
        XCTAssertTrue(flagged.stderr.contains("--region"), flagged.stderr)

        assertExit(try run(["config", "unset", "region"]), 0)
        XCTAssertEqual(configText(), "t2i.model = wan2.2-t2i-flash\n")
        let fallback = try run(["config", "get", "region"])
        XCTAssertEqual(fallback.lines, ["cn"])
        XCTAssertTrue(fallback.stderr.contains("default"), fallback.stderr)
        let missing = try run(["config", "get", "workspace"])
        assertExit(missing, 1)
        XCTAssertEqual(missing.stdout, "")
        XCTAssertTrue(mock.requests.isEmpty, "config commands send nothing")
    }

    func testSetKeepsCommentsAndTheKeyIsNeverPrinted() throws {
        try write("# mine\nregion = cn # home\napi_key = sk-old-000000000000zzzz # work\n", to: ".config/dashscope/config")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: configPath)
        let set = try run(["config", "set", "api_key", "-"], stdin: Self.apiKey + "\n")
        assertExit(set, 0)
        XCTAssertTrue(set.stderr.contains("it is now private (600)"), set.stderr)
        let mode = try FileManager.default.attributesOfItem(atPath: configPath)[.posixPermissions] as? NSNumber
        XCTAssertEqual(mode?.intValue, 0o600)
        XCTAssertEqual(configText(), "# mine\nregion = cn # home\napi_key = \(Self.apiKey) # work\n")
        let get = try run(["config", "get", "api_key"], removing: ["DASHSCOPE_API_KEY"])
        assertExit(get, 0)
        XCTAssertEqual(get.lines, [Self.redactedKey])
        let list = try run(["config", "list"])
        assertExit(list, 0)
        XCTAssertTrue(list.lines.contains { $0.hasPrefix("api_key = \(Self.redactedKey)") && $0.contains("# DASHSCOPE_API_KEY") }, list.stdout)
        XCTAssertTrue(list.lines.contains { $0.hasPrefix("region = cn") && $0.contains("\(configPath), line 2") }, list.stdout)
        XCTAssertTrue(list.lines.contains { $0.hasPrefix("base_url = \(mock.origin)") }, list.stdout)
    }

    func testListAsJSON() throws {
        try write("output = pics/\n", to: ".config/dashscope/config")
        let result = try run(["config", "list", "--json", "--workspace", "ws1"])
        assertExit(result, 0)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(json?["config_file"] as? String, configPath)
        let settings = json?["settings"] as? [[String: Any]] ?? []
        let byKey = Dictionary(settings.map { ($0["key"] as? String ?? "", $0) }) { $1 }
        XCTAssertEqual(byKey["api_key"]?["value"] as? String, Self.redactedKey)
        XCTAssertEqual(byKey["api_key"]?["source"] as? String, "environment")
        XCTAssertEqual(byKey["workspace"]?["source"] as? String, "flag")
        XCTAssertEqual(byKey["output"]?["source"] as? String, "file")
        XCTAssertEqual(byKey["output"]?["origin"] as? String, "\(configPath), line 1")
        XCTAssertEqual(byKey["region"]?["source"] as? String, "default")
    }

    func testUnknownKeysAndBadValuesAreRefusedWithAFix() throws {
        // KEY VALUE, and what the refusal (exit 64) must say.
        let refused: [([String], [String])] = [
            (["colour", "never"], ["unknown setting 'colour'. Did you mean 'color'?"]),
            (["t2x.model", "qwen-image"], ["Did you mean 't2i.model'?"]),
            (["region", "mars"], ["unknown region 'mars'", "singapore"]),
            (["base_url", "ftp://x"], []),
            (["workspace", "a.evil.com"], []),
            (["region"], []),
            (["output", "pics/{dat}/"], ["output uses an unknown placeholder {dat}"]),
            (["output", "out/{task}/"], ["output cannot use {task} in the directory part"]),
            (["t2i.model", "wan2.6"], ["unknown model 'wan2.6' for t2i. Did you mean 'wan2.6-t2i'?"]),
            (["t2i.model", "qwen-plus"], ["qwen-plus is a model of chat, not of t2i"]),
        ]
        for (words, fragments) in refused {
            let result = try run(["config", "set"] + words)
            assertExit(result, 64)
            for fragment in fragments { XCTAssertTrue(result.stderr.contains(fragment), "\(words): \(result.stderr)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: configPath), "nothing refused is written")
        assertExit(try run(["config", "set", "output", "out/{date}/{task}-{index}.{ext}"]), 0)
        assertExit(try run(["config", "set", "chat.model", "qwen-plus-2025-01-25"]), 0)
        let newer = try run(["config", "set", "t2i.model", "wan2.7-t2i", "--any-model"])
        assertExit(newer, 0)
        XCTAssertTrue(newer.stderr.contains("runs that use it need --any-model as well"), newer.stderr)
        assertExit(try run(["config", "set", "i2v.model", "wan2.2-kf2v-flash"]), 0)
        try write("t2i.model = wan2.6-t2v\n", to: ".config/dashscope/config")
        let configured = try run(["t2i", "a fox", "--dry-run"])
        assertExit(configured, 78)
        XCTAssertTrue(configured.stderr.contains("line 1: wan2.6-t2v is a model of t2v, not of t2i"), configured.stderr)
    }

    /// An output directory that cannot be made says when it is the config file's `output`, and how to change it.
    func testAnUnusableOutputFromTheConfigFileIsNamedAsSuch() throws {
        try write("hello", to: "blocker")
        assertExit(try run(["config", "set", "output", "blocker/sub/"]), 0)
        let result = try run(["t2i", "a fox", "-m", "wan2.2-t2i-flash"])
        assertExit(result, 73)
        XCTAssertTrue(result.stderr.contains("(the config file's output)"), result.stderr)
        XCTAssertTrue(result.stderr.contains("dashscope config set output DIR"), result.stderr)
        XCTAssertEqual(creates.count, 0, "refused before anything is sent")
        let flagged = try run(["t2i", "a fox", "-m", "wan2.2-t2i-flash", "-o", "blocker/other/"])
        assertExit(flagged, 73)
        XCTAssertFalse(flagged.stderr.contains("config"), "-o on the line is no config setting: \(flagged.stderr)")
    }

    func testABrokenConfigFileNamesTheFileAndLineAndCanBeMended() throws {
        try write("# ok\nregion = cn\nthis line has no equals\n", to: ".config/dashscope/config")
        let broken = try run(["t2i", "a cat", "--dry-run"])
        assertExit(broken, 78)
        XCTAssertTrue(broken.stderr.contains("\(configPath), line 3: this line is not `key = value`"), broken.stderr)
        XCTAssertTrue(mock.requests.isEmpty)

        try write("region = mars\nregoin = cn\n", to: ".config/dashscope/config")
        let badValue = try run(["t2i", "a cat", "--dry-run"])
        assertExit(badValue, 78)
        XCTAssertTrue(badValue.stderr.contains("\(configPath), line 1: unknown region 'mars'"), badValue.stderr)
        assertExit(try run(["config", "unset", "region"]), 0)
        let unknown = try run(["t2i", "a cat", "--dry-run"])
        assertExit(unknown, 78)
        XCTAssertTrue(unknown.stderr.contains("line 1: unknown setting 'regoin'. Did you mean 'region'?"), unknown.stderr)
        assertExit(try run(["config", "unset", "regoin"]), 0)
        assertExit(try run(["t2i", "a cat", "--dry-run"]), 0)
    }

    func testTheFilesColorAppliesUnlessTheFlagSaysOtherwise() throws {
        try write("color = always\n", to: ".config/dashscope/config")
        let painted = try run(["config", "get", "workspace"])
        assertExit(painted, 1)
        XCTAssertTrue(painted.stderr.contains("\u{1B}["), "color = always paints stderr in a pipe: \(painted.stderr)")
        let plain = try run(["config", "get", "workspace", "--color", "never"])
        assertExit(plain, 1)
        XCTAssertFalse(plain.stderr.contains("\u{1B}["), plain.stderr)
    }

    // MARK: auth status

    func testAuthStatusAcceptedShowsTheMaskedKeyAndItsSource() throws {
        let result = try run(["auth", "status"])
        assertExit(result, 0)
        XCTAssertEqual(result.lines.first, "key: \(Self.redactedKey) (from DASHSCOPE_API_KEY)")
        XCTAssertTrue(result.lines.contains { $0.hasPrefix("status: accepted (HTTP 200") }, result.stdout)
        let calls = mock.requests.filter { $0.path.hasPrefix("/api/v1/tasks") }
        XCTAssertEqual(calls.count, 1)
        XCTAssertEqual(calls.first?.method, "GET")
        XCTAssertEqual(calls.first?.path, "/api/v1/tasks")
        XCTAssertEqual(calls.first?.query, ["page_no": "1", "page_size": "1"])

        try write("api_key = \(Self.apiKey)\n", to: ".config/dashscope/config")
        let fromFile = try run(["auth", "status", "--json"], removing: ["DASHSCOPE_API_KEY"])
        assertExit(fromFile, 0)
        let json = try JSONSerialization.jsonObject(with: Data(fromFile.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(json?["key"] as? String, Self.redactedKey)
        XCTAssertEqual(json?["source"] as? String, "file")
        XCTAssertEqual(json?["from"] as? String, "\(configPath), line 1")
        XCTAssertEqual(json?["accepted"] as? Bool, true)
    }

    func testAuthStatusRejectedNoKeyAndUnreachable() throws {
        try startMock(MockOptions(taskSeconds: 0, acceptedKey: "sk-only-this-one-0000"))
        let rejected = try run(["auth", "status"])
        assertExit(rejected, 77)
        XCTAssertTrue(rejected.stdout.contains("status: rejected (HTTP 401"), rejected.stdout)
        XCTAssertTrue(rejected.stderr.contains("InvalidApiKey"), rejected.stderr)

        let none = try run(["auth", "status"], removing: ["DASHSCOPE_API_KEY"])
        assertExit(none, 78)
        XCTAssertTrue(none.stdout.contains("key: none"), none.stdout)
        XCTAssertEqual(mock.requests.count, 1, "no key, nothing sent")

        let unreachable = try run(["auth", "status"], env: ["DASHSCOPE_BASE_URL": "http://127.0.0.1:9"])
        assertExit(unreachable, 69)
        XCTAssertTrue(unreachable.stdout.contains("status: unreachable"), unreachable.stdout)
    }

    func testAuthStatusWithTheBuiltInMock() throws {
        let result = try run(["auth", "status", "--mock"], removing: ["DASHSCOPE_API_KEY", "DASHSCOPE_BASE_URL"])
        assertExit(result, 0)
        XCTAssertTrue(result.stdout.contains("(from the built-in mock)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("status: accepted"), result.stdout)
    }

    // MARK: doctor

    func testDoctorPassesAgainstTheMock() throws {
        let result = try run(["doctor"])
        assertExit(result, 0)
        let names = result.lines.map { $0.dropFirst(6).prefix(while: { $0 != ":" }) }
        XCTAssertEqual(names, ["config", "key", "service", "clock", "http", "ca-store", "proxy", "output", "journal"], result.stdout)
        XCTAssertTrue(result.lines.contains { $0.hasPrefix("ok    key:") && $0.contains("\(Self.redactedKey) from DASHSCOPE_API_KEY accepted") }, result.stdout)
        XCTAssertTrue(result.lines.contains { $0.hasPrefix("ok    service:") && $0.contains("127.0.0.1 answered HTTP 200") }, result.stdout)
        XCTAssertTrue(result.lines.contains { $0.hasPrefix("ok    http:") && $0.contains("libcurl/") }, result.stdout)
        XCTAssertTrue(result.lines.contains { $0.hasPrefix("ok    clock:") }, "the mock sends a Date header: \(result.stdout)")
        XCTAssertTrue(result.lines.contains { $0.hasPrefix("ok    output:") && $0.contains(root.path) }, result.stdout)
    }

    func testDoctorNamesTheFirstFailureAndItsFix() throws {
        let result = try run(["doctor", "--json"], env: ["https_proxy": "http://user:secret@proxy.example:3128"], removing: ["DASHSCOPE_API_KEY"])
        assertExit(result, 78)
        let checks = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
        let byName = Dictionary(checks.map { ($0["check"] as? String ?? "", $0) }) { $1 }
        XCTAssertEqual(byName["key"]?["state"] as? String, "fail")
        XCTAssertEqual(byName["key"]?["exit_code"] as? Int, 78)
        XCTAssertTrue((byName["key"]?["fix"] as? String)?.contains("DASHSCOPE_API_KEY") ?? false)
        XCTAssertEqual(byName["service"]?["state"] as? String, "ok", "a call without the key still shows the service answers")
        XCTAssertTrue((byName["service"]?["detail"] as? String)?.contains("HTTP 401") ?? false)
        XCTAssertEqual(byName["proxy"]?["detail"] as? String, "https_proxy=http://***@proxy.example:3128")
        XCTAssertFalse(result.stdout.contains("secret"), "proxy credentials are never shown")

        try write("region = mars\n", to: ".config/dashscope/config")
        let broken = try run(["doctor"])
        assertExit(broken, 78)
        XCTAssertTrue(broken.lines.first?.hasPrefix("fail  config:") ?? false, broken.stdout)
        XCTAssertTrue(broken.lines.contains { $0.hasPrefix("skip  key:") }, broken.stdout)
        XCTAssertTrue(broken.lines.contains { $0.hasPrefix("ok    journal:") }, broken.stdout)
    }

    func testDoctorRejectedKeyExits77() throws {
        try startMock(MockOptions(taskSeconds: 0, acceptedKey: "sk-only-this-one-0000"))
        let result = try run(["doctor"])
        assertExit(result, 77)
        XCTAssertTrue(result.lines.contains { $0.hasPrefix("fail  key:") && $0.contains("fix:") }, result.stdout)
        XCTAssertTrue(result.lines.contains { $0.hasPrefix("ok    service:") }, result.stdout)
    }

    func testDoctorUnreachableServiceExits69() throws {
        let result = try run(["doctor"], env: ["DASHSCOPE_BASE_URL": "http://127.0.0.1:9"])
        assertExit(result, 69)
        XCTAssertTrue(result.lines.contains { $0.hasPrefix("skip  key:") }, result.stdout)
        XCTAssertTrue(result.lines.contains { $0.hasPrefix("fail  service:") && $0.contains("fix:") }, result.stdout)
        XCTAssertTrue(result.lines.contains { $0.hasPrefix("ok    journal:") }, "the local checks still run: \(result.stdout)")
    }

    // MARK: workspace and region names

    func testWorkspaceSelectsItsHostInDryRun() throws {
        let cn = try run(["t2i", "a cat", "--dry-run", "--workspace", "WS-42"])
        assertExit(cn, 0)
        XCTAssertTrue(cn.stdout.contains("https://ws-42.cn-beijing.maas.aliyuncs.com/api/v1/"), cn.stdout)
        let intl = try run(["t2i", "a cat", "--dry-run", "--region", "Singapore"], env: ["DASHSCOPE_WORKSPACE": "ws7"],
                           removing: ["DASHSCOPE_BASE_URL"])
        XCTAssertTrue(intl.stdout.contains("https://ws7.ap-southeast-1.maas.aliyuncs.com/api/v1/"), intl.stdout)
        let base = try run(["t2i", "a cat", "--dry-run", "--workspace", "ws1", "--base-url", mock.origin])
        XCTAssertTrue(base.stdout.contains(mock.origin + "/api/v1/"), "--base-url wins: \(base.stdout)")
        let us = try run(["t2i", "a cat", "--dry-run", "--workspace", "ws1", "--region", "us"])
        assertExit(us, 64)
        XCTAssertTrue(us.stderr.contains("region us has no workspace hosts"), us.stderr)
        let evil = try run(["t2i", "a cat", "--dry-run", "--workspace", "evil.com/x"])
        assertExit(evil, 64)
        XCTAssertTrue(evil.stderr.contains("not a workspace id"), evil.stderr)
        XCTAssertTrue(mock.requests.isEmpty)
    }

    func testRegionNamesInAnyCaseFromFlagEnvAndConfig() throws {
        let cases: [([String], [String: String], String)] = [
            (["--region", "BEIJING"], [:], "https://dashscope.aliyuncs.com/"),
            (["--region", "Intl"], [:], "https://dashscope-intl.aliyuncs.com/"),
            (["--region=virginia"], [:], "https://dashscope-us.aliyuncs.com/"),
            ([], ["DASHSCOPE_REGION": "Singapore"], "https://dashscope-intl.aliyuncs.com/"),
        ]
        for (flags, env, host) in cases {
            let result = try run(["t2i", "a cat", "--dry-run"] + flags, env: env, removing: ["DASHSCOPE_BASE_URL"])
            assertExit(result, 0)
            XCTAssertTrue(result.stdout.contains(host), "\(flags) \(env): \(result.stdout)")
        }
        try write("region = VIRGINIA\n", to: ".config/dashscope/config")
        let fromFile = try run(["t2i", "a cat", "--dry-run"], removing: ["DASHSCOPE_BASE_URL"])
        XCTAssertTrue(fromFile.stdout.contains("https://dashscope-us.aliyuncs.com/"), fromFile.stdout)
        let bad = try run(["t2i", "a cat", "--dry-run", "--region", "mars"])
        assertExit(bad, 64)
        XCTAssertTrue(bad.stderr.contains("cn, intl, us"), bad.stderr)
    }
}
