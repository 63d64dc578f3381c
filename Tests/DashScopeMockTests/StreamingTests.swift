import Foundation
import XCTest
@testable import DashScopeMock

/// The spooled request bodies now in the temporary directory.
func spooledFiles() throws -> Set<String> {
    Set(try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())
        .filter { $0.hasPrefix("dashscope-mock-body-") })
}

/// Chunked and event-stream writing, and request bodies too large for memory.
final class StreamingTests: XCTestCase {
    func testChunkWriterFramesEachWriteAndStopsAfterAFailure() {
        var sent: [String] = []
        var accept = true
        let writer = ChunkWriter { data in
            sent.append(String(decoding: data, as: UTF8.self))
            return accept
        }
        XCTAssertTrue(writer.write(Data("hello".utf8)))
        XCTAssertTrue(writer.write(Data()), "an empty write sends nothing (it would end the body)")
        XCTAssertTrue(writer.write(Data(repeating: 0x61, count: 26)))
        XCTAssertEqual(sent, ["5\r\nhello\r\n", "1a\r\n" + String(repeating: "a", count: 26) + "\r\n"])
        XCTAssertTrue(writer.finish())
        XCTAssertEqual(sent.last, "0\r\n\r\n")
        accept = false
        let failing = ChunkWriter { _ in accept }
        XCTAssertFalse(failing.write(Data("x".utf8)))
        accept = true
        XCTAssertFalse(failing.write(Data("y".utf8)), "nothing more after a failure")
        XCTAssertFalse(failing.finish())
    }

    func testEventWriterSendsOneChunkPerEvent() throws {
        var sent: [Data] = []
        let events = EventWriter(chunks: ChunkWriter { sent.append($0); return true }, style: .compact)
        events.send(#"{"a":1}"#)
        events.send("two\nlines", event: "result", id: "7")
        EventWriter(chunks: ChunkWriter { sent.append($0); return true }, style: .spaced).send("x", event: "e")
        XCTAssertEqual(sent.count, 3)
        XCTAssertEqual(String(decoding: try Dechunk.decode(sent[2] + Data("0\r\n\r\n".utf8)), as: UTF8.self),
                       "event: e\ndata: x\n\n")
        XCTAssertEqual(String(decoding: try Dechunk.decode(sent[0] + Data("0\r\n\r\n".utf8)), as: UTF8.self),
                       "data:{\"a\":1}\n\n")
        XCTAssertEqual(String(decoding: try Dechunk.decode(sent[1] + Data("0\r\n\r\n".utf8)), as: UTF8.self),
                       "id:7\nevent:result\ndata:two\ndata:lines\n\n")
    }

    func testBodiesOverTheLimitAreSpooledAndRemovedWithTheRequest() throws {
        let before = try spooledFiles()
        let body = String(repeating: "0123456789", count: 10)
        for framing in ["Content-Length: 100\r\n\r\n" + body, "Transfer-Encoding: chunked\r\n\r\n64\r\n\(body)\r\n0\r\n\r\n"] {
            var bytes = Array("POST /x HTTP/1.1\r\n\(framing)".utf8)[...]
            var reader = HTTPRequestReader(memoryLimit: 30) {
                let piece = Array(bytes.prefix(7))
                bytes = bytes.dropFirst(7)
                return piece
            }
            var request: HTTPRequest? = try reader.readRequest {}
            let path = try XCTUnwrap(request?.spooled?.path, framing)
            XCTAssertEqual(request?.body, Data(), "nothing kept in memory")
            XCTAssertEqual(request?.bodyLength, 100)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data(body.utf8))
            XCTAssertEqual(request?.bodyData(), Data(body.utf8))
            request = nil
            _ = request
            XCTAssertFalse(FileManager.default.fileExists(atPath: path), "removed with the request")
        }
        XCTAssertEqual(try spooledFiles(), before)
    }

    func testBodyAtTheLimitStaysInMemory() throws {
        var bytes = Array("POST /x HTTP/1.1\r\nContent-Length: 30\r\n\r\n".utf8) + [UInt8](repeating: 0x41, count: 30)
        var reader = HTTPRequestReader(memoryLimit: 30) {
            defer { bytes = [] }
            return bytes
        }
        let request = try reader.readRequest {}
        XCTAssertNil(request.spooled)
        XCTAssertEqual(request.body.count, 30)
    }

    func testAnAbandonedSpoolIsRemoved() throws {
        let before = try spooledFiles()
        var bytes = Array("POST /x HTTP/1.1\r\nContent-Length: 100\r\n\r\n".utf8) + [UInt8](repeating: 0x41, count: 50)
        var reader = HTTPRequestReader(memoryLimit: 10) {
            defer { bytes = [] }
            return bytes
        }
        XCTAssertThrowsError(try reader.readRequest {}) { error in
            XCTAssertEqual(error as? HTTPRequestError, .malformed("the request ended early"))
        }
        XCTAssertEqual(try spooledFiles(), before)
    }
}

final class LargeBodyTests: MockTestCase {
    func testABodyOver64MegabytesIsReceivedWholeAndItsSpoolRemoved() throws {
        let before = try spooledFiles()
        let length = HTTPRequestReader.memoryBodyBytes + 1
        let connection = try RawConnection(port: server.port)
        defer { connection.disconnect() }
        connection.send("PUT /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: \(length)\r\n\r\n")
        let piece = Data(repeating: 0x62, count: 1024 * 1024)
        var unsent = length
        while unsent > 0 {
            Socket.send(connection.descriptor, piece.prefix(unsent))
            unsent -= min(unsent, piece.count)
        }
        let head = RawConnection.split(connection.readToEnd()).head
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 404"), head)
        XCTAssertEqual(server.requests.last?.bodyLength, length)
        XCTAssertEqual(server.requests.last?.body, Data(), "spooled, not kept")
        var left = 100
        while try spooledFiles() != before, left > 0 {
            usleep(20_000)
            left -= 1
        }
        XCTAssertEqual(try spooledFiles(), before, "the spool is removed once answered")
    }
}
