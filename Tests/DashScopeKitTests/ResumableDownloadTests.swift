#if os(Linux)
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import DashScopeKit

/// A task's partial download outlives the run that started it: the next run continues it with `Range` and `If-Range`,
/// starts over when the server's file changed or `Range` is ignored, and never commits a file of the wrong size.
final class ResumableDownloadTests: XCTestCase {
    private var server: CannedHTTPServer!
    /// ASCII, so canned answers can carry it as text.
    private static let content = Data((0..<1000).map { UInt8(65 + ($0 * 13) % 26) })

    override func tearDown() {
        server?.stop()
        super.tearDown()
    }

    /// Serves `content` with ETag `etag`: a Range from N answers 206 (unless `ignoreRange`), unless `If-Range` names
    /// another ETag; `total` overrides the size a 206's Content-Range announces.
    private func serve(etag: String = "\"v1\"", ignoreRange: Bool = false, total: Int? = nil) throws {
        let content = Self.content
        server = try CannedHTTPServer { request in
            let sameFile = request.header("if-range").map { $0 == etag } ?? true
            if let range = request.header("range"), !ignoreRange, sameFile {
                let start = Int(range.dropFirst("bytes=".count).dropLast()) ?? 0
                let body = content[start...]
                return .raw("HTTP/1.1 206 Partial Content\r\nETag: \(etag)\r\nContent-Range: bytes \(start)-\(content.count - 1)/\(total ?? content.count)\r\n"
                    + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n" + String(decoding: body, as: UTF8.self))
            }
            return .script { connection in
                _ = connection.send("HTTP/1.1 200 OK\r\nETag: \(etag)\r\nContent-Length: \(content.count)\r\nConnection: close\r\n\r\n")
                _ = connection.send(content)
            }
        }
    }

    private func downloader() -> Downloader {
        Downloader(transport: CurlTransport(), retrier: Retrier(sleeper: RecordingSleeper(), random: { 0.5 }))
    }

    /// Leaves what a killed run leaves: the first `bytes` of the file in `.dashscope-KEY.part`, and its `.source`.
    private func leavePartial(in dir: String, key: String = "task1-1", bytes: Int = 400, source: String = "1000\n\"v1\"\n") {
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/.dashscope-\(key).part", contents: Self.content.prefix(bytes)))
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/.dashscope-\(key).part.source", contents: Data(source.utf8)))
    }

    private func fetch(_ dir: String, key: String? = "task1-1") async throws -> Result<String, DashScopeError> {
        let job = DownloadJob(url: server.url("/files/task1/0.mp4").absoluteString, destination: dir + "/clip.mp4", resumeKey: key)
        return try await downloader().fetch([job], force: false)[0]
    }

    func testAPartialLeftByAnEarlierRunIsContinuedWithRangeAndIfRange() async throws {
        try serve()
        let dir = try temporaryDirectory(self)
        leavePartial(in: dir)
        let saved = try await fetch(dir)
        XCTAssertEqual(try saved.get(), dir + "/clip.mp4")
        XCTAssertTrue(FileManager.default.contents(atPath: dir + "/clip.mp4") == Self.content)
        XCTAssertEqual(server.requests.map { $0.header("range") }, ["bytes=400-"])
        XCTAssertEqual(server.requests.first?.header("if-range"), "\"v1\"")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["clip.mp4"], "the partial and its .source are gone")
    }

    func testAFileChangedOnTheServerIsFetchedWhole() async throws {
        try serve(etag: "\"v2\"")
        let dir = try temporaryDirectory(self)
        leavePartial(in: dir)
        let saved = try await fetch(dir)
        XCTAssertEqual(try saved.get(), dir + "/clip.mp4")
        XCTAssertTrue(FileManager.default.contents(atPath: dir + "/clip.mp4") == Self.content, "the new file, not a mix")
        XCTAssertEqual(server.requests.count, 1, "If-Range made the server send the whole new file at once")
    }

