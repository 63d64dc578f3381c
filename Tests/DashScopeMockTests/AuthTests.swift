import Foundation
import XCTest
@testable import DashScopeMock

final class AuthTests: MockTestCase {
    func testMissingKeyIsRefused() async throws {
        assertError(try await send("GET", "/api/v1/tasks", key: nil), 401, "InvalidApiKey", "No API-key provided.")
        let bare = try await send("GET", "/api/v1/tasks", key: nil, headers: ["Authorization": "Bearer "])
        assertError(bare, 401, "InvalidApiKey", "No API-key provided.")
    }

    func testWrongKeysAreRefused() async throws {
        assertError(try await send("GET", "/api/v1/tasks", key: "abc"), 401, "InvalidApiKey", "Invalid API-key provided.")
        let basic = try await send("GET", "/api/v1/tasks", key: nil, headers: ["Authorization": "Basic sk-test"])
        assertError(basic, 401, "InvalidApiKey", "Invalid API-key provided.")
    }

    func testAnySkKeyIsAcceptedByDefault() async throws {
        let reply = try await send("GET", "/api/v1/tasks", key: "sk-anything")
        XCTAssertEqual(reply.status, 200)
    }

    func testAcceptedKeyIsTheOnlyValidKey() async throws {
        let strict = MockServer(options: MockOptions(taskSeconds: 0, acceptedKey: "sk-right"))
        try strict.start()
        defer { strict.stop() }
        let wrong = try await send("GET", "/api/v1/tasks", key: "sk-wrong", to: strict)
        assertError(wrong, 401, "InvalidApiKey", "Invalid API-key provided.")
        let right = try await send("GET", "/api/v1/tasks", key: "sk-right", to: strict)
        XCTAssertEqual(right.status, 200)
    }

    func testKeyIsCheckedOnUnknownApiPathsButNotOnFiles() async throws {
        assertError(try await send("GET", "/api/v1/nothing", key: nil), 401, "InvalidApiKey")
        assertError(try await send("GET", "/api/v1/nothing"), 404, "NotFound", "/api/v1/nothing")
        let file = try await send("GET", "/files/abc/0.png", key: nil)
        XCTAssertEqual(file.status, 200)
        assertError(try await send("GET", "/elsewhere", key: nil), 404, "NotFound")
        assertError(try await send("DELETE", "/api/v1/tasks/abc"), 404, "NotFound")
    }

    func testAsyncRoutesRequireTheAsyncHeader() async throws {
        for route in [GenerationRoute.promptAsync, .messagesAsync] {
            let body = route.usesMessages ? Body.messages("wan2.6-t2i") : Body.prompt("wan2.2-t2i-flash")
            let reply = try await post(route, body, async: false)
            assertError(reply, 403, "AccessDenied", "current user api does not support synchronous calls")
        }
        XCTAssertTrue(server.requests.allSatisfy { $0.headers["x-dashscope-async"] == nil })
    }

    func testSyncRouteRefusesTheAsyncHeader() async throws {
        let reply = try await post(.messagesSync, Body.messages("wan2.6-t2i"), async: true)
        assertError(reply, 403, "AccessDenied", "asynchronous")
    }

    func testKeyIsCheckedBeforeTheAsyncHeader() async throws {
        let reply = try await post(.promptAsync, Body.prompt("wan2.2-t2i-flash"), key: nil, async: false)
        assertError(reply, 401, "InvalidApiKey")
    }
}
