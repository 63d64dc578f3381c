import Foundation
import XCTest
@testable import DashScopeKit
@testable import DashScopeCLI

/// `doctor`'s clock line against a service whose `Date` header is set by the test, and the HTTP date reader.
final class DoctorTests: XCTestCase {
    private func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    private func doctor(serverOffset: TimeInterval) async throws -> (Outcome, [String: [String: Any]], FakeService) {
        let cli = try CLIHarness(self)
        cli.environment["DASHSCOPE_API_KEY"] = "sk-doctor-test-0000abcd"
        let date = httpDate(Date().addingTimeInterval(serverOffset))
        let service = FakeService { _ in
            HTTPResponse(status: 200, headers: ["content-type": "application/json", "date": date],
                         body: Data(#"{"request_id":"r","page_no":1,"page_size":1,"total":0,"tasks":[]}"#.utf8))
        }
        let outcome = await cli.run(["doctor", "--json"], transport: service)
        let checks = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [[String: Any]] ?? []
        return (outcome, Dictionary(checks.map { ($0["check"] as? String ?? "", $0) }) { $1 }, service)
    }

    func testAClockInStepPasses() async throws {
        let (outcome, checks, service) = try await doctor(serverOffset: 20)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(checks["clock"]?["state"] as? String, "ok")
        XCTAssertEqual(checks["key"]?["state"] as? String, "ok")
        let request = service.requests.value.first
        XCTAssertEqual(request?.url.absoluteString, "https://dashscope.aliyuncs.com/api/v1/tasks?page_no=1&page_size=1")
        XCTAssertEqual(service.requests.value.count, 1, "one call, no retries")
    }

    func testAClockTenMinutesOffWarnsWithTheFixButDoesNotFail() async throws {
        let (outcome, checks, _) = try await doctor(serverOffset: -600)
        XCTAssertEqual(outcome.status, 0, "a warning is not a failure")
        XCTAssertEqual(checks["clock"]?["state"] as? String, "warn")
        XCTAssertTrue((checks["clock"]?["detail"] as? String)?.contains("ahead of the service") ?? false, "\(checks["clock"] ?? [:])")
        XCTAssertTrue((checks["clock"]?["fix"] as? String)?.contains("NTP") ?? false)
    }

    /// Lines of the journal that are no task record (garbage, NUL bytes) are a warning naming the file and the count,
    /// not a silent "ok"; the command still exits 0.
    func testAJournalWithGarbageLinesWarns() async throws {
        let cli = try CLIHarness(self)
        cli.environment["DASHSCOPE_API_KEY"] = "sk-doctor-test-0000abcd"
        let path = cli.root + "/state/dashscope/tasks.jsonl"
        try FileManager.default.createDirectory(atPath: cli.root + "/state/dashscope", withIntermediateDirectories: true)
        let record = #"{"event":"submitted","task_id":"t-1","model":"m","command":"t2i","prompt":"p","origin":"o","submitted_at":"2026-01-01T00:00:00Z"}"#
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data((record + "\nnot json\n\u{0}\u{0}\u{0}\n\n").utf8)))
        let service = FakeService { _ in FakeService.json(#"{"tasks":[]}"#) }
        let outcome = await cli.run(["doctor", "--json"], transport: service)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let checks = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [[String: Any]] ?? []
        let journal = try XCTUnwrap(checks.first { $0["check"] as? String == "journal" })
        XCTAssertEqual(journal["state"] as? String, "warn", "\(journal)")
        let detail = journal["detail"] as? String ?? ""
        XCTAssertTrue(detail.contains(path) && detail.contains("1 task") && detail.contains("2 lines (the first: line 2)"), detail)

        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data((record + "\n").utf8)))
        let clean = await cli.run(["doctor", "--json"], transport: service)
        let again = try JSONSerialization.jsonObject(with: Data(clean.stdout.utf8)) as? [[String: Any]] ?? []
        XCTAssertEqual(again.first { $0["check"] as? String == "journal" }?["state"] as? String, "ok")
    }

    func testHTTPDates() {
        XCTAssertEqual(KeyCheck.httpDate("Thu, 26 Nov 2026 08:09:12 GMT")?.timeIntervalSince1970, 1_795_680_552)
        XCTAssertNil(KeyCheck.httpDate("yesterday"))
    }
}
