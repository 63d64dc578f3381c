import Foundation
import XCTest
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import DashScopeMock

final class HTTPProtocolTests: MockTestCase {
    private let createBody = #"{"model":"wan2.2-t2i-flash","input":{"prompt":"a cat"},"parameters":{"n":1}}"#

    private func createHead(_ extra: String) -> String {
        "POST \(GenerationRoute.promptAsync.path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-t\r\n"
            + "X-DashScope-Async: enable\r\nContent-Type: application/json\r\n\(extra)\r\n"
    }

    func testExpectContinueIsAnsweredBeforeTheBody() throws {
        let connection = try RawConnection(port: server.port)
        defer { connection.disconnect() }
        connection.send(createHead("Expect: 100-continue\r\nContent-Length: \(createBody.utf8.count)\r\nConnection: close\r\n"))
        XCTAssertEqual(connection.read(until: "\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n")
        connection.send(createBody)
        let (head, body) = RawConnection.split(connection.readToEnd())
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 200 OK"), head)
        XCTAssertTrue(head.contains("Connection: close"), head)
        XCTAssertTrue(String(decoding: body, as: UTF8.self).contains("PENDING"))
        XCTAssertEqual(server.requests.last?.body, Data(createBody.utf8))
    }

    func testChunkedBodyIsReassembled() throws {
        let bytes = Array(createBody.utf8)
        let first = String(decoding: bytes[..<20], as: UTF8.self)
        let second = String(decoding: bytes[20...], as: UTF8.self)
        let chunked = "14;ext=1\r\n\(first)\r\n\(String(bytes.count - 20, radix: 16))\r\n\(second)\r\n0\r\nTrailer: x\r\n\r\n"
        let answer = try RawConnection.exchange(port: server.port, createHead("Transfer-Encoding: chunked\r\n") + chunked)
        XCTAssertTrue(RawConnection.split(answer).head.hasPrefix("HTTP/1.1 200 OK"))
        XCTAssertEqual(server.requests.last?.body, Data(createBody.utf8))
    }

    func testMalformedRequestsGet400() throws {
        let requests = [
            "NONSENSE\r\n\r\n",
            "GET /api/v1/tasks HTTP/2.0\r\n\r\n",
            "GET /x HTTP/1.1\r\nbad header line\r\n\r\n",
            "POST /x HTTP/1.1\r\nContent-Length: ten\r\n\r\n",
            "POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
            "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        ]
        for request in requests {
            let (head, body) = RawConnection.split(try RawConnection.exchange(port: server.port, request))
            XCTAssertTrue(head.hasPrefix("HTTP/1.1 400 Bad Request"), "\(request.debugDescription): \(head)")
            let json = try JSONSerialization.jsonObject(with: body) as? [String: Any]
            XCTAssertEqual(json?["code"] as? String, "BadRequest")
        }
    }

    func testOversizedBodyGets413() throws {
        let request = "POST /x HTTP/1.1\r\nContent-Length: \(HTTPRequestReader.maxBodyBytes + 1)\r\n\r\n"
        let head = RawConnection.split(try RawConnection.exchange(port: server.port, request)).head
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 413"), head)
    }

    func testDisconnectingClientsDoNotHurtTheServer() async throws {
        let silent = try RawConnection(port: server.port)
        silent.disconnect()
        let halfway = try RawConnection(port: server.port)
        halfway.send("GET /api/v1/tas")
        halfway.disconnect()
        let early = try RawConnection(port: server.port)
        early.send(createHead("Content-Length: 500\r\n") + "{")
        early.disconnect()
        server.inject(Fault(.slow, seconds: 0.3))
        let leaving = try RawConnection(port: server.port)
        leaving.send("GET /files/a/0.png HTTP/1.1\r\n\r\n")
        leaving.disconnect()
        try await Task.sleep(nanoseconds: 400_000_000)
        let reply = try await send("GET", "/api/v1/tasks")
        XCTAssertEqual(reply.status, 200)
    }

    func testStalledConnectionsDoNotBlockOthers() async throws {
        let stalled = try (0..<8).map { _ in try RawConnection(port: server.port) }
        defer { stalled.forEach { $0.disconnect() } }
        stalled.forEach { $0.send("GET /files/a/0.png HTTP/1.1\r\n") }
        try await Task.sleep(nanoseconds: 100_000_000)
        let started = Date()
        let reply = try await send("GET", "/files/b/0.png", key: nil)
        XCTAssertEqual(reply.status, 200)
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
    }

    func testLargeUploadFromURLSessionArrivesWhole() async throws {
        let prompt = String(repeating: "a", count: 2 * 1024 * 1024)
        let reply = try await post(.promptAsync, Body.prompt("wan2.2-t2i-flash", prompt))
        assertError(reply, 400, "InvalidParameter", "too long")
        let recorded = try XCTUnwrap(server.requests.last)
        XCTAssertGreaterThan(recorded.body.count, 2 * 1024 * 1024)
        XCTAssertEqual((recorded.json?["input"] as? [String: Any])?["prompt"] as? String, prompt)
    }

    func testQueryIsSplitAndDecoded() async throws {
        _ = try await send("GET", "/api/v1/tasks?model_name=wan2.2-t2i-flash&status=a%20b+c&empty=&flag")
        let recorded = try XCTUnwrap(server.requests.last)
        XCTAssertEqual(recorded.path, "/api/v1/tasks")
        XCTAssertEqual(recorded.query, ["model_name": "wan2.2-t2i-flash", "status": "a b c", "empty": "", "flag": ""])
    }

    func testConcurrentRequestsAreAllAnswered() async throws {
        let origin = server.origin
        let session: URLSession = session
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let (_, response) = try await session.data(from: URL(string: "\(origin)/files/c/\(index).png")!)
                    return (response as? HTTPURLResponse)?.statusCode ?? 0
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(statuses, Array(repeating: 200, count: 16))
    }

    func testStopClosesTheListeningSocketAndThePortCanBeReused() throws {
        let port = server.port
        server.stop()
        XCTAssertThrowsError(try RawConnection(port: port))
        let again = MockServer(options: MockOptions(port: port))
        XCTAssertEqual(try again.start(), port)
        XCTAssertEqual(again.origin, "http://127.0.0.1:\(port)")
        again.stop()
    }

    func testStartingOnABusyPortExplainsWhy() {
        let rival = MockServer(options: MockOptions(port: server.port))
        XCTAssertThrowsError(try rival.start()) { error in
            XCTAssertTrue(String(describing: error).contains("cannot listen on 127.0.0.1:\(server.port)"), "\(error)")
        }
    }

    func testReaderHandlesBytesArrivingOneAtATime() throws {
        var bytes = Array("GET /a%20b?x=1 HTTP/1.1\r\nX-Name:  Value \r\nx-name: second\r\nContent-Length: 3\r\n\r\nabc".utf8)
        var reader = HTTPRequestReader {
            bytes.isEmpty ? [] : [bytes.removeFirst()]
        }
        let request = try reader.readRequest {}
        XCTAssertEqual(request.method, "GET")
        XCTAssertEqual(request.path, "/a b")
        XCTAssertEqual(request.query, ["x": "1"])
        XCTAssertEqual(request.header("X-NAME"), "Value, second")
        XCTAssertEqual(request.body, Data("abc".utf8))
    }

    func testReaderAcceptsAbsoluteTargets() throws {
        let (path, query) = try HTTPRequestReader.splitTarget("http://127.0.0.1:1/files/a/0.png?k=v#frag")
        XCTAssertEqual(path, "/files/a/0.png")
        XCTAssertEqual(query, ["k": "v"])
    }
}
