import Foundation
import XCTest
@testable import DashScopeKit

/// Stored conversations: safe names, atomic private files, the newest one found, a damaged file refused clearly.
final class ConversationTests: XCTestCase {
    private func store() throws -> ConversationStore {
        let base = NSTemporaryDirectory() + "dashscope-conversations-" + UUID().uuidString
        addTeardownBlock { try? FileManager.default.removeItem(atPath: base) }
        return ConversationStore(environment: ["XDG_STATE_HOME": base])
    }

    func testNamesAreOneSafePathComponent() {
        for good in ["trip", "a.b_c-1", String(repeating: "x", count: 64)] { XCTAssertNoThrow(try ConversationStore.check(name: good), good) }
        for bad in ["", ".", "..", ".hidden", "a/b", "../x", "a b", "é", "x\u{1B}", String(repeating: "x", count: 65)] {
            XCTAssertThrowsError(try ConversationStore.check(name: bad), bad) { error in
                XCTAssertEqual((error as? DashScopeError)?.exitCode, .usage)
            }
        }
    }

    func testSavedConversationsRoundTripPrivatelyAndTheNewestIsLast() throws {
        let store = try store()
        XCTAssertNil(store.lastName())
        XCTAssertNil(try store.load("trip"))
        let trip = Conversation(name: "trip", model: "qwen-max", system: "be brief",
                                messages: [ChatMessage(.user, "hi"), ChatMessage(.assistant, "hello\n\"there\"")])
        try store.save(trip)
        XCTAssertEqual(try store.load("trip"), trip)
        Thread.sleep(forTimeInterval: 0.01)
        try store.save(Conversation(name: "last", messages: [ChatMessage(.user, "x")]))
        XCTAssertEqual(store.lastName(), "last")
        let files = try FileManager.default.contentsOfDirectory(atPath: store.directory).sorted()
        XCTAssertEqual(files, ["last.json", "trip.json"], "no temporary file is left")
        let mode = try FileManager.default.attributesOfItem(atPath: store.directory + "/trip.json")[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
    }

    func testADamagedFileIsRefusedWithItsPath() throws {
        let store = try store()
        try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
        try Data("{\"messages\": [{\"role\": \"tool\"}]}".utf8).write(to: URL(fileURLWithPath: store.directory + "/bad.json"))
        XCTAssertThrowsError(try store.load("bad")) { error in
            XCTAssertEqual((error as? DashScopeError)?.exitCode, .noInput)
            XCTAssertTrue((error as? DashScopeError)?.message.contains("bad.json") ?? false)
        }
    }
}
