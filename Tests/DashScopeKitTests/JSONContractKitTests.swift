import Foundation
import XCTest
@testable import DashScopeKit

/// The library side of the scripting contract: `--json` errors, the dry-run document, `-o` placeholders and extensions,
/// size suggestions, and the journal's paths, parameters and pruning.
final class JSONContractKitTests: XCTestCase {
    // MARK: Errors

    func testAnErrorAsJSONHasEveryKeyAlways() throws {
        let bare = DashScopeError.usage("bad \"size\"\nsecond line")
        let document = try JSON.parse(Data(bare.json.compact.utf8))
        let error = try XCTUnwrap(document["error"])
        XCTAssertEqual(error.members.map(\.0), ["code", "message", "hint", "request_id", "task_id", "exit_code"])
        XCTAssertEqual(error["code"]?.string, "usage")
        XCTAssertEqual(error["message"]?.string, "bad \"size\"\nsecond line")
        XCTAssertTrue(error["hint"]?.isNull ?? false)
        XCTAssertEqual(error["exit_code"]?.int, 64)
        XCTAssertFalse(bare.json.compact.contains("\n"), "one line")

        let service = DashScopeError("refused", hint: "h", exit: .failed, serviceCode: "InvalidParameter", requestID: "r-1")
            .about(task: "t-1").about(task: "t-2")
        let json = service.json["error"]
        XCTAssertEqual(json?["code"]?.string, "InvalidParameter")
        XCTAssertEqual(json?["request_id"]?.string, "r-1")
        XCTAssertEqual(json?["task_id"]?.string, "t-1", "the first task named stays")
        XCTAssertEqual(DashScopeError.noKey.json["error"]?["code"]?.string, "no_key")
        XCTAssertEqual(Set(ExitCode.allCases.map(\.name)).count, ExitCode.allCases.count, "one name per status")
    }

    // MARK: Dry run

    func testDryRunDocumentHasTheBodyAsJSONAndTheKeyRedacted() throws {
        let configuration = try Configuration.resolve(flags: .init(apiKey: "sk-dry-run-secret-9876", region: nil, baseURL: nil),
                                                      environment: [:])
        let client = APIClient(configuration: configuration, transport: FakeTransport([]), retrier: Retrier(sleeper: TaskSleeper(), logger: .silent),
                               logger: .silent)
        let endpoint = Endpoint(method: "POST", path: "/services/x", body: .object(["model": .string("m"), "parameters": .object(["seed": .integer(7)])]),
                                async: true, kind: .create)
        let document = client.describeJSON(endpoint, output: "/out/{date}.{ext}")
        XCTAssertEqual(document.members.map(\.0), ["method", "url", "headers", "body", "output"])
        XCTAssertEqual(document["headers"]?["Authorization"]?.string, "Bearer sk-…9876")
        XCTAssertEqual(document["headers"]?["X-DashScope-Async"]?.string, "enable")
        XCTAssertEqual(document["body"]?["parameters"]?["seed"]?.int, 7)
        XCTAssertEqual(document["output"]?.string, "/out/{date}.{ext}")
        XCTAssertFalse(document.pretty.contains("sk-dry-run-secret-9876"))
        XCTAssertTrue(client.describeJSON(endpoint, output: nil)["output"]?.isNull ?? false)
    }

    // MARK: Output names

    func testUnknownPlaceholdersAreRefusedWithTheKnownOnes() throws {
        for option in ["x/{seed}.png", "{Date}/a.png", "a-{}.png", "{prompt}/"] {
            XCTAssertThrowsError(try OutputPlan(option: option, cwd: "/tmp"), option) { error in
                let error = error as? DashScopeError
                XCTAssertEqual(error?.exitCode, .usage, option)
                XCTAssertTrue(error?.hint?.contains("{date} {time} {model} {slug} {index} {ext} {task}") ?? false, option)
            }
        }
        for option in ["out/{model}-{index}.{ext}", "a{b.png", "{task}.png"] {
            XCTAssertNoThrow(try OutputPlan(option: option, cwd: "/tmp"), option)
        }
        XCTAssertNoThrow(try OutputPlan(option: "a.png", cwd: "/tmp/{odd}"), "braces in the working directory are not placeholders")
    }

