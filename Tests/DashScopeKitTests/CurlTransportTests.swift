#if os(Linux)
import Foundation
import XCTest
@testable import DashScopeKit

/// The libcurl transport against a loopback server that answers with exact bytes.
final class CurlTransportTests: XCTestCase {
    private var server: CannedHTTPServer!
    private let transport = CurlTransport()

    override func tearDown() {
        server?.stop()
        super.tearDown()
    }

    private func serve(_ answer: @escaping @Sendable (CannedHTTPServer.Received) -> CannedHTTPServer.Answer) throws {
        server = try CannedHTTPServer(answer: answer)
    }

    private static func ok(_ body: String, status: String = "200 OK", extra: String = "") -> CannedHTTPServer.Answer {
        .raw("HTTP/1.1 \(status)\r\nContent-Length: \(body.utf8.count)\r\n\(extra)Connection: close\r\n\r\n\(body)")
    }

    func testPostSendsHeadersAndBodyAsGiven() async throws {
        try serve { _ in Self.ok(#"{"ok":true}"#, extra: "X-Request-Id: r1\r\n") }
        let request = HTTPRequest(method: "POST", url: server.url("/api/v1/x"),
                                  headers: [("Authorization", "Bearer sk-test"), ("Content-Type", "application/json"),
                                            ("X-DashScope-Async", "enable")],
                                  body: Data(#"{"a":1}"#.utf8))
        let response = try await transport.send(request)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), #"{"ok":true}"#)
        XCTAssertEqual(response.headers["x-request-id"], "r1", "header names come back lowercased")
        let received = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(received.method, "POST")
        XCTAssertEqual(received.path, "/api/v1/x")
        XCTAssertEqual(received.header("authorization"), "Bearer sk-test")
        XCTAssertEqual(received.header("content-type"), "application/json")
        XCTAssertEqual(received.header("x-dashscope-async"), "enable")
        XCTAssertNil(received.header("expect"), "no 100-continue pause")
        XCTAssertEqual(String(decoding: received.body, as: UTF8.self), #"{"a":1}"#)
    }

    func testEmptyPostCarriesNoFormType() async throws {
        try serve { _ in Self.ok("{}") }
        _ = try await transport.send(HTTPRequest(method: "POST", url: server.url("/cancel")))
        let received = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(received.method, "POST")
        XCTAssertEqual(received.header("content-length"), "0")
        XCTAssertNil(received.header("content-type"))
    }

    func testErrorStatusIsAnAnswerNotAFailure() async throws {
        try serve { _ in Self.ok(#"{"code":"Throttling"}"#, status: "429 Too Many Requests", extra: "Retry-After: 3\r\n") }
        let response = try await transport.send(HTTPRequest(method: "GET", url: server.url("/t")))
        XCTAssertEqual(response.status, 429)
        XCTAssertEqual(response.headers["retry-after"], "3")
    }

    func testRedirectToAnotherHostDropsTheKey() async throws {
        try serve { request in
            guard request.path == "/start", let port = request.header("host")?.split(separator: ":").last else { return Self.ok("done") }
            return .raw("HTTP/1.1 302 Found\r\nLocation: http://localhost:\(port)/final\r\nContent-Length: 0\r\n\r\n")
        }
        let request = HTTPRequest(method: "GET", url: server.url("/start"), headers: [("Authorization", "Bearer sk-secret")])
        let response = try await transport.send(request)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "done")
        XCTAssertEqual(server.requests.map(\.path), ["/start", "/final"])
        XCTAssertEqual(server.requests[0].header("authorization"), "Bearer sk-secret")
        XCTAssertNil(server.requests[1].header("authorization"), "127.0.0.1 → localhost is another host")
    }

    func testRedirectOnTheSameHostKeepsTheKeyAnd303BecomesGet() async throws {
        try serve { request in
            request.path == "/start" ? .raw("HTTP/1.1 303 See Other\r\nLocation: /final\r\nContent-Length: 0\r\n\r\n") : Self.ok("done")
        }
        let request = HTTPRequest(method: "POST", url: server.url("/start"),
                                  headers: [("Authorization", "Bearer sk-secret"), ("Content-Type", "application/json")],
                                  body: Data("{}".utf8))
        _ = try await transport.send(request)
        XCTAssertEqual(server.requests.map(\.method), ["POST", "GET"])
        XCTAssertEqual(server.requests[1].header("authorization"), "Bearer sk-secret")
        XCTAssertEqual(server.requests[1].body, Data())
    }

    func testDownloadStreamsA2xxBodyToTheFileAndKeepsOtherAnswersInMemory() async throws {
        try serve { request in request.path == "/ok" ? Self.ok("PNGDATA") : Self.ok("AccessDenied", status: "403 Forbidden") }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("curl-\(UUID().uuidString).part")
        defer { try? FileManager.default.removeItem(at: file) }
        let seen = LockedCounter()
        let ok = try await transport.download(HTTPRequest(method: "GET", url: server.url("/ok")), to: file) { seen.set($0) }
        XCTAssertEqual(ok.status, 200)
        XCTAssertEqual(try Data(contentsOf: file), Data("PNGDATA".utf8))
        XCTAssertEqual(ok.body, Data())
        XCTAssertEqual(seen.value, 7, "progress reports the bytes written")

        let denied = try await transport.download(HTTPRequest(method: "GET", url: server.url("/denied")), to: file, progress: nil)
        XCTAssertEqual(denied.status, 403)
        XCTAssertEqual(String(decoding: denied.body, as: UTF8.self), "AccessDenied")
        XCTAssertEqual(try Data(contentsOf: file), Data("PNGDATA".utf8), "an error answer neither writes nor truncates the file")
    }

    func testShortBodyIsTruncated() async throws {
        try serve { _ in .raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly-this") }
        do {
            _ = try await transport.send(HTTPRequest(method: "GET", url: server.url("/f")))
            XCTFail("a short body must fail")
        } catch let error as TransportError {
            XCTAssertEqual(error, .truncated(expected: 100, received: 9))
        }
    }

    func testRefusedConnectionCannotHaveReachedTheServer() async throws {
        try serve { _ in .close }
        let url = server.url("/x")
        server.stop()
        do {
            _ = try await transport.send(HTTPRequest(method: "POST", url: url, body: Data("{}".utf8)))
            XCTFail("nothing listens")
        } catch TransportError.cannotConnect(let message) {
            XCTAssertFalse(message.isEmpty)
        }
    }

    func testClosedWithoutAnswerMayHaveReachedTheServer() async throws {
        try serve { _ in .close }
        do {
            _ = try await transport.send(HTTPRequest(method: "POST", url: server.url("/x"), body: Data("{}".utf8)))
            XCTFail("no answer")
        } catch TransportError.connectionLost {
        }
        XCTAssertEqual(server.requests.count, 1)
    }

    func testSilenceLongerThanTheTimeoutFails() async throws {
        try serve { _ in .stall(5) }
        let started = Date()
        do {
            _ = try await transport.send(HTTPRequest(method: "GET", url: server.url("/x"), timeout: 1))
            XCTFail("the server said nothing")
        } catch TransportError.connectionLost(let message) {
            XCTAssertTrue(message.contains("timed out"), message)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 4.5)
    }

    func testCancellingTheTaskStopsTheExchange() async throws {
        try serve { _ in .stall(10) }
        let url = server.url("/x")
        let transport = self.transport
        let task = Task { try await transport.send(HTTPRequest(method: "GET", url: url)) }
        try await Task.sleep(nanoseconds: 300_000_000)
        let started = Date()
        task.cancel()
        do {
            _ = try await task.value
            XCTFail("cancelled")
        } catch is CancellationError {
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 3, "libcurl checks for cancellation at least once a second")
    }
}

/// The last value a progress callback reported.
private final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var last: Int64 = 0
    func set(_ value: Int64) { lock.withLock { last = value } }
    var value: Int64 { lock.withLock { last } }
}
#endif
