import Foundation
import XCTest
@testable import DashScopeKit

final class ConfigFileTests: XCTestCase {
    private func file(_ text: String) -> ConfigFile { ConfigFile(path: "/cfg/config", text: text, exists: true) }

    private func values(_ text: String) throws -> [String: String] {
        try file(text).checked().mapValues(\.value)
    }

    // MARK: Reading

    func testCommentsAfterValuesAndOnTheirOwnLines() throws {
        let read = try values("""
        # a comment
           # an indented comment

        api_key = sk-work-0000000000001111 # work
        region = intl\t# tab before the comment
        output = pics#1/ # a # inside a word stays
        """)
        XCTAssertEqual(read["api_key"], "sk-work-0000000000001111", "the comment after the key is not part of it")
        XCTAssertEqual(read["region"], "intl")
        XCTAssertEqual(read["output"], "pics#1/")
    }

    func testQuotedValuesKeepSpacesAndHashes() throws {
        let read = try values("""
        API_KEY="sk-quoted-0000000000004444"   # keys are matched in any case
        output = " my pics # 2/ "
        t2i.model = 'wan2.2-t2i-flash' # single quotes too
        """)
        XCTAssertEqual(read["api_key"], "sk-quoted-0000000000004444")
        XCTAssertEqual(read["output"], " my pics # 2/ ")
        XCTAssertEqual(read["t2i.model"], "wan2.2-t2i-flash")
    }

    func testWindowsLineEndingsAndEqualsInValues() throws {
        let read = try values("api_key = sk-crlf-000000000006666\r\nregion = intl\r\n# note\r\noutput = a=b\r\n")
        XCTAssertEqual(read["api_key"], "sk-crlf-000000000006666", "no carriage return may end up in the key")
        XCTAssertEqual(read["region"], "intl")
        XCTAssertEqual(read["output"], "a=b", "only the first = separates")
    }

    func testValuesAreNormalised() throws {
        let read = try values("region = Singapore\nworkspace = WS-Ab12\nallow_insecure_http = yes\nbase_url = http://127.0.0.1:8089/api/v1/\n")
        XCTAssertEqual(read["region"], "intl")
        XCTAssertEqual(read["workspace"], "ws-ab12")
        XCTAssertEqual(read["allow_insecure_http"], "true")
        XCTAssertEqual(read["base_url"], "http://127.0.0.1:8089")
    }

    func testTheLastOfARepeatedKeyWins() throws {
        XCTAssertEqual(try values("region = cn\nregion = us\n")["region"], "us")
    }

    // MARK: Errors name the file and line, exit 78

    func testEveryKindOfBadLineNamesTheFileAndLine() {
        let cases: [(String, Int, String)] = [
            ("region = cn\nthis is junk\n", 2, "not `key = value`"),
            ("# ok\n\nregion = mars\n", 3, "unknown region 'mars'"),
            ("colour = never\n", 1, "unknown setting 'colour'"),
            ("regoin = cn\n", 1, "Did you mean 'region'?"),
            ("t2x.model = qwen-image\n", 1, "Did you mean 't2i.model'?"),
            ("output = \"unbalanced\n", 1, "not closed"),
            ("output = \"a\" b\n", 1, "after the closing quote"),
            ("base_url = ftp://host\n", 1, "invalid base URL"),
            ("workspace = -bad\n", 1, "not a workspace id"),
            ("allow_insecure_http = maybe\n", 1, "not true or false"),
            ("api_key =\n", 1, "api_key is empty"),
            ("my key = 1\n", 1, "not a setting name"),
        ]
        for (text, line, words) in cases {
            let error = assertFails(.noKey) { _ = try self.file(text).checked() }
            XCTAssertTrue(error?.message.hasPrefix("/cfg/config, line \(line): ") ?? false, "\(text): \(error?.message ?? "")")
            XCTAssertTrue(error?.message.contains(words) ?? false, "\(text): \(error?.message ?? "")")
            XCTAssertNotNil(error?.hint, text)
        }
    }

    func testAnUnreadableFileIsAConfigError() throws {
        let directory = try temporaryDirectory(self)
        let path = directory + "/config"
        // A directory under the file's name cannot be read by anyone, root included (CI runs as root).
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        assertFails(.noKey) { _ = try ConfigFile.read(path: path) }
        guard getuid() != 0 else { return }
        let unreadable = directory + "/config-0"
        XCTAssertTrue(FileManager.default.createFile(atPath: unreadable, contents: Data("region = cn\n".utf8), attributes: [.posixPermissions: 0]))
        assertFails(.noKey) { _ = try ConfigFile.read(path: unreadable) }
    }

