import Foundation
import XCTest
@testable import DashScopeKit

/// A reporter that keeps what the pipeline prints.
final class RecordingReporter: JobReporter, @unchecked Sendable {
    private let lines = Locked<[String]>([])
    private let errors = Locked<[String]>([])
    var stdout: [String] { lines.value }
    var stderr: [String] { errors.value }
    func emit(_ line: String) { lines.mutate { $0.append(line) } }
    func notice(_ line: String) { errors.mutate { $0.append(line) } }
    func caution(_ line: String) { errors.mutate { $0.append("warning: " + line) } }
    func failure(_ line: String) { errors.mutate { $0.append("error: " + line) } }
    func detail(_ line: String) {}
    var live: Bool { false }
    func status(_ line: String) {}
    func clearStatus() {}
}

/// The library's job pipeline, end to end over a scripted transport: submit, journal, wait, collect, name, download.
final class JobPipelineTests: XCTestCase {
    private func pipeline(_ transport: FakeTransport, dir: String, noWait: Bool = false, deadline: Date? = nil,
                          kinds: Locked<[MediaKind]> = Locked([])) throws -> (JobPipeline, RecordingReporter, Journal) {
        let api = client(transport, configuration: try configuration(baseURL: "https://api.example"))
        let journal = Journal(path: dir + "/state/tasks.jsonl")
        let services = JobServices(client: api, downloader: Downloader(transport: transport, retrier: api.retrier), journal: journal,
                                   schedule: { kind in kinds.mutate { $0.append(kind) }; return .inProcessMock },
                                   sleeper: RecordingSleeper())
        let options = JobOptions(plan: try OutputPlan(option: dir + "/out/", cwd: dir), noWait: noWait, deadline: deadline, cwd: dir,
                                 resumeCommand: { "dashscope task wait \($0)" })
        let reporter = RecordingReporter()
        return (JobPipeline(services: services, options: options, reporter: reporter), reporter, journal)
    }

    private func t2iJob(_ model: String = "wan2.2-t2i-flash") throws -> PreparedJob {
        let spec = Catalog.resolve(model, for: .textToImage)
        return try TextToImage.prepare(ImageRequest(prompt: "a cat"), model: spec, mode: try XCTUnwrap(spec.mode(async: nil)))
    }

