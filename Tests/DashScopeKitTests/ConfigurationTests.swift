import Foundation
import XCTest
@testable import DashScopeKit

final class ConfigurationTests: XCTestCase {
    /// An environment whose config directory holds `text` (no file when nil).
    private func environment(config text: String?, mode: Int = 0o600, extra: [String: String] = [:]) throws -> [String: String] {
        let home = try temporaryDirectory(self)
        if let text {
            try FileManager.default.createDirectory(atPath: home + "/dashscope", withIntermediateDirectories: true)
            let path = home + "/dashscope/config"
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        }
        return ["XDG_CONFIG_HOME": home, "HOME": home].merging(extra) { $1 }
    }

    private let fileText = """
    api_key = sk-file-0000000000001111
    region = us
    base_url = http://127.0.0.1:9000
    """

    private func resolve(_ flags: Configuration.Flags = .init(), _ env: [String: String]) throws -> Configuration {
        try Configuration.resolve(flags: flags, environment: env)
    }

    // MARK: Precedence

    func testFlagBeatsEnvironmentBeatsFile() throws {
        let env = try environment(config: fileText, extra: [
            "DASHSCOPE_API_KEY": "sk-env-0000000000002222", "DASHSCOPE_REGION": "intl", "DASHSCOPE_BASE_URL": "http://127.0.0.1:8000",
        ])
        let flagged = try resolve(.init(apiKey: "sk-flag-000000000003333", region: "cn", baseURL: "http://127.0.0.1:7000"), env)
        XCTAssertEqual(flagged.apiKey, "sk-flag-000000000003333")
        XCTAssertEqual(flagged.apiKeySource, .flag)
        XCTAssertEqual(flagged.region, .cn)
        XCTAssertEqual(flagged.origin, "http://127.0.0.1:7000")

        let fromEnv = try resolve(.init(), env)
        XCTAssertEqual(fromEnv.apiKey, "sk-env-0000000000002222")
        XCTAssertEqual(fromEnv.apiKeySource, .environment)
        XCTAssertEqual(fromEnv.region, .intl)
        XCTAssertEqual(fromEnv.origin, "http://127.0.0.1:8000")
    }

    func testFileBeatsDefault() throws {
        let config = try resolve(.init(), try environment(config: fileText))
        XCTAssertEqual(config.apiKey, "sk-file-0000000000001111")
        XCTAssertEqual(config.apiKeySource, .configFile)
        XCTAssertEqual(config.region, .us)
        XCTAssertEqual(config.origin, "http://127.0.0.1:9000")
        XCTAssertEqual(config.nativeBase, "http://127.0.0.1:9000/api/v1")
        XCTAssertEqual(config.compatibleBase, "http://127.0.0.1:9000/compatible-mode/v1")
        XCTAssertEqual(config.apiHost, "127.0.0.1")
    }

    func testDefaults() throws {
        let config = try resolve(.init(), try environment(config: nil))
        XCTAssertNil(config.apiKey)
        XCTAssertNil(config.apiKeySource)
        XCTAssertEqual(config.region, .cn)
        XCTAssertEqual(config.origin, "https://dashscope.aliyuncs.com")
        XCTAssertEqual(config.nativeBase, "https://dashscope.aliyuncs.com/api/v1")
        XCTAssertEqual(config.apiHost, "dashscope.aliyuncs.com")
        XCTAssertTrue(config.warnings.isEmpty)
    }

    func testRegionPicksItsHost() throws {
        let env = try environment(config: nil)
        XCTAssertEqual(try resolve(.init(region: "intl"), env).origin, "https://dashscope-intl.aliyuncs.com")
        XCTAssertEqual(try resolve(.init(region: "US"), env).origin, "https://dashscope-us.aliyuncs.com")
    }

    func testEmptyEnvironmentValuesCountAsUnset() throws {
        let env = try environment(config: fileText, extra: ["DASHSCOPE_API_KEY": "", "DASHSCOPE_REGION": "", "DASHSCOPE_BASE_URL": ""])
        let config = try resolve(.init(), env)
        XCTAssertEqual(config.apiKeySource, .configFile)
        XCTAssertEqual(config.region, .us)
    }

    func testUnknownRegionIsAUsageErrorFromFlagOrEnvironmentAndAConfigErrorFromTheFile() throws {
        let error = assertFails(.usage) { _ = try self.resolve(.init(region: "mars"), try self.environment(config: nil)) }
        XCTAssertTrue(error?.message.contains("mars") ?? false)
        XCTAssertTrue(error?.hint?.contains("cn (beijing), intl (singapore), us (virginia)") ?? false, error?.hint ?? "")
        assertFails(.usage) { _ = try self.resolve(.init(), try self.environment(config: nil, extra: ["DASHSCOPE_REGION": "eu"])) }
        let file = assertFails(.noKey) { _ = try self.resolve(.init(), try self.environment(config: "region = moon")) }
        XCTAssertTrue(file?.message.contains(", line 1: unknown region 'moon'") ?? false, file?.message ?? "")
    }

