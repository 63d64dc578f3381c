import Foundation
import XCTest
@testable import DashScopeMock

/// Connections stay open between requests, as a client polling over one connection needs.
final class KeepAliveTests: MockTestCase {
    private let poll = "GET /api/v1/tasks/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-t\r\n\r\n"

    /// Reads one whole answer with a Content-Length body from a kept-alive connection.
    private func readAnswer(_ connection: RawConnection) -> (head: String, body: Data) {
        var received = Data()
        while true {
            let (head, body) = RawConnection.split(received)
            if let lengthLine = head.split(separator: "\r\n").first(where: { $0.hasPrefix("Content-Length: ") }),
               let length = Int(lengthLine.dropFirst("Content-Length: ".count)), body.count >= length {
                return (head, body)
            }
            let bytes = Socket.receive(connection.descriptor)
            guard !bytes.isEmpty else {
                return RawConnection.split(received)
            }
            received.append(contentsOf: bytes)
        }
    }

    func testPollsShareOneConnectionUntilTheClientAsksToClose() throws {
        let connection = try RawConnection(port: server.port)
        defer { connection.disconnect() }
        for _ in 0..<3 {
            connection.send(poll)
            let (head, body) = readAnswer(connection)
            XCTAssertTrue(head.hasPrefix("HTTP/1.1 200") && head.contains("Connection: keep-alive"), head)
            XCTAssertTrue(String(decoding: body, as: UTF8.self).contains("UNKNOWN"))
        }
        connection.send(poll.replacingOccurrences(of: "Host: x\r\n", with: "Host: x\r\nConnection: close\r\n"))
        let last = RawConnection.split(connection.readToEnd())
        XCTAssertTrue(last.head.contains("Connection: close"), last.head)
        XCTAssertEqual(server.connectionCount, 1)
        XCTAssertEqual(server.pollCount("x"), 4)
    }

    func testPipelinedRequestsAreAnsweredInOrder() throws {
        let connection = try RawConnection(port: server.port)
        defer { connection.disconnect() }
        connection.send(poll + poll.replacingOccurrences(of: "tasks/x", with: "tasks/y"))
        let first = readAnswer(connection)
        let second = readAnswer(connection)
        XCTAssertTrue(String(decoding: first.body, as: UTF8.self).contains(#""task_id":"x""#))
        XCTAssertTrue(String(decoding: second.body, as: UTF8.self).contains(#""task_id":"y""#))
    }

    func testHTTP10AndCutAnswersClose() throws {
        let old = try RawConnection.exchange(port: server.port, "GET /files/a/0.png HTTP/1.0\r\nConnection: x\r\n\r\n")
        XCTAssertTrue(RawConnection.split(old).head.contains("Connection: close"))
        server.inject(Fault(.truncate))
        let connection = try RawConnection(port: server.port)
        defer { connection.disconnect() }
        connection.send("GET /files/a/0.png HTTP/1.1\r\nHost: x\r\n\r\n")
        let (head, body) = RawConnection.split(connection.readToEnd())
        XCTAssertTrue(head.contains("Connection: close"), head)
        XCTAssertEqual(body.count, PNG.picture(id: "a", index: 0).count / 2, "the server closed after the cut answer")
    }

    func testStopCutsIdleKeptAliveConnections() throws {
        let connection = try RawConnection(port: server.port)
        defer { connection.disconnect() }
        connection.send(poll)
        _ = readAnswer(connection)
        server.stop()
        XCTAssertEqual(connection.readToEnd(), Data(), "closed by stop, not left waiting")
    }
}
