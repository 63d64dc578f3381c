#if os(Linux)
import Foundation
import XCTest
@testable import DashScopeKit

/// Request bodies from a file and multipart forms, sent from disk; answers streamed to a closure as they arrive.
final class TransportBodyTests: XCTestCase {
    private var server: CannedHTTPServer!
    private let transport = CurlTransport()

    override func tearDown() {
        server?.stop()
        super.tearDown()
    }

    private func serveOK() throws {
        server = try CannedHTTPServer { _ in .raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok") }
    }

    /// A file of `count` bytes that are not all alike, so a misplaced buffer shows.
    private func makeFile(_ count: Int) throws -> (String, Data) {
        let dir = try temporaryDirectory(self)
        let data = Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 977) })
        let path = dir + "/input.bin"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: data))
        return (path, data)
    }

    func testAFileBodyIsSentAsItIsOnDisk() async throws {
        try serveOK()
        let (path, data) = try makeFile(3 << 20)
        let request = HTTPRequest(method: "PUT", url: server.url("/upload"), headers: [("Content-Type", "application/octet-stream")],
                                  content: .file(path))
        let response = try await transport.send(request)
        XCTAssertEqual(response.status, 200)
        let received = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(received.method, "PUT")
        XCTAssertEqual(received.header("content-length"), String(data.count))
        XCTAssertEqual(received.header("content-type"), "application/octet-stream")
        XCTAssertTrue(received.body == data, "the bytes arrive unchanged and in order")
    }

    func testAMissingFileIsRefusedBeforeConnecting() async throws {
        try serveOK()
        do {
            _ = try await transport.send(HTTPRequest(method: "POST", url: server.url("/x"), content: .file("/nonexistent/input.bin")))
            XCTFail("nothing to send")
        } catch let error as TransportError {
            guard case let .readFailed(message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("/nonexistent/input.bin"), message)
        }
        XCTAssertEqual(server.connections, 0)
    }

    func testAMultipartFormSendsTheFieldsInOrderThenTheFile() async throws {
        try serveOK()
        let (path, data) = try makeFile(200_000)
        let fields = [("OSSAccessKeyId", "LTAI-id"), ("Signature", "c2ln"), ("policy", "eyJ9"), ("key", "dashscope-instant/abc/7f-cat.png"),
                      ("x-oss-object-acl", "private"), ("x-oss-forbid-overwrite", "true"), ("success_action_status", "200"),
                      ("x-oss-content-type", "image/png")]
        let form = MultipartForm(fields: fields, file: .init(path: path, filename: "7f-cat.png", contentType: "image/png"))
        _ = try await transport.send(HTTPRequest(method: "POST", url: server.url("/oss"), content: .multipart(form)))
        let received = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(received.header("content-type"), "multipart/form-data; boundary=\(form.boundary)")
        XCTAssertNil(received.header("authorization"))
        let parts = Self.parts(of: received.body, boundary: form.boundary)
        XCTAssertEqual(parts.map(\.name), fields.map(\.0) + ["file"], "fields in order, the file last")
        for (part, field) in zip(parts, fields) { XCTAssertEqual(part.body, Data(field.1.utf8), field.0) }
        let file = try XCTUnwrap(parts.last)
        XCTAssertTrue(file.head.contains("filename=\"7f-cat.png\""), file.head)
        XCTAssertTrue(file.head.contains("Content-Type: image/png"), file.head)
        XCTAssertTrue(file.body == data, "the file part is the file")
        XCTAssertEqual(received.header("content-length"), String(received.body.count))
    }

    /// The parts of a multipart body: header block, `name` parameter and content.
    private static func parts(of body: Data, boundary: String) -> [(head: String, name: String, body: Data)] {
        let separator = Data("--\(boundary)".utf8)
        var pieces: [Data] = []
        var rest = body[...]
        while let range = rest.range(of: separator) {
            pieces.append(Data(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        XCTAssertTrue(rest.starts(with: Data("--\r\n".utf8)), "the form ends with the closing boundary")
        return pieces.dropFirst().compactMap { piece in
            guard let split = piece.range(of: Data("\r\n\r\n".utf8)) else { return nil }
            let head = String(decoding: piece[..<split.lowerBound], as: UTF8.self)
            let name = head.components(separatedBy: "name=\"").dropFirst().first?.components(separatedBy: "\"").first ?? ""
            return (head, name, Data(piece[split.upperBound..<(piece.endIndex - 2)]))
        }
    }

    func testStreamDeliversChunksBeforeTheAnswerEnds() async throws {
        let firstSeen = DispatchSemaphore(value: 0)
        let waitedForClient = Locked(false)
        server = try CannedHTTPServer { _ in
            .script { connection in
                connection.send("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
                connection.send("9\r\ndata: 1\n\n\r\n")
                // The rest is only sent once the client has seen the first event (or after 10 s, failing the test).
                waitedForClient.mutate { $0 = firstSeen.wait(timeout: .now() + 10) == .success }
                connection.send("9\r\ndata: 2\n\n\r\n0\r\n\r\n")
            }
        }
        let chunks = Locked<[String]>([])
        let response = try await transport.stream(HTTPRequest(method: "POST", url: server.url("/sse"), body: Data("{}".utf8))) { data in
            chunks.mutate { $0.append(String(decoding: data, as: UTF8.self)) }
            if chunks.value.count == 1 { firstSeen.signal() }
        }
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body, Data(), "a streamed body is not kept")
        XCTAssertEqual(chunks.value.joined(), "data: 1\n\ndata: 2\n\n")
        XCTAssertTrue(waitedForClient.value, "the first event was delivered while the answer was still open")
    }

    func testEventsThatArriveTogetherAreHandedOverTogether() async throws {
        let events = (1...40).map { "data: \($0)\n\n" }
        server = try CannedHTTPServer { _ in
            .script { connection in
                let chunks = events.map { String(String($0.utf8.count, radix: 16)) + "\r\n" + $0 + "\r\n" }.joined()
                connection.send("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + chunks + "0\r\n\r\n")
            }
        }
        let pieces = Locked<[String]>([])
        let response = try await transport.stream(HTTPRequest(method: "GET", url: server.url("/sse"))) { bytes in
            pieces.mutate { $0.append(String(decoding: bytes, as: UTF8.self)) }
        }
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(pieces.value.joined(), events.joined(), "every byte, in order")
        XCTAssertLessThan(pieces.value.count, 10, "forty chunks read in one go are handed over in a few calls, not forty")
    }

    func testEverythingReadBeforeAStreamIsCutIsHandedOver() async throws {
        let events = (1...25).map { "data: \($0)\n\n" }
        let chunked = events.map { String($0.utf8.count, radix: 16) + "\r\n" + $0 + "\r\n" }
        for paced in [false, true] {
            server?.stop()
            server = try CannedHTTPServer { _ in
                .script { connection in
                    connection.send("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
                    for chunk in chunked {
                        connection.send(chunk)
                        if paced { usleep(300) }
                    }
                    // No last chunk: the connection closes mid-answer.
                }
            }
            let pieces = Locked<[String]>([])
            do {
                _ = try await transport.stream(HTTPRequest(method: "GET", url: server.url("/sse"))) { bytes in
                    pieces.mutate { $0.append(String(decoding: bytes, as: UTF8.self)) }
                }
                XCTFail("a cut answer fails")
            } catch is TransportError {
            }
            XCTAssertEqual(pieces.value.joined(), events.joined(), "paced \(paced): every event sent before the cut arrives")
        }
    }

    func testAStreamThatNeverEndsStopsWhenItsTaskIsCancelledOrItsDeadlinePasses() async throws {
        server = try CannedHTTPServer { _ in
            .script { connection in
                connection.send("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
                for _ in 0..<300 where connection.send("9\r\ndata: x\n\n\r\n") { usleep(20_000) }
            }
        }
        let started = Date()
        let transport = self.transport
        let url = server.url("/sse")
        let task = Task {
            try await transport.stream(HTTPRequest(method: "GET", url: url)) { _ in }
        }
        try await Task.sleep(nanoseconds: 300_000_000)
        task.cancel()
        do {
            _ = try await task.value
            XCTFail("a cancelled stream does not end normally")
        } catch is CancellationError {
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 3, "cancelled within a second or so, not at the stream's end")

        var request = HTTPRequest(method: "GET", url: server.url("/sse"))
        request.deadline = Date().addingTimeInterval(0.5)
        do {
            _ = try await transport.stream(request) { _ in }
            XCTFail("the deadline ends the stream")
        } catch let error as TransportError {
            guard case .deadlineReached = error else { return XCTFail("\(error)") }
        }
    }

    func testStreamReturnsAnErrorAnswerWholeAndStopsWhenTheConsumerThrows() async throws {
        server = try CannedHTTPServer { request in
            request.path == "/denied"
                ? .raw("HTTP/1.1 400 Bad Request\r\nContent-Length: 27\r\nConnection: close\r\n\r\n{\"code\":\"InvalidParameter\"}")
                : .raw("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nevents")
        }
        let delivered = Locked(0)
        let denied = try await transport.stream(HTTPRequest(method: "GET", url: server.url("/denied"))) { _ in delivered.mutate { $0 += 1 } }
        XCTAssertEqual(denied.status, 400)
        XCTAssertEqual(String(decoding: denied.body, as: UTF8.self), #"{"code":"InvalidParameter"}"#)
        XCTAssertEqual(delivered.value, 0, "an error answer is not handed to the consumer")

        struct Enough: Error {}
        do {
            _ = try await transport.stream(HTTPRequest(method: "GET", url: server.url("/ok"))) { _ in throw Enough() }
            XCTFail("the consumer's error ends the stream")
        } catch is Enough {
        }
    }
}
#endif