    func testAFileOfAnotherSizeStartsOverWithoutValidators() async throws {
        try serve(etag: "\"v1\"", total: 1000)
        let dir = try temporaryDirectory(self)
        leavePartial(in: dir, source: "2000\n\n")
        let saved = try await fetch(dir)
        XCTAssertEqual(try saved.get(), dir + "/clip.mp4")
        XCTAssertTrue(FileManager.default.contents(atPath: dir + "/clip.mp4") == Self.content)
        XCTAssertEqual(server.requests.map { $0.header("range") }, ["bytes=400-", nil], "the 206 of another file was refused, then the whole file fetched")
    }

    func testAServerIgnoringRangeReplacesThePartial() async throws {
        try serve(ignoreRange: true)
        let dir = try temporaryDirectory(self)
        leavePartial(in: dir)
        let saved = try await fetch(dir)
        XCTAssertEqual(try saved.get(), dir + "/clip.mp4")
        XCTAssertTrue(FileManager.default.contents(atPath: dir + "/clip.mp4") == Self.content, "the 200 is not appended to the partial")
    }

    func testAFileShorterThanAnnouncedGetsNoFinalName() async throws {
        try serve(total: 1500)
        let dir = try temporaryDirectory(self)
        leavePartial(in: dir, source: "\n\n")
        let result = try await fetch(dir)
        XCTAssertThrowsError(try result.get()) { XCTAssertTrue(($0 as? DashScopeError)?.message.contains("1000 bytes, the server announced 1500") ?? false, "\($0)") }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "neither a final file nor a suspect partial")
    }

    func testAPartialInUseByAnotherRunIsLeftAlone() async throws {
        try serve()
        let dir = try temporaryDirectory(self)
        leavePartial(in: dir)
        let held = try XCTUnwrap(Downloader.openResumable(in: dir, key: "task1-1"))
        defer { close(held.lock) }
        let saved = try await fetch(dir)
        XCTAssertEqual(try saved.get(), dir + "/clip.mp4")
        XCTAssertTrue(FileManager.default.contents(atPath: dir + "/clip.mp4") == Self.content)
        XCTAssertEqual(server.requests.map { $0.header("range") }, [nil], "a temporary file of its own, from byte 0")
        XCTAssertEqual(FileManager.default.contents(atPath: dir + "/.dashscope-task1-1.part"), Self.content.prefix(400), "untouched")
    }

    func testADownloadThatCannotFinishKeepsItsPartialForTheNextRun() async throws {
        let content = Self.content
        server = try CannedHTTPServer { _ in
            .raw("HTTP/1.1 200 OK\r\nContent-Length: \(content.count)\r\nConnection: close\r\n\r\n" + String(decoding: content.prefix(300), as: UTF8.self))
        }
        let dir = try temporaryDirectory(self)
        let job = DownloadJob(url: server.url("/files/task1/0.mp4").absoluteString, destination: dir + "/clip.mp4", resumeKey: "task1-1")
        let policy = RetryPolicy(maxAttempts: 2)
        let downloader = Downloader(transport: CurlTransport(), retrier: Retrier(policy: policy, sleeper: RecordingSleeper(), random: { 0.5 }))
        let result = try await downloader.fetch([job], force: false)[0]
        XCTAssertThrowsError(try result.get())
        XCTAssertEqual(FileManager.default.contents(atPath: dir + "/.dashscope-task1-1.part"), content.prefix(300))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/clip.mp4"))
    }

    func testAPartialThatIsAlreadyCompleteIsSavedWithoutFetchingAgain() async throws {
        server = try CannedHTTPServer { _ in .raw("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */1000\r\nContent-Length: 0\r\nConnection: close\r\n\r\n") }
        let dir = try temporaryDirectory(self)
        leavePartial(in: dir, bytes: 1000)
        let saved = try await fetch(dir)
        XCTAssertEqual(try saved.get(), dir + "/clip.mp4")
        XCTAssertTrue(FileManager.default.contents(atPath: dir + "/clip.mp4") == Self.content)
        XCTAssertEqual(server.requests.count, 1)
    }

    func testAResumeKeyThatIsNotAPlainNameIsIgnored() {
        XCTAssertNil(DownloadJob(url: "https://x/y", destination: "/tmp/y", resumeKey: "../evil").resumeKey)
        XCTAssertEqual(DownloadJob(url: "https://x/y", destination: "/tmp/y", resumeKey: "abc-1").resumeKey, "abc-1")
    }
}
#endif
