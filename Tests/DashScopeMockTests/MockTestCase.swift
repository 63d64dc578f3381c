import Foundation
import XCTest
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import DashScopeMock

/// An answer from the mock, with its JSON body decoded when it has one.
struct Reply {
    let status: Int
    let headers: [String: String]
    let body: Data

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
    }

    var code: String? {
        json["code"] as? String
    }

    var message: String {
        json["message"] as? String ?? ""
    }

    var output: [String: Any] {
        json["output"] as? [String: Any] ?? [:]
    }

    var usage: [String: Any] {
        json["usage"] as? [String: Any] ?? [:]
    }

    var taskStatus: String? {
        output["task_status"] as? String
    }
}

/// Request bodies as clients send them.
enum Body {
    static func prompt(_ model: String, _ prompt: String = "a cat", parameters: [String: Any] = ["n": 1]) -> [String: Any] {
        ["model": model, "input": ["prompt": prompt], "parameters": parameters]
    }

    static func messages(
        _ model: String, content: [[String: Any]] = [["text": "a cat"]], parameters: [String: Any] = ["n": 1]
    ) -> [String: Any] {
        ["model": model, "input": ["messages": [["role": "user", "content": content]]], "parameters": parameters]
    }
}

/// A clock the tests move by hand, so task lifecycles need no sleeping.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_756_699_200)

    func now() -> Date {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    func advance(_ seconds: Double) {
        lock.lock()
        current += seconds
        lock.unlock()
    }
}

/// Starts a mock on an ephemeral port before each test and stops it after; helpers send requests with URLSession.
class MockTestCase: XCTestCase {
    var server: MockServer!
    var session: URLSession!

    /// The options each test's server starts with; suites override this.
    var options: MockOptions {
        MockOptions(taskSeconds: 0)
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        server = MockServer(options: options)
        try server.start()
        session = URLSession(configuration: .ephemeral)
    }

    override func tearDown() {
        server.stop()
        session.invalidateAndCancel()
        super.tearDown()
    }

    func send(
        _ method: String, _ path: String, key: String? = "sk-test", headers: [String: String] = [:], body: Data? = nil,
        to target: MockServer? = nil
    ) async throws -> Reply {
        var request = URLRequest(url: URL(string: (target ?? server).origin + path)!)
        request.httpMethod = method
        if let key {
            request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        }
        if body != nil {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers {
            request.setValue(value, forHTTPHeaderField: name)
        }
        request.httpBody = body
        let (data, response) = try await session.data(for: request)
        let http = try XCTUnwrap(response as? HTTPURLResponse)
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            headers[String(describing: name).lowercased()] = String(describing: value)
        }
        return Reply(status: http.statusCode, headers: headers, body: data)
    }

    func post(
        _ route: GenerationRoute, _ object: [String: Any], key: String? = "sk-test", async: Bool? = nil,
        to target: MockServer? = nil
    ) async throws -> Reply {
        let body = try JSONSerialization.data(withJSONObject: object)
        let headers = (async ?? route.isAsync) ? ["X-DashScope-Async": "enable"] : [:]
        return try await send("POST", route.path, key: key, headers: headers, body: body, to: target)
    }

    /// Creates a prompt-protocol task and returns its id.
    func createTask(_ model: String = "wan2.2-t2i-flash", n: Int = 1, on target: MockServer? = nil) async throws -> String {
        let reply = try await post(.promptAsync, Body.prompt(model, parameters: ["n": n]), to: target)
        XCTAssertEqual(reply.status, 200, reply.message)
        return try XCTUnwrap(reply.output["task_id"] as? String)
    }

    func query(_ id: String) async throws -> Reply {
        try await send("GET", "/api/v1/tasks/\(id)")
    }

    func assertError(
        _ reply: Reply, _ status: Int, _ code: String, _ fragment: String = "",
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(reply.status, status, reply.message, file: file, line: line)
        XCTAssertEqual(reply.code, code, file: file, line: line)
        let mentioned = fragment.isEmpty || reply.message.contains(fragment)
        XCTAssertTrue(mentioned, "\(reply.message) lacks \(fragment)", file: file, line: line)
        XCTAssertEqual((reply.json["request_id"] as? String)?.count, 36, file: file, line: line)
    }
}
