import Foundation
import XCTest
import DashScopeMock

/// The key goes only to the API host and is only ever shown redacted; `--dry-run` and `--verbose` show the request.
final class SecurityTests: EndToEndCase {
    func testDryRunPrintsTheRequestAndSendsNothing() throws {
        let result = try run(["t2i", "a cat", "--dry-run", "--negative", "dogs"])
        assertExit(result, 0)
        XCTAssertEqual(result.lines.first, "POST \(mock.origin)/api/v1/services/aigc/multimodal-generation/generation")
        XCTAssertTrue(result.lines.contains("Authorization: Bearer \(Self.redactedKey)"), result.stdout)
        XCTAssertTrue(result.lines.contains { $0.hasPrefix("User-Agent: dashscope-cli/") }, result.stdout)
        XCTAssertFalse(result.stdout.contains("X-DashScope-Async"), "a sync call has no Async header: \(result.stdout)")
        let body = try XCTUnwrap(result.stdout.range(of: "\n\n").map { String(result.stdout[$0.upperBound...]) }, result.stdout)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], body)
        XCTAssertEqual(json.string("model"), "wan2.6-t2i")
        XCTAssertEqual(json.object("parameters").int("n"), 1)
        XCTAssertEqual(json.object("parameters").string("negative_prompt"), "dogs")
        XCTAssertTrue(mock.requests.isEmpty, "--dry-run must send nothing")
        XCTAssertEqual(files(matching: ".png"), [])
    }

    func testDryRunOfAnAsyncCall() throws {
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "--size", "1024x768", "--dry-run"])
        assertExit(result, 0)
        XCTAssertEqual(result.lines.first, "POST \(mock.origin)/api/v1/services/aigc/text2image/image-synthesis")
        XCTAssertTrue(result.lines.contains("X-DashScope-Async: enable"), result.stdout)
        XCTAssertTrue(result.lines.contains("Authorization: Bearer \(Self.redactedKey)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("1024*768"), result.stdout)
        XCTAssertTrue(mock.requests.isEmpty)
    }

    func testVerboseShowsRedactedRequestsOnStderr() throws {
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "--verbose"])
        assertExit(result, 0)
        XCTAssertEqual(result.lines.count, 1, "traces never go to stdout: \(result.stdout)")
        assertPNGs(result.lines)
        let trace = result.errorLines
        XCTAssertTrue(trace.contains("> POST \(mock.origin)/api/v1/services/aigc/text2image/image-synthesis"), result.stderr)
        XCTAssertTrue(trace.contains("> Authorization: Bearer \(Self.redactedKey)"), result.stderr)
        XCTAssertTrue(trace.contains { $0.hasPrefix("> GET \(mock.origin)/api/v1/tasks/") }, result.stderr)
        XCTAssertTrue(trace.contains { $0.hasPrefix("< HTTP 200") }, result.stderr)
        XCTAssertFalse(result.stderr.contains("Bearer sk-test"), result.stderr)
    }

    func testKeyFromTheFlagIsNeverPrinted() throws {
        let key = "sk-flag-given-3141592653-wxyz"
        for extra in [["--dry-run"], ["--verbose"], ["--verbose", "--json"]] {
            let result = try run(["t2i", "a cat", "--api-key", key] + extra)
            assertExit(result, 0)
            XCTAssertFalse(result.stdout.contains(key) || result.stderr.contains(key), "\(extra) printed the key")
            XCTAssertTrue((result.stdout + result.stderr).contains("Bearer sk-…wxyz"), "\(extra)")
        }
        XCTAssertEqual(creates.last?.headers["authorization"], "Bearer \(key)", "--api-key wins over the environment")
    }

    func testKeyFromTheConfigFile() throws {
        let key = "sk-config-file-2718281828-qrst"
        try write("# dashscope\napi_key = \"\(key)\"\n", to: ".config/dashscope/config")
        let result = try run(["t2i", "a cat", "--verbose"], removing: ["DASHSCOPE_API_KEY"])
        assertExit(result, 0)
        XCTAssertEqual(creates.first?.headers["authorization"], "Bearer \(key)")
        XCTAssertFalse(result.stdout.contains(key) || result.stderr.contains(key))
        XCTAssertTrue(result.errorLines.contains { $0.hasPrefix("warning: ") && $0.contains("chmod 600") },
                      "a config file holding a key and readable by others is warned about: \(result.stderr)")
    }

    func testRejectedKeyIsNotEchoed() throws {
        try startMock(MockOptions(taskSeconds: 0, acceptedKey: "sk-the-right-one-0000"))
        let result = try run(["t2i", "a cat", "--verbose"])
        assertExit(result, 77)
        XCTAssertTrue(result.stderr.contains(Self.redactedKey), result.stderr)
    }

    func testDownloadsNeverCarryTheKey() throws {
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-n", "4"])
        assertExit(result, 0)
        XCTAssertEqual(downloads.count, 4)
        for request in mock.requests {
            if request.path.hasPrefix("/files/") {
                XCTAssertNil(request.headers["authorization"], "\(request.path) got the key")
                XCTAssertNil(request.headers["x-dashscope-async"])
            } else {
                XCTAssertEqual(request.headers["authorization"], "Bearer \(Self.apiKey)", request.path)
            }
        }
    }
}
