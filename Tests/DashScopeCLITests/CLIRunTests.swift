import Foundation
import XCTest
import DashScopeKit
@testable import DashScopeCLI

final class CLIRunTests: XCTestCase {
    private let key = "sk-unit-test-0000abcd"
    private let refuseEverything = FakeService { _ in FakeService.json(#"{"code":"Unexpected","message":"no request expected"}"#, status: 500) }

    // MARK: Help, version, usage errors

    func testVersionAndHelpGoToStdout() async throws {
        let cli = try CLIHarness(self)
        let version = await cli.run(["--version"], transport: refuseEverything)
        XCTAssertEqual(version.status, 0)
        XCTAssertEqual(version.stdout, "dashscope \(Version.current)\n")
        XCTAssertEqual(version.stderr, "")

        let help = await cli.run(["help", "task", "wait"], transport: refuseEverything)
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.hasPrefix("dashscope task wait — "), help.stdout)
        XCTAssertEqual(help.stderr, "")
        XCTAssertTrue(refuseEverything.requests.value.isEmpty)
    }

    func testUsageErrorsExit64WithAHintOnStderr() async throws {
        let cli = try CLIHarness(self)
        let cases: [([String], String)] = [
            (["t2"], "Did you mean 't2i'?"),
            (["help", "t2"], "Did you mean 't2i'?"),
            (["task", "status", "id1", "id2"], "unexpected argument 'id2'"),
            (["t2i", "x", "--region", "mars"], "cannot be 'mars'"),
        ]
        for (argv, fragment) in cases {
            let outcome = await cli.run(argv, transport: refuseEverything)
            XCTAssertEqual(outcome.status, 64, "\(argv)")
            XCTAssertEqual(outcome.stdout, "", "\(argv)")
            XCTAssertTrue(outcome.stderr.hasPrefix("error: "), outcome.stderr)
            XCTAssertTrue(outcome.stderr.contains(fragment), "\(argv): \(outcome.stderr)")
            XCTAssertTrue(outcome.stderr.contains("hint: "), "\(argv): \(outcome.stderr)")
        }
    }

    // MARK: Before any request

    func testNoKeyExits78AndSendsNothing() async throws {
        let cli = try CLIHarness(self)
        let outcome = await cli.run(["t2i", "a cat"], transport: refuseEverything)
        XCTAssertEqual(outcome.status, 78, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("no API key"), outcome.stderr)
        XCTAssertTrue(refuseEverything.requests.value.isEmpty)
    }

    func testValidationFailsBeforeAnyRequest() async throws {
        let cli = try CLIHarness(self)
        let cases: [[String]] = [
            ["t2i", "a cat", "-n", "5"], ["t2i", "a cat", "-m", "qwen-image", "-n", "2"], ["t2i", "a cat", "--size", "512x512"],
            ["t2i", "a cat", "--size", "abc"], ["t2i", "a cat", "--seed", "-1"], ["t2i", "   "],
            ["t2i", "a cat", "-m", "wan2.2-t2i-flash", "--sync"], ["t2i", "a cat", "--timeout=-1"],
        ]
        for argv in cases {
            let outcome = await cli.run(argv + ["--api-key", key], transport: refuseEverything)
            XCTAssertEqual(outcome.status, 64, "\(argv): \(outcome.stderr)")
        }
        XCTAssertTrue(refuseEverything.requests.value.isEmpty)
    }

    func testDryRunPrintsTheRequestWithTheKeyRedacted() async throws {
        let cli = try CLIHarness(self)
        let outcome = await cli.run(["t2i", "a cat", "--dry-run", "--api-key", key, "-m", "wan2.2-t2i-flash", "--size", "16:9"],
                                    transport: refuseEverything)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertFalse(outcome.stdout.contains(key))
        XCTAssertFalse(outcome.stderr.contains(key))
        XCTAssertTrue(outcome.stdout.contains("Authorization: Bearer sk-…abcd"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("X-DashScope-Async: enable"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains(#""size": "1360*768""#), outcome.stdout)
        XCTAssertTrue(refuseEverything.requests.value.isEmpty, "--dry-run sends nothing")
        XCTAssertEqual(cli.files(), [], "--dry-run writes nothing")
    }

    func testPromptFromStdin() async throws {
        let cli = try CLIHarness(self)
        for argv in [["t2i", "--dry-run"], ["t2i", "-", "--dry-run"]] {
            let outcome = await cli.run(argv + ["--api-key", key], stdin: "a red fox\n", transport: refuseEverything)
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
            XCTAssertTrue(outcome.stdout.contains(#""text": "a red fox""#), outcome.stdout)
        }
    }

    // MARK: Whole jobs against a fake service

    func testSyncJobSavesTheImageAndPrintsItsPath() async throws {
        let cli = try CLIHarness(self)
        let service = FakeService { request in
            guard request.url.path == "/api/v1/services/aigc/multimodal-generation/generation" else {
                return FakeService.json(#"{"code":"NotFound","message":"\#(request.url.path)"}"#, status: 404)
            }
            return FakeService.json("""
            {"request_id":"r-1","output":{"choices":[{"finish_reason":"stop","message":{"role":"assistant",
             "content":[{"type":"image","image":"https://oss.example.com/out/abc.png?Expires=1"}]}}]},"usage":{"image_count":1}}
            """)
        }
        let outcome = await cli.run(["t2i", "a cat", "-o", "cat.png", "--api-key", key], transport: service)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(outcome.stdout, "cat.png\n")
        XCTAssertEqual(cli.files(), ["cat.png"])
        let requests = service.requests.value
        XCTAssertEqual(requests.count, 2)
        XCTAssertEqual(requests[0].header("Authorization"), "Bearer \(key)")
        XCTAssertNil(requests[0].header("X-DashScope-Async"))
        XCTAssertEqual(requests[1].url.host, "oss.example.com")
        XCTAssertNil(requests[1].header("Authorization"), "the key is never sent to the download host")

        let again = await cli.run(["t2i", "a cat", "-o", "cat.png", "--api-key", key], transport: service)
        XCTAssertEqual(again.stdout, "cat-2.png\n", "an existing file is never overwritten")
        XCTAssertEqual(cli.files(), ["cat-2.png", "cat.png"])
    }

    private func asyncService(polls: Int, results: String) -> FakeService {
        let count = Shared(0)
        return FakeService { request in
            switch (request.method, request.url.path) {
            case ("POST", "/api/v1/services/aigc/text2image/image-synthesis"):
                return FakeService.json(#"{"request_id":"r-0","output":{"task_id":"tsk-1","task_status":"PENDING"}}"#)
            case ("GET", "/api/v1/tasks/tsk-1"):
                var n = 0
                count.mutate { $0 += 1; n = $0 }
                if n <= polls { return FakeService.json(#"{"request_id":"r-\#(n)","output":{"task_id":"tsk-1","task_status":"RUNNING"}}"#) }
                return FakeService.json(#"{"request_id":"r-9","output":{"task_id":"tsk-1","task_status":"SUCCEEDED","results":\#(results)}}"#)
            default:
                return FakeService.json(#"{"code":"NotFound","message":"\#(request.url.path)"}"#, status: 404)
            }
        }
    }

    func testAsyncJobPollsDownloadsEveryImageAndJournalsTheTask() async throws {
        let cli = try CLIHarness(self)
        let service = asyncService(polls: 2, results: #"[{"url":"https://oss.example.com/1.png"},{"url":"https://oss.example.com/2.png"}]"#)
        let outcome = await cli.run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-n", "2", "-o", "pics/", "--api-key", key],
                                    transport: service)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, outcome.stdout)
        XCTAssertTrue(lines[0].hasPrefix("pics/") && lines[0].hasSuffix("-a-cat-1.png"), lines[0])
        XCTAssertTrue(lines[1].hasSuffix("-a-cat-2.png"), lines[1])
        XCTAssertEqual(cli.files(in: cli.cwd + "/pics").count, 2)
        XCTAssertEqual(cli.sleeper.delays.value.count, 3, "a wait before each of the three polls: the first look is 3.5 s after submission")

        let create = try XCTUnwrap(service.requests.value.first)
        XCTAssertEqual(create.header("X-DashScope-Async"), "enable")
        let body = try JSON.parse(try XCTUnwrap(create.body))
        XCTAssertEqual(body["parameters"]?["n"]?.int, 2)

        let journal = Journal(environment: cli.environment)
        XCTAssertEqual(journal.entries().map(\.taskID), ["tsk-1"])
        XCTAssertEqual(journal.entries().first?.outcome, "SUCCEEDED")
    }

    func testAPartlyFailedJobExits2() async throws {
        let cli = try CLIHarness(self)
        let service = asyncService(polls: 0, results: #"[{"url":"https://oss.example.com/1.png"},{"code":"DataInspectionFailed","message":"bad"}]"#)
        let outcome = await cli.run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-n", "2", "--api-key", key], transport: service)
        XCTAssertEqual(outcome.status, 2, outcome.stderr)
        XCTAssertEqual(outcome.stdout.split(separator: "\n").count, 1)
        XCTAssertTrue(outcome.stderr.contains("DataInspectionFailed"), outcome.stderr)
    }

    func testNoWaitPrintsTheTaskIDAndTimeoutPrintsTheResumeLine() async throws {
        let cli = try CLIHarness(self)
        let service = asyncService(polls: 1_000_000, results: "[]")
        let noWait = await cli.run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "--no-wait", "--api-key", key], transport: service)
        XCTAssertEqual(noWait.status, 0, noWait.stderr)
        XCTAssertEqual(noWait.stdout, "tsk-1\n")
        XCTAssertTrue(noWait.stderr.contains("dashscope task wait tsk-1"), noWait.stderr)
        XCTAssertEqual(Journal(environment: cli.environment).newestUnfinished(origin: "https://dashscope.aliyuncs.com")?.taskID, "tsk-1")

        let timedOut = await cli.run(["task", "wait", "--timeout", "0", "--api-key", key], transport: service)
        XCTAssertEqual(timedOut.status, 75, timedOut.stderr)
        XCTAssertTrue(timedOut.stderr.contains("dashscope task wait tsk-1"), timedOut.stderr)
        XCTAssertEqual(timedOut.stdout, "")
    }

    func testAnIDStartingWithADashIsResumedAfterDoubleDash() async throws {
        let cli = try CLIHarness(self)
        let service = FakeService { request in
            request.method == "POST" ? FakeService.json(#"{"request_id":"r-0","output":{"task_id":"-rf","task_status":"PENDING"}}"#)
                                     : FakeService.json(#"{"request_id":"r-1","output":{"task_id":"-rf","task_status":"RUNNING"}}"#)
        }
        let noWait = await cli.run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "--no-wait", "-o", "pics/", "--api-key", key], transport: service)
        XCTAssertEqual(noWait.status, 0, noWait.stderr)
        XCTAssertTrue(noWait.stderr.contains("dashscope task wait -o \(cli.cwd)/pics/ -- -rf"), noWait.stderr)
        let resumed = await cli.run(["task", "wait", "-o", "pics/", "--timeout", "0", "--api-key", key, "--", "-rf"], transport: service)
        XCTAssertEqual(resumed.status, 75, "the line parses: the id is taken, not read as options: \(resumed.stderr)")
    }

    func testTaskWaitWithAnEmptyJournalIsAUsageError() async throws {
        let cli = try CLIHarness(self)
        let outcome = await cli.run(["task", "wait", "--api-key", key], transport: refuseEverything)
        XCTAssertEqual(outcome.status, 64, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("no unfinished task"), outcome.stderr)
    }

    func testServiceErrorsMapToExitCodes() async throws {
        let cases: [(Int, String, Int32)] = [
            (401, #"{"code":"InvalidApiKey","message":"Invalid API-key provided."}"#, 77),
            (400, #"{"code":"InvalidParameter","message":"bad"}"#, 1),
            (429, #"{"code":"Throttling.AllocationQuota","message":"Free allocated quota exceeded."}"#, 75),
        ]
        for (status, body, exit) in cases {
            let cli = try CLIHarness(self)
            let service = FakeService { _ in FakeService.json(body, status: status) }
            let outcome = await cli.run(["task", "status", "tsk-1", "--api-key", key], transport: service)
            XCTAssertEqual(outcome.status, exit, "\(status): \(outcome.stderr)")
            XCTAssertEqual(service.requests.value.count, 1, "\(status) is not retried")
            XCTAssertFalse(outcome.stderr.contains(key))
        }
    }
}
