#if os(Linux)
import Foundation
import XCTest
@testable import DashScopeKit

/// Downloads through libcurl: `Range` resume after a dropped connection, answers that are not a file, deadlines
/// and stalls.
final class TransportDownloadTests: XCTestCase {
    private var server: CannedHTTPServer!
    private let transport = CurlTransport()
    private static let content = Data((0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) })

    override func tearDown() {
        server?.stop()
        super.tearDown()
    }

    private func file() throws -> URL {
        URL(fileURLWithPath: try temporaryDirectory(self) + "/.part")
    }

    /// The first answer sends half the file and closes; later ones honour `Range` (or, with `ignoreRange`, send it all).
    private func serveHalfThenResume(ignoreRange: Bool = false) throws {
        let content = Self.content
        server = try CannedHTTPServer { request in
            .script { connection in
                let head = "HTTP/1.1 200 OK\r\nContent-Length: \(content.count)\r\nConnection: close\r\n\r\n"
                guard let range = request.header("range"), !ignoreRange else {
                    let whole = ignoreRange && request.header("range") != nil
                    connection.send(Data(head.utf8) + (whole ? content : content.prefix(500)))
                    return
                }
                let start = Int(range.dropFirst("bytes=".count).dropLast()) ?? 0
                connection.send("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes \(start)-\(content.count - 1)/\(content.count)\r\n"
                    + "Content-Length: \(content.count - start)\r\nConnection: close\r\n\r\n")
                connection.send(content[start...])
            }
        }
    }

    func testADroppedDownloadResumesWithRange() async throws {
        try serveHalfThenResume()
        let file = try file()
        let request = HTTPRequest(method: "GET", url: server.url("/r/0.png"))
        do {
            _ = try await transport.download(request, to: file, progress: nil)
            XCTFail("half a file")
        } catch let error as TransportError {
            XCTAssertEqual(error, .truncated(expected: 1000, received: 500))
        }
        XCTAssertEqual(try Data(contentsOf: file), Self.content.prefix(500), "the received half is kept")
        let sizes = Locked<[Int64]>([])
        let response = try await transport.download(request, to: file, resumeFrom: 500) { size in sizes.mutate { $0.append(size) } }
        XCTAssertEqual(response.status, 206)
        XCTAssertEqual(server.requests.last?.header("range"), "bytes=500-")
        XCTAssertTrue(try Data(contentsOf: file) == Self.content, "the file ends complete")
        XCTAssertEqual(sizes.value.last, 1000, "progress counts the whole file")
    }

    func testAServerIgnoringRangeStartsTheFileOver() async throws {
        try serveHalfThenResume(ignoreRange: true)
        let file = try file()
        _ = try? await transport.download(HTTPRequest(method: "GET", url: server.url("/x")), to: file, progress: nil)
        let response = try await transport.download(HTTPRequest(method: "GET", url: server.url("/x")), to: file, resumeFrom: 500, progress: nil)
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(try Data(contentsOf: file) == Self.content, "a 200 replaces the part, it is not appended")
    }

    func testTheDownloaderResumesAcrossRetries() async throws {
        try serveHalfThenResume()
        let dir = try temporaryDirectory(self)
        let sleeper = RecordingSleeper()
        let downloader = Downloader(transport: transport, retrier: Retrier(sleeper: sleeper, random: { 0.5 }))
        let results = try await downloader.fetch([DownloadJob(url: server.url("/r/0.png").absoluteString, destination: dir + "/cat.png")],
                                                 force: false)
        XCTAssertEqual(try results[0].get(), dir + "/cat.png")
        XCTAssertTrue(FileManager.default.contents(atPath: dir + "/cat.png") == Self.content)
        XCTAssertEqual(server.requests.map { $0.header("range") }, [nil, "bytes=500-"])
        XCTAssertEqual(sleeper.recorded.count, 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["cat.png"], "no .part file is left")
    }

    func testAnswersWithoutAFileFail() async throws {
        server = try CannedHTTPServer { request in
            switch request.path {
            case "/204": return .raw("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
            case "/empty": return .raw("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            default: return .raw("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-3/10\r\nContent-Length: 4\r\nConnection: close\r\n\r\nPART")
            }
        }
        for path in ["/204", "/empty", "/206"] {
            let file = try file()
            do {
                _ = try await transport.download(HTTPRequest(method: "GET", url: server.url(path)), to: file, progress: nil)
                XCTFail("\(path) is not a file")
            } catch let error as TransportError {
                guard case .badDownload = error else { return XCTFail("\(path): \(error)") }
                XCTAssertFalse(error.isRetryable(.idempotent))
            }
            XCTAssertEqual(try Data(contentsOf: file), Data(), path)
        }
        let file = try file()
        XCTAssertTrue(FileManager.default.createFile(atPath: file.path, contents: Data("0123456789".utf8)))
        do {
            _ = try await transport.download(HTTPRequest(method: "GET", url: server.url("/206")), to: file, resumeFrom: 8, progress: nil)
            XCTFail("a 206 from byte 0 does not continue a file of 8 bytes")
        } catch TransportError.badDownload(let message) {
            XCTAssertTrue(message.contains("byte 0, not 8"), message)
        }
        let dir = try temporaryDirectory(self)
        let results = try await Downloader(transport: transport, retrier: Retrier(sleeper: RecordingSleeper()))
            .fetch(["/204", "/empty", "/206"].map { DownloadJob(url: server.url($0).absoluteString, destination: dir + "\($0).png") }, force: false)
        for result in results { XCTAssertThrowsError(try result.get()) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "no 0-byte output, no .part file")
    }

    /// Headers promising a large body, then one byte every 100 ms until the client leaves.
    private func serveTrickle() throws {
        server = try CannedHTTPServer { _ in
            .script { connection in
                guard connection.send("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\nConnection: close\r\n\r\n") else { return }
                while connection.send("x") { usleep(100_000) }
            }
        }
    }

    func testTheDeadlineStopsASlowDownload() async throws {
        try serveTrickle()
        let request = HTTPRequest(method: "GET", url: server.url("/slow"), deadline: Date().addingTimeInterval(1.5))
        do {
            _ = try await transport.download(request, to: try file(), progress: nil)
            XCTFail("a 1 MB file at 10 bytes/s cannot finish in 1.5 s")
        } catch let error as TransportError {
            XCTAssertEqual(error, .deadlineReached(sent: true))
        }
        let past = HTTPRequest(method: "GET", url: server.url("/slow"), deadline: Date().addingTimeInterval(-1))
        let before = server.connections
        do {
            _ = try await transport.send(past)
            XCTFail("already too late")
        } catch let error as TransportError {
            XCTAssertEqual(error, .deadlineReached(sent: false))
        }
        XCTAssertEqual(server.connections, before, "nothing is sent after the deadline")
    }

    func testAFarDeadlineIsNoLimit() async throws {
        server = try CannedHTTPServer { _ in .raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok") }
        for deadline in [Date.distantFuture, Date(timeIntervalSinceNow: .infinity)] {
            let response = try await transport.send(HTTPRequest(method: "GET", url: server.url("/x"), deadline: deadline))
            XCTAssertEqual(response.status, 200)
        }
    }

    func testAStalledDownloadIsAbandoned() async throws {
        try serveTrickle()
        let transport = CurlTransport(downloadStall: StallRule(bytesPerSecond: 1024, seconds: 1))
        do {
            _ = try await transport.download(HTTPRequest(method: "GET", url: server.url("/slow")), to: try file(), progress: nil)
            XCTFail("10 bytes/s is a stall")
        } catch let error as TransportError {
            guard case let .connectionLost(message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("too slow"), message)
            XCTAssertTrue(error.isRetryable(.idempotent), "a stalled download is tried again")
        }
    }

    func testADownloadNeverWritesThroughASymlink() async throws {
        server = try CannedHTTPServer { _ in .raw("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nnew") }
        let dir = try temporaryDirectory(self)
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/secret", contents: Data("keep".utf8)))
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.part", withDestinationPath: dir + "/secret")
        do {
            _ = try await transport.download(HTTPRequest(method: "GET", url: server.url("/x")), to: URL(fileURLWithPath: dir + "/link.part"),
                                             progress: nil)
            XCTFail("a symlink is not a download target")
        } catch TransportError.writeFailed {
        }
        XCTAssertEqual(FileManager.default.contents(atPath: dir + "/secret"), Data("keep".utf8))
    }
}
#endif