    func testAFixedExtensionThatDiffersFromTheOutputIsWarnedAbout() throws {
        let table: [(String, String, Bool)] = [
            ("cat.jpg", "png", true), ("x.png", "mp4", true), ("cat.png", "png", false), ("cat.jpeg", "jpg", false),
            ("cat.JPG", "jpeg", false), ("cat", "png", false), ("cat.{ext}", "mp4", false), ("dir/", "png", false),
        ]
        for (option, actual, warned) in table {
            let plan = try OutputPlan(option: option, cwd: "/tmp/none")
            XCTAssertEqual(plan.extensionWarning(actual: actual) != nil, warned, "\(option) for .\(actual)")
        }
        XCTAssertTrue(try OutputPlan(option: "cat.jpg", cwd: "/tmp").extensionWarning(actual: "png")?.contains("{ext}") ?? false)
    }

    // MARK: Sizes

    func testSizeSuggestionsAreValidAndNameTheModel() throws {
        let wan = try XCTUnwrap(Catalog.model(named: "wan2.6-t2i"))
        XCTAssertThrowsError(try TextToImage.resolveSize(.exact(ImageSize(300, 300)), model: wan)) { error in
            let error = error as? DashScopeError
            XCTAssertTrue(error?.message.contains("wan2.6-t2i") ?? false, "\(String(describing: error))")
            XCTAssertTrue(error?.hint?.contains("768x768") ?? false, "\(String(describing: error))")
        }
        for name in ["wan2.6-t2i", "wan2.2-t2i-flash", "qwen-image"] {
            let rule = try XCTUnwrap(Catalog.model(named: name)?.sizes)
            for size in [ImageSize(100, 100), ImageSize(5000, 900), ImageSize(300, 2000), ImageSize(999, 1001)] {
                let near = rule.nearest(to: size)
                XCTAssertFalse(near.isEmpty, "\(name) \(size)")
                XCTAssertTrue(near.allSatisfy { rule.problem(with: $0) == nil }, "\(name) \(size): \(near)")
                XCTAssertEqual(Set(near.map(\.description)).count, near.count, "no repeats")
            }
        }
        let qwen = try XCTUnwrap(Catalog.model(named: "qwen-image")?.sizes)
        XCTAssertEqual(qwen.nearest(to: ImageSize(1000, 1000)).first, ImageSize(1328, 1328))
        XCTAssertEqual(qwen.nearest(to: ImageSize(1920, 1080)).first, ImageSize(1664, 928))
    }

    // MARK: Journal

    func testTheJournalKeepsPathsAndParametersAndForgetsAtomically() throws {
        let directory = NSTemporaryDirectory() + "journal-\(UUID().uuidString)"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        let journal = Journal(path: directory + "/tasks.jsonl")
        let parameters = JSON.object(["size": .string("1024*1024"), "seed": .integer(5)])
        for (index, id) in ["old-done", "new-done", "open"].enumerated() {
            try journal.recordSubmitted(JournalEntry(taskID: id, model: "m", command: "t2i", prompt: "p", origin: "o",
                                                     submittedAt: Date(timeIntervalSinceNow: Double(index - 3) * 86_400), output: nil,
                                                     parameters: parameters))
        }
        try journal.recordFinished(taskID: "old-done", outcome: "SUCCEEDED", paths: ["/a/1.png", "/a/2.png"])
        try journal.recordFinished(taskID: "new-done", outcome: "FAILED")
        let entries = journal.entries()
        XCTAssertEqual(entries[0].paths, ["/a/1.png", "/a/2.png"])
        XCTAssertEqual(entries[0].parameters?["seed"]?.int, 5)
        XCTAssertEqual(entries[1].paths, [])

        XCTAssertEqual(try journal.forget { $0.outcome != nil && ($0.submitted ?? Date()) < Date(timeIntervalSinceNow: -2.5 * 86_400) }, ["old-done"])
        XCTAssertEqual(journal.entries().map(\.taskID), ["new-done", "open"])
        XCTAssertEqual(journal.entries()[0].outcome, "FAILED", "the finished line of a kept task stays")
        XCTAssertEqual(try journal.forget { _ in false }, [])
        let mode = try FileManager.default.attributesOfItem(atPath: journal.path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
        try journal.recordSubmitted(JournalEntry(taskID: "after", model: "m", command: "t2i", prompt: "p", origin: "o",
                                                 submittedAt: Date(), output: nil))
        XCTAssertEqual(journal.entries().map(\.taskID), ["new-done", "open", "after"], "appends go on after a rewrite")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["tasks.jsonl"], "no temporary file left")
    }
}