    // MARK: Rewriting

    func testSetRewritesInPlaceKeepingCommentsAndOtherLines() {
        var config = file("""
        # my settings
        region = cn   # home
        API_KEY = sk-old-0000000000000000 # work

        region = us
        junk line kept as written
        """)
        config.set("region", to: "intl")
        config.set("workspace", to: "ws-1")
        config.set("api_key", to: "sk-new-0000000000000000")
        XCTAssertEqual(config.text, """
        # my settings
        api_key = sk-new-0000000000000000 # work

        region = intl
        junk line kept as written
        workspace = ws-1

        """)
    }

    func testUnsetRemovesEveryLineOfTheKey() {
        var config = file("region = cn\n# keep\nregion = us\noutput = x/\n")
        XCTAssertTrue(config.unset("REGION"))
        XCTAssertFalse(config.unset("workspace"))
        XCTAssertEqual(config.text, "# keep\noutput = x/\n")
    }

    func testValuesThatNeedQuotesAreQuotedAndReadBack() throws {
        for value in [" lead", "trail ", "a #b", "\"quoted\"", "it's # here", "", "plain/path"] {
            var config = file("")
            config.set("output", to: value)
            XCTAssertEqual(ConfigFile(path: "/x", text: config.text).entry("output")?.value, value, config.text)
            XCTAssertTrue(ConfigFile.canWrite(value), value)
        }
        XCTAssertEqual(ConfigFile.quoted("plain/path"), "plain/path")
        XCTAssertFalse(ConfigFile.canWrite("both \" and ' #"))
    }

