import Foundation
import XCTest
@testable import DashScopeKit

final class JournalTests: XCTestCase {
    private func journal() throws -> Journal {
        Journal(path: try temporaryDirectory(self) + "/state/dashscope/tasks.jsonl")
    }

    private func entry(_ id: String, origin: String = "https://dashscope.aliyuncs.com", prompt: String = "a cat",
                       output: String? = nil, at seconds: TimeInterval = 0) -> JournalEntry {
        JournalEntry(taskID: id, model: "wan2.2-t2i-flash", command: "t2i", prompt: prompt, origin: origin,
                     submittedAt: Date(timeIntervalSince1970: 1_767_225_600 + seconds), output: output)
    }

    func testSubmittedThenFinishedFold() throws {
        let journal = try journal()
        try journal.recordSubmitted(entry("t-1", output: "/pics/"))
        try journal.recordSubmitted(entry("t-2"))
        try journal.recordFinished(taskID: "t-1", outcome: "SUCCEEDED")
        let entries = journal.entries()
        XCTAssertEqual(entries.map(\.taskID), ["t-1", "t-2"])
        XCTAssertEqual(entries[0].outcome, "SUCCEEDED")
        XCTAssertNil(entries[1].outcome)
        XCTAssertEqual(entries[0].output, "/pics/")
        XCTAssertEqual(entries[0].model, "wan2.2-t2i-flash")
        XCTAssertEqual(entries[0].command, "t2i")
        XCTAssertEqual(entries[0].submittedAt, "2026-01-01T00:00:00Z")
        XCTAssertEqual(entries[0], entry("t-1", output: "/pics/").with(outcome: "SUCCEEDED"))
    }

    func testALaterOutcomeWins() throws {
        let journal = try journal()
        try journal.recordSubmitted(entry("t-1"))
        try journal.recordFinished(taskID: "t-1", outcome: "PARTIAL")
        try journal.recordFinished(taskID: "t-1", outcome: "SUCCEEDED")
        XCTAssertEqual(journal.entry(for: "t-1")?.outcome, "SUCCEEDED")
        XCTAssertNil(journal.entry(for: "t-nope"))
    }

    func testNewestUnfinishedIsPerOrigin() throws {
        let journal = try journal()
        let local = "http://127.0.0.1:8089"
        try journal.recordSubmitted(entry("old-open", at: 0))
        try journal.recordSubmitted(entry("new-open", at: 10))
        try journal.recordSubmitted(entry("newest-done", at: 20))
        try journal.recordSubmitted(entry("local-open", origin: local, at: 30))
        try journal.recordFinished(taskID: "newest-done", outcome: "SUCCEEDED")
        XCTAssertEqual(journal.newestUnfinished(origin: "https://dashscope.aliyuncs.com")?.taskID, "new-open")
        XCTAssertEqual(journal.newestUnfinished(origin: local)?.taskID, "local-open")
        XCTAssertNil(journal.newestUnfinished(origin: "https://dashscope-intl.aliyuncs.com"))
        try journal.recordFinished(taskID: "new-open", outcome: "FAILED")
        XCTAssertEqual(journal.newestUnfinished(origin: "https://dashscope.aliyuncs.com")?.taskID, "old-open")
    }

    func testFileIsPrivate() throws {
        let journal = try journal()
        try journal.recordSubmitted(entry("t-1"))
        let attributes = try FileManager.default.attributesOfItem(atPath: journal.path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let directory = (journal.path as NSString).deletingLastPathComponent
        let dirAttributes = try FileManager.default.attributesOfItem(atPath: directory)
        XCTAssertEqual((dirAttributes[.posixPermissions] as? NSNumber)?.intValue, 0o700)
    }

    func testOneJSONLinePerEventAndGarbageIsSkipped() throws {
        let journal = try journal()
        try journal.recordSubmitted(entry("t-1", prompt: "line one\nline two \"quoted\""))
        try journal.recordFinished(taskID: "t-1", outcome: "CANCELED")
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: journal.path))
        handle.seekToEndOfFile()
        handle.write(Data("not json\n{\"event\":\"finished\"}\n".utf8))
        handle.closeFile()
        let lines = String(decoding: FileManager.default.contents(atPath: journal.path)!, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.count, 4)
        XCTAssertEqual(try JSON.parse(Data(lines[0].utf8))["event"]?.string, "submitted")
        let entries = journal.entries()
        XCTAssertEqual(entries.count, 1)
        XCTAssertEqual(entries[0].prompt, "line one\nline two \"quoted\"")
        XCTAssertEqual(entries[0].outcome, "CANCELED")
    }

    func testPromptIsCutTo200Characters() {
        XCTAssertEqual(entry("t", prompt: String(repeating: "猫", count: 300)).prompt.count, 200)
    }

    func testAMissingJournalIsEmpty() throws {
        let journal = try journal()
        XCTAssertTrue(journal.entries().isEmpty)
        XCTAssertNil(journal.newestUnfinished(origin: "x"))
    }

    func testEnvironmentPath() {
        XCTAssertEqual(Journal(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]).path, "/s/dashscope/tasks.jsonl")
        XCTAssertEqual(Journal(environment: ["HOME": "/h"]).path, "/h/.local/state/dashscope/tasks.jsonl")
    }

    func testAnUnwritableJournalIsExit73() throws {
        let dir = try temporaryDirectory(self)
        _ = FileManager.default.createFile(atPath: dir + "/file", contents: Data())
        let journal = Journal(path: dir + "/file/tasks.jsonl")
        assertFails(.cannotWrite) { try journal.recordSubmitted(self.entry("t")) }
    }
}

private extension JournalEntry {
    func with(outcome: String) -> JournalEntry {
        var copy = self
        copy.outcome = outcome
        return copy
    }
}