    // MARK: Base URL

    func testBaseURLNormalisation() throws {
        let cases: [(String, String)] = [
            ("http://127.0.0.1:8089/api/v1/", "http://127.0.0.1:8089"),
            ("http://127.0.0.1:8089/api/v1", "http://127.0.0.1:8089"),
            ("http://127.0.0.1:8089/", "http://127.0.0.1:8089"),
            ("http://127.0.0.1:8089//", "http://127.0.0.1:8089"),
            ("https://dashscope-intl.aliyuncs.com/compatible-mode/v1", "https://dashscope-intl.aliyuncs.com"),
            (" http://localhost:1 ", "http://localhost:1"),
            ("HTTP://127.0.0.1:8089", "HTTP://127.0.0.1:8089"),
        ]
        for (text, origin) in cases {
            XCTAssertEqual(try Configuration.normalizedOrigin(text), origin, text)
        }
        for bad in ["ftp://host", "127.0.0.1:8089", "not a url", "", "http://", "https://h?x=1", "https://h/proxy/path",
                    "https://h#frag", "https://user:pw@h", "http://127.0.0.1:8089/api/v2"] {
            assertFails(.usage) { _ = try Configuration.normalizedOrigin(bad) }
        }
    }

    // MARK: The file

    func testCommandModelsAndOutputAreRead() throws {
        let config = try resolve(.init(), try environment(config: "t2i.model = qwen-image\nt2v.model=wan2.6-t2v\noutput = pics/\n"))
        XCTAssertEqual(config.commandModels, ["t2i": "qwen-image", "t2v": "wan2.6-t2v"])
        XCTAssertEqual(config.output, "pics/")
    }

    func testAWorldReadableFileWithAKeyIsWarnedAbout() throws {
        let readable = try resolve(.init(), try environment(config: "api_key = sk-0000000000005555", mode: 0o644))
        XCTAssertEqual(readable.warnings.count, 1)
        XCTAssertTrue(readable.warnings.first?.contains("chmod 600") ?? false, "\(readable.warnings)")

        XCTAssertEqual(try resolve(.init(), try environment(config: "api_key = sk-0000000000005555", mode: 0o600)).warnings, [])
        XCTAssertEqual(try resolve(.init(), try environment(config: "region = intl", mode: 0o644)).warnings, [],
                       "no key, nothing to protect")
    }

