import Foundation
import XCTest
@testable import DashScopeMock

final class RecordingTests: MockTestCase {
    func testEveryRequestIsRecordedInOrder() async throws {
        let created = try await post(.promptAsync, Body.prompt("wan2.2-t2i-flash", parameters: ["n": 1, "seed": 42]))
        _ = try await send("GET", "/api/v1/tasks?page_no=1", key: nil)
        _ = try await send("GET", "/files/a/0.png", key: nil, headers: ["User-Agent": "dashscope-cli/test"])
        let requests = server.requests
        XCTAssertEqual(requests.map(\.method), ["POST", "GET", "GET"])
        XCTAssertEqual(requests.map(\.path), [GenerationRoute.promptAsync.path, "/api/v1/tasks", "/files/a/0.png"])
        XCTAssertEqual(created.status, 200)

        let create = requests[0]
        XCTAssertEqual(create.headers["authorization"], "Bearer sk-test")
        XCTAssertEqual(create.headers["x-dashscope-async"], "enable")
        XCTAssertEqual(create.headers["content-type"], "application/json")
        XCTAssertEqual(create.json?["model"] as? String, "wan2.2-t2i-flash")
        XCTAssertEqual((create.json?["parameters"] as? [String: Any])?["seed"] as? Int, 42)
        XCTAssertEqual(requests[1].query, ["page_no": "1"])
        XCTAssertNil(requests[1].headers["authorization"], "the refused request is recorded too")
        XCTAssertEqual(requests[2].headers["user-agent"], "dashscope-cli/test")
        XCTAssertNil(requests[2].json)
    }

    func testClearRequestsForgetsThem() async throws {
        _ = try await send("GET", "/nothing")
        XCTAssertEqual(server.requests.count, 1)
        server.clearRequests()
        XCTAssertTrue(server.requests.isEmpty)
        _ = try await send("GET", "/again")
        XCTAssertEqual(server.requests.map(\.path), ["/again"])
    }
}