    func testAVideoTaskIsResumedAsAVideo() async throws {
        let dir = try temporaryDirectory(self)
        let transport = FakeTransport([
            .json(200, #"{"request_id":"r","output":{"task_id":"t-1","task_status":"SUCCEEDED","video_url":"https://files.example/v?sig=1"}}"#),
            .json(200, ""),
        ])
        let kinds = Locked<[MediaKind]>([])
        let (pipeline, reporter, _) = try pipeline(transport, dir: dir, kinds: kinds)
        let status = try await pipeline.wait(taskID: "t-1", job: JobRecord(model: "wan2.6-t2v", prompt: "a cat", capability: .textToVideo))
        XCTAssertEqual(status, .ok)
        XCTAssertEqual(kinds.value, [.video], "a video task is polled on the video schedule")
        XCTAssertEqual(reporter.stdout.count, 1)
        XCTAssertTrue(reporter.stdout[0].hasSuffix(".mp4"), "an extensionless video URL is saved as .mp4: \(reporter.stdout)")
    }

    /// An answer listing more files than any model makes saves the first `maxFiles` and says what it left (exit 2).
    func testAnAnswerListingTooManyFilesSavesOnlyTheCap() async throws {
        let dir = try temporaryDirectory(self)
        let results = (1...(ResultCollector.maxFiles + 40)).map { JSON.object(["url": .string("https://files.example/\($0).png")]) }
        let answer = JSON.object(["request_id": .string("r"), "output": .object([
            "task_id": .string("t-9"), "task_status": .string("SUCCEEDED"), "results": .array(results)])])
        let transport = FakeTransport([.json(200, answer.compact), .json(200, "")])
        let (pipeline, reporter, _) = try pipeline(transport, dir: dir)
        let status = try await pipeline.wait(taskID: "t-9", job: JobRecord(model: "wan2.2-t2i-flash", prompt: "a cat", capability: .textToImage))
        XCTAssertEqual(status, .partial)
        XCTAssertEqual(reporter.stdout.count, ResultCollector.maxFiles)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/out").count, ResultCollector.maxFiles)
        XCTAssertEqual(transport.requests.count, 1 + ResultCollector.maxFiles, "nothing past the cap is fetched")
        let said = reporter.stderr.filter { $0.hasPrefix("error: output \(ResultCollector.maxFiles + 1) failed (too_many_outputs)") }
        XCTAssertEqual(said.count, 1, "\(reporter.stderr)")
        XCTAssertTrue(said.first?.contains("nor the 39 after it") ?? false, said.first ?? "")
        XCTAssertTrue(reporter.stderr.contains("100 of 140 outputs saved"), "\(reporter.stderr)")
    }

    func testTheJournalRemembersTheKindOfJob() throws {
        let dir = try temporaryDirectory(self)
        let journal = Journal(path: dir + "/tasks.jsonl")
        try journal.recordSubmitted(JournalEntry(taskID: "v-1", model: "wan2.6-t2v", command: "t2v", prompt: "p", origin: "o",
                                                 submittedAt: Date(), output: nil, capability: .textToVideo))
        try journal.recordSubmitted(JournalEntry(taskID: "k-1", model: "wan2.2-kf2v-flash", command: "i2v", prompt: "p", origin: "o",
                                                 submittedAt: Date(), output: nil, capability: .keyframesToVideo))
        XCTAssertEqual(journal.entry(for: "v-1")?.capability, .textToVideo)
        XCTAssertEqual(journal.entry(for: "k-1")?.capability, .keyframesToVideo, "the kind, not the command, is kept")
        let text = try String(contentsOfFile: dir + "/tasks.jsonl", encoding: .utf8)
        XCTAssertTrue(text.contains(#""kind":"kf2v""#), text)
    }

    func testAMalformedTaskIDFromTheServiceIsRefusedAndNotJournaled() async throws {
        let dir = try temporaryDirectory(self)
        for id in ["$(touch x)", "../x", "a b", "", String(repeating: "a", count: 200), "ﬁ"] {
            let answer = JSON.object(["request_id": .string("r"), "output": .object(["task_id": .string(id), "task_status": .string("PENDING")])])
            let transport = FakeTransport([.json(200, answer.compact)])
            let (pipeline, reporter, journal) = try pipeline(transport, dir: dir, noWait: true)
            let error = await assertFailsAsync(.failed) { _ = try await pipeline.run(try t2iJob()) }
            XCTAssertTrue(error?.message.contains("malformed task id") ?? false, "\(id): \(error?.message ?? "")")
            XCTAssertEqual(journal.entries().count, 0, "\(id) must not be journaled")
            XCTAssertEqual(reporter.stdout, [], "\(id) must not be printed as a result")
        }
    }

    func testAFailureWhileWaitingSaysHowToResume() async throws {
        let dir = try temporaryDirectory(self)
        let transport = FakeTransport([
            .json(200, #"{"request_id":"r","output":{"task_id":"t-2","task_status":"PENDING"}}"#),
            .json(401, #"{"code":"InvalidApiKey","message":"Invalid API-key provided."}"#),
        ])
        let (pipeline, _, journal) = try pipeline(transport, dir: dir)
        let error = await assertFailsAsync(.keyRejected) { _ = try await pipeline.run(try t2iJob()) }
        XCTAssertTrue(error?.hint?.contains("resume with: dashscope task wait t-2") ?? false, error?.hint ?? "")
        XCTAssertEqual(journal.newestUnfinished(origin: "https://api.example")?.taskID, "t-2", "the task stays unfinished in the journal")
    }

    func testNoWaitPrintsTheIDAndTheResumeLineAndJournalsTheKind() async throws {
        let dir = try temporaryDirectory(self)
        let transport = FakeTransport([.json(200, #"{"request_id":"r","output":{"task_id":"t-3","task_status":"PENDING"}}"#)])
        let (pipeline, reporter, journal) = try pipeline(transport, dir: dir, noWait: true)
        let status = try await pipeline.run(try t2iJob())
        XCTAssertEqual(status, .ok)
        XCTAssertEqual(reporter.stdout, ["t-3"])
        XCTAssertTrue(reporter.stderr.contains("collect it with: dashscope task wait t-3"), "\(reporter.stderr)")
        XCTAssertEqual(journal.entry(for: "t-3")?.capability, .textToImage)
        XCTAssertEqual(transport.requests.count, 1, "--no-wait sends only the create")
    }

    func testEveryFailedPollPrintsTheResumeLineOnce() async throws {
        for (status, body, exit) in [(404, #"{"code":"NotFound","message":"proxy says no"}"#, ExitCode.failed),
                                     (200, #"{"code":"InvalidParameter","message":"an error in a 200"}"#, .failed),
                                     (403, #"{"code":"AccessDenied","message":"no"}"#, .keyRejected)] {
            let dir = try temporaryDirectory(self)
            let transport = FakeTransport([
                .json(200, #"{"request_id":"r","output":{"task_id":"t-4","task_status":"PENDING"}}"#),
                .json(status, body),
            ])
            let (pipeline, _, journal) = try pipeline(transport, dir: dir)
            let error = await assertFailsAsync(exit) { _ = try await pipeline.run(try t2iJob()) }
            let hint = error?.hint ?? ""
            XCTAssertEqual(hint.components(separatedBy: "dashscope task wait").count - 1, 1, "HTTP \(status): \(hint)")
            XCTAssertTrue(hint.contains("resume with: dashscope task wait t-4"), "HTTP \(status): \(hint)")
            XCTAssertNotNil(journal.newestUnfinished(origin: "https://api.example"), "HTTP \(status): the task stays open")
        }
    }

    func testDownloadsThatFailForNowLeaveTheTaskOpenAndSayHowToResume() async throws {
        let dir = try temporaryDirectory(self)
        let transport = FakeTransport([
            .json(200, #"{"request_id":"r","output":{"task_id":"t-5","task_status":"PENDING"}}"#),
            .json(200, #"{"request_id":"r","output":{"task_id":"t-5","task_status":"SUCCEEDED","results":[{"url":"https://files.example/a.png"}]}}"#),
            .failure(.connectionLost("reset")),
        ])
        // Downloads are retried until the deadline (no limit without one), so give one: the failures then end it.
        let (pipeline, _, journal) = try pipeline(transport, dir: dir, deadline: Date().addingTimeInterval(0.3))
        let error = await assertFailsAsync(.tryLater) { _ = try await pipeline.run(try t2iJob()) }
        XCTAssertTrue(error?.hint?.contains("resume with: dashscope task wait t-5") ?? false, error?.hint ?? "")
        XCTAssertEqual(journal.newestUnfinished(origin: "https://api.example")?.taskID, "t-5",
                       "a task whose outputs could not be fetched yet is not marked finished")
    }

    func testACreateAnswerThatIsNotJSONPointsToTheTaskList() async throws {
        let dir = try temporaryDirectory(self)
        let transport = FakeTransport([.json(200, "<html>proxy error</html>")])
        let (pipeline, _, _) = try pipeline(transport, dir: dir)
        let error = await assertFailsAsync(.unavailable) { _ = try await pipeline.run(try t2iJob()) }
        XCTAssertTrue(error?.hint?.contains("task list") ?? false, "a create may have started a billed task: \(error?.hint ?? "")")
        XCTAssertEqual(transport.requests.count, 1, "and it is not sent again")
    }
}