    func testConfigPathFollowsXDGThenHome() {
        XCTAssertEqual(ConfigFile.path(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"]), "/x/dashscope/config")
        XCTAssertEqual(ConfigFile.path(environment: ["XDG_CONFIG_HOME": "", "HOME": "/h"]), "/h/.config/dashscope/config")
        XCTAssertEqual(ConfigFile.path(environment: ["HOME": "/h"]), "/h/.config/dashscope/config")
    }

    // MARK: The key must be one clean header value

    func testAKeyWithControlCharactersIsRefusedFromTheFlagAndTheEnvironment() throws {
        let env = try environment(config: nil)
        for bad in ["sk-abc\r\nX-Injected: yes", "sk-abc\n", "sk-\u{0}abc", "sk-abc\u{1B}[2J", "sk-abc\u{7F}", "sk-\u{85}abc"] {
            let flag = assertFails(.usage) { _ = try self.resolve(.init(apiKey: bad), env) }
            XCTAssertTrue(flag?.message.contains("--api-key") ?? false, flag?.message ?? "")
            let fromEnv = assertFails(.usage) { _ = try self.resolve(.init(), env.merging(["DASHSCOPE_API_KEY": bad]) { $1 }) }
            XCTAssertTrue(fromEnv?.message.contains("DASHSCOPE_API_KEY") ?? false, fromEnv?.message ?? "")
            for error in [flag, fromEnv] {
                XCTAssertFalse(error?.description.contains("sk-abc") ?? true, "the key is never printed")
                XCTAssertFalse(error?.description.contains("Injected") ?? true, "the key is never printed")
            }
        }
    }

    /// An empty key's hint suits where it came from: only the file's error speaks of a line.
    func testAnEmptyKeyFromTheFlagSpeaksOfNoLine() throws {
        let env = try environment(config: nil)
        let flag = assertFails(.usage) { _ = try self.resolve(.init(apiKey: ""), env) }
        XCTAssertTrue(flag?.message.contains("--api-key") ?? false, flag?.message ?? "")
        XCTAssertFalse(flag?.hint?.contains("line") ?? true, flag?.hint ?? "")
        let file = assertFails(.noKey) { _ = try self.resolve(.init(), try self.environment(config: "api_key =\n")) }
        XCTAssertTrue(file?.hint?.contains("remove that line") ?? false, file?.hint ?? "")
    }

    func testAKeyWithControlCharactersInTheFileNamesTheFileAndLine() throws {
        let env = try environment(config: "# comment\nregion = cn\napi_key = sk-abc\u{1B}def0000\n")
        let error = assertFails(.noKey) { _ = try self.resolve(.init(), env) }
        XCTAssertTrue(error?.message.contains(ConfigFile.path(environment: env) + ", line 3") ?? false, error?.message ?? "")
        XCTAssertFalse(error?.description.contains("sk-abc") ?? true)
    }

    func testABrokenFileKeyIsAConfigErrorEvenUnderAFlagKey() throws {
        let env = try environment(config: "api_key = sk-abc\u{7}def0000\n")
        let error = assertFails(.noKey) { _ = try self.resolve(.init(apiKey: "sk-good-0000000000"), env) }
        XCTAssertTrue(error?.message.contains(", line 1") ?? false, error?.message ?? "")
    }

    func testOrdinaryKeysPass() throws {
        let env = try environment(config: nil)
        for key in ["sk-0123456789abcdef", "sk-ws-H.Abc_d-e", "key with spaces inside"] {
            XCTAssertEqual(try resolve(.init(apiKey: key), env).apiKey, key)
        }
    }

    // MARK: No key in clear text off this machine

    func testPlainHTTPOffThisMachineIsRefusedFromEverySource() throws {
        let flag = assertFails(.usage) { _ = try self.resolve(.init(baseURL: "http://example.invalid"), try self.environment(config: nil)) }
        XCTAssertTrue(flag?.message.contains("--base-url") ?? false, flag?.message ?? "")
        XCTAssertTrue(flag?.hint?.contains("--allow-insecure-http") ?? false, flag?.hint ?? "")
        let env = assertFails(.usage) {
            _ = try self.resolve(.init(), try self.environment(config: nil, extra: ["DASHSCOPE_BASE_URL": "http://10.0.0.8:8089"]))
        }
        XCTAssertTrue(env?.message.contains("DASHSCOPE_BASE_URL") ?? false, env?.message ?? "")
        let file = assertFails(.usage) { _ = try self.resolve(.init(), try self.environment(config: "base_url = http://dashscope.example.com\n")) }
        XCTAssertTrue(file?.message.contains("config file") ?? false, file?.message ?? "")
    }

    func testPlainHTTPIsAllowedByTheFlagOrTheConfigKey() throws {
        let env = try environment(config: nil)
        XCTAssertEqual(try resolve(.init(baseURL: "http://example.invalid", allowInsecureHTTP: true), env).origin, "http://example.invalid")
        let allowing = try environment(config: "base_url = http://example.invalid\nallow_insecure_http = true\n")
        XCTAssertEqual(try resolve(.init(), allowing).origin, "http://example.invalid")
    }

    func testLoopbackAndHTTPSNeedNoFlag() throws {
        let env = try environment(config: nil)
        for base in ["http://127.0.0.1:8089", "http://127.1.2.3", "http://localhost:9000", "http://LOCALHOST", "http://[::1]:8089",
                     "https://example.com", "https://10.0.0.8"] {
            XCTAssertNoThrow(try resolve(.init(baseURL: base), env), base)
        }
    }

    func testLoopbackIsDecidedByTheWholeHost() {
        for host in ["127.0.0.1", "127.255.255.254", "localhost", "::1", "[::1]"] {
            XCTAssertTrue(SettingChecks.isLoopback(host), host)
        }
        for host in ["127.0.0.1.evil.com", "127.evil.com", "localhost.evil.com", "128.0.0.1", "0.0.0.0", "127.0.0.256",
                     "127.0.0", "10.0.0.1", "::2", "", "1127.0.0.1", "127.0.0.+1"] {
            XCTAssertFalse(SettingChecks.isLoopback(host), host)
        }
    }
}

final class WorkspaceConfigurationTests: XCTestCase {
    private func environment(_ extra: [String: String] = [:], config: String? = nil) throws -> [String: String] {
        let home = try temporaryDirectory(self)
        if let config {
            try FileManager.default.createDirectory(atPath: home + "/dashscope", withIntermediateDirectories: true)
            XCTAssertTrue(FileManager.default.createFile(atPath: home + "/dashscope/config", contents: Data(config.utf8)))
        }
        return ["XDG_CONFIG_HOME": home, "HOME": home].merging(extra) { $1 }
    }

    func testAWorkspaceSelectsItsHostPerRegion() throws {
        let cn = try Configuration.resolve(flags: .init(workspace: "WS-1"), environment: try environment())
        XCTAssertEqual(cn.origin, "https://ws-1.cn-beijing.maas.aliyuncs.com")
        XCTAssertEqual(cn.workspace, "ws-1")
        XCTAssertEqual(cn.apiHost, "ws-1.cn-beijing.maas.aliyuncs.com")
        let intl = try Configuration.resolve(flags: .init(region: "singapore"), environment: try environment(["DASHSCOPE_WORKSPACE": "ws2"]))
        XCTAssertEqual(intl.origin, "https://ws2.ap-southeast-1.maas.aliyuncs.com")
        let file = try Configuration.resolve(flags: .init(), environment: try environment(config: "workspace = ws3\nregion = Beijing\n"))
        XCTAssertEqual(file.origin, "https://ws3.cn-beijing.maas.aliyuncs.com")
    }

    func testUSHasNoWorkspaceHosts() throws {
        let flag = assertFails(.usage) { _ = try Configuration.resolve(flags: .init(region: "us", workspace: "ws1"), environment: try self.environment()) }
        XCTAssertTrue(flag?.message.contains("region us has no workspace hosts") ?? false, flag?.message ?? "")
        let file = assertFails(.noKey) {
            _ = try Configuration.resolve(flags: .init(), environment: try self.environment(config: "region = virginia\nworkspace = ws1\n"))
        }
        XCTAssertTrue(file?.message.contains(", line 2") ?? false, file?.message ?? "")
    }

    func testABadWorkspaceNeverReachesAHostName() throws {
        for bad in ["evil.com/", "a.b", "x@y", "-a"] {
            let error = assertFails(.usage) { _ = try Configuration.resolve(flags: .init(workspace: bad), environment: try self.environment()) }
            XCTAssertTrue(error?.message.contains("--workspace") ?? false, error?.message ?? "")
        }
        assertFails(.usage) { _ = try Configuration.resolve(flags: .init(), environment: try self.environment(["DASHSCOPE_WORKSPACE": "a.b"])) }
    }

    func testTheBaseURLOfTheSameOrAHigherLayerWins() throws {
        let env = try environment(["DASHSCOPE_BASE_URL": "http://127.0.0.1:9000"])
        XCTAssertEqual(try Configuration.resolve(flags: .init(workspace: "ws1"), environment: env).origin,
                       "https://ws1.cn-beijing.maas.aliyuncs.com", "a --workspace beats an environment base URL")
        XCTAssertEqual(try Configuration.resolve(flags: .init(baseURL: "http://127.0.0.1:9001", workspace: "ws1"), environment: env).origin,
                       "http://127.0.0.1:9001", "--base-url beats --workspace")
        XCTAssertEqual(try Configuration.resolve(flags: .init(), environment: env.merging(["DASHSCOPE_WORKSPACE": "ws1"]) { $1 }).origin,
                       "http://127.0.0.1:9000", "in one layer the base URL wins")
    }

    func testRegionAliasesFromEveryLayer() throws {
        XCTAssertEqual(try Configuration.resolve(flags: .init(region: "VIRGINIA"), environment: try environment()).region, .us)
        XCTAssertEqual(try Configuration.resolve(flags: .init(), environment: try environment(["DASHSCOPE_REGION": "Singapore"])).region, .intl)
        XCTAssertEqual(try Configuration.resolve(flags: .init(), environment: try environment(config: "region = BEIJING\n")).region, .cn)
        let bad = assertFails(.usage) { _ = try Configuration.resolve(flags: .init(), environment: try self.environment(["DASHSCOPE_REGION": "mars"])) }
        XCTAssertTrue(bad?.message.contains("DASHSCOPE_REGION") ?? false, bad?.message ?? "")
    }

    func testSettingsListSaysWhereEachValueComesFrom() throws {
        let env = try environment(["DASHSCOPE_API_KEY": "sk-env-0000000000002222"], config: "# c\nregion = intl\nt2i.model = qwen-image\n")
        let config = try Configuration.resolve(flags: .init(workspace: "ws9"), environment: env)
        let path = ConfigFile.path(environment: env)
        XCTAssertEqual(config.settings, [
            ResolvedSetting(key: "api_key", value: "sk-env-0000000000002222", source: .environment, origin: "DASHSCOPE_API_KEY"),
            ResolvedSetting(key: "region", value: "intl", source: .configFile, origin: "\(path), line 2"),
            ResolvedSetting(key: "workspace", value: "ws9", source: .flag, origin: "--workspace"),
            ResolvedSetting(key: "allow_insecure_http", value: "false", source: .builtIn, origin: nil),
            ResolvedSetting(key: "color", value: "auto", source: .builtIn, origin: nil),
            ResolvedSetting(key: "t2i.model", value: "qwen-image", source: .configFile, origin: "\(path), line 3"),
        ])
    }
}