    func testWriteIsAtomicWithPrivateModes() throws {
        let home = try temporaryDirectory(self)
        let path = home + "/new/dashscope/config"
        var config = try ConfigFile.read(path: path)
        XCTAssertFalse(config.exists)
        config.set("region", to: "intl")
        try config.write()
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let directory = try FileManager.default.attributesOfItem(atPath: home + "/new/dashscope")
        XCTAssertEqual((directory[.posixPermissions] as? NSNumber)?.intValue, 0o700)
        XCTAssertEqual(try ConfigFile.read(path: path).entry("region")?.value, "intl")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: home + "/new/dashscope"), ["config"], "no temporary file is left")

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        var readable = try ConfigFile.read(path: path)
        readable.set("api_key", to: "sk-0000000000005555")
        XCTAssertNotNil(readable.exposureWarning, "a readable file holding a key is warned about")
        try readable.write()
        let rewritten = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((rewritten[.posixPermissions] as? NSNumber)?.intValue, 0o600, "a rewrite makes the file private")
    }

    func testASymlinkedFileIsWrittenThroughTheLink() throws {
        let home = try temporaryDirectory(self)
        try FileManager.default.createDirectory(atPath: home + "/dotfiles", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home + "/cfg", withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: home + "/dotfiles/dashscope", contents: Data("# mine\n".utf8)))
        try FileManager.default.createSymbolicLink(atPath: home + "/cfg/config", withDestinationPath: "../dotfiles/dashscope")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: home + "/dotfiles/dashscope")
        var config = try ConfigFile.read(path: home + "/cfg/config")
        XCTAssertEqual(config.mode, 0o600, "the mode is the file's, not the link's")
        config.set("region", to: "us")
        try config.write()
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: home + "/cfg/config"), "../dotfiles/dashscope")
        XCTAssertEqual(FileManager.default.contents(atPath: home + "/dotfiles/dashscope"), Data("# mine\nregion = us\n".utf8))
    }

    /// config → mid → real: the last file is rewritten in place and both links stay links; a loop is exit 73.
    func testAChainOfSymlinksIsWrittenThroughToTheLastFile() throws {
        let home = try temporaryDirectory(self)
        let files = FileManager.default
        try files.createDirectory(atPath: home + "/dotfiles/deep", withIntermediateDirectories: true)
        try files.createDirectory(atPath: home + "/cfg", withIntermediateDirectories: true)
        XCTAssertTrue(files.createFile(atPath: home + "/dotfiles/deep/real", contents: Data("# mine\n".utf8)))
        try files.createSymbolicLink(atPath: home + "/dotfiles/mid", withDestinationPath: "deep/real")
        try files.createSymbolicLink(atPath: home + "/cfg/config", withDestinationPath: home + "/dotfiles/mid")
        var config = try ConfigFile.read(path: home + "/cfg/config")
        config.set("color", to: "never")
        try config.write()
        XCTAssertEqual(try files.destinationOfSymbolicLink(atPath: home + "/cfg/config"), home + "/dotfiles/mid")
        XCTAssertEqual(try files.destinationOfSymbolicLink(atPath: home + "/dotfiles/mid"), "deep/real", "mid is still a link")
        XCTAssertEqual(files.contents(atPath: home + "/dotfiles/deep/real"), Data("# mine\ncolor = never\n".utf8))

        try files.createSymbolicLink(atPath: home + "/cfg/loop", withDestinationPath: "loop")
        var looped = try ConfigFile.read(path: home + "/cfg/loop")
        looped.set("color", to: "never")
        assertFails(.cannotWrite) { try looped.write() }
    }

    func testAFailedWriteIsExit73AndLeavesTheFile() throws {
        let home = try temporaryDirectory(self)
        // The file's directory is a regular file: no one can write there, root included (CI runs as root).
        XCTAssertTrue(FileManager.default.createFile(atPath: home + "/cfg", contents: Data("keep me\n".utf8)))
        var config = try ConfigFile.read(path: home + "/cfg/config")
        config.set("region", to: "us")
        assertFails(.cannotWrite) { try config.write() }
        XCTAssertEqual(FileManager.default.contents(atPath: home + "/cfg"), Data("keep me\n".utf8))
        guard getuid() != 0 else { return }
        try FileManager.default.createDirectory(atPath: home + "/ro", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o500])
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: home + "/ro") }
        var readOnly = try ConfigFile.read(path: home + "/ro/config")
        readOnly.set("region", to: "us")
        assertFails(.cannotWrite) { try readOnly.write() }
    }

    // MARK: The table

    func testTheTableKnowsEveryKeyAndSuggests() {
        XCTAssertEqual(Settings.keys.prefix(6), ["api_key", "region", "workspace", "base_url", "allow_insecure_http", "output"])
        XCTAssertTrue(Settings.keys.contains("t2i.model"))
        XCTAssertNotNil(Settings.named("T2I.MODEL"))
        XCTAssertNil(Settings.named("COMMAND.model"), "the pattern's own name is no key")
        guard case let .failure(problem) = Settings.lookup("api-key") else { return XCTFail("api-key is no key") }
        XCTAssertTrue(problem.message.contains("Did you mean 'api_key'?"), problem.message)
        guard case let .failure(bad) = Settings.check(key: "region", value: "mars") else { return XCTFail("mars is no region") }
        XCTAssertTrue(bad.hint?.contains("singapore") ?? false, bad.hint ?? "")
    }

    func testAByteOrderMarkAtTheStartIsDropped() throws {
        let file = ConfigFile(path: "/x/config", text: "\u{FEFF}region = singapore\n")
        XCTAssertEqual(file.lines.count, 1)
        guard case let .entry(key, value, _, _) = file.lines[0] else { return XCTFail("\(file.lines)") }
        XCTAssertEqual(key, "region")
        XCTAssertEqual(value, "singapore")
    }

    func testRegionNamesAcceptCitiesAndRegionIDsInAnyCase() {
        for (name, region) in [("cn", Region.cn), ("CN", .cn), ("Beijing", .cn), ("intl", .intl), ("SINGAPORE", .intl),
                               ("us", .us), ("virginia", .us), (" Virginia ", .us), ("cn-beijing", .cn),
                               ("AP-SOUTHEAST-1", .intl), ("us-east-1", .us)] {
            XCTAssertEqual(Region(name: name), region, name)
        }
        for bad in ["mars", "", "china", "cn-hangzhou", "ap-southeast-2", "us-west-1"] { XCTAssertNil(Region(name: bad), bad) }
    }

    func testWorkspaceIdsMustBeOneDNSLabel() {
        for good in ["ws1", "llm-abc123", String(repeating: "a", count: 63), "A1"] {
            guard case .success = Settings.check(key: "workspace", value: good) else { return XCTFail(good) }
        }
        for bad in ["", "-a", "a-", "a.b", "a_b", "a/b", "a b", "ws:80", "x@y", String(repeating: "a", count: 64), "é"] {
            guard case .failure = Settings.check(key: "workspace", value: bad) else { return XCTFail("accepted '\(bad)'") }
        }
    }
}
