import Foundation
import XCTest
@testable import DashScopeKit

final class DownloaderTests: XCTestCase {
    private func write(_ text: String, to path: String) {
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
    }

    private func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    private func listing(_ dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    }

    // MARK: commit

    func testCommitMovesTheTempFileToAFreeName() throws {
        let dir = try temporaryDirectory(self)
        write("new", to: dir + "/.t.part")
        let result = Downloader.commit(dir + "/.t.part", to: dir + "/cat.png", force: false)
        XCTAssertEqual(try result.get(), dir + "/cat.png")
        XCTAssertEqual(read(dir + "/cat.png"), "new")
        XCTAssertEqual(try listing(dir), ["cat.png"], "the temp file is gone")
    }

    func testCommitNeverOverwritesWithoutForce() throws {
        let dir = try temporaryDirectory(self)
        write("old", to: dir + "/cat.png")
        write("older", to: dir + "/cat-2.png")
        write("new", to: dir + "/.t.part")
        let result = Downloader.commit(dir + "/.t.part", to: dir + "/cat.png", force: false)
        XCTAssertEqual(try result.get(), dir + "/cat-3.png")
        XCTAssertEqual(read(dir + "/cat.png"), "old")
        XCTAssertEqual(read(dir + "/cat-2.png"), "older")
        XCTAssertEqual(read(dir + "/cat-3.png"), "new")
        XCTAssertEqual(try listing(dir), ["cat-2.png", "cat-3.png", "cat.png"], "the temp file is gone")
    }

    func testCommitAddsDash2ForTheFirstClash() throws {
        let dir = try temporaryDirectory(self)
        write("old", to: dir + "/cat.png")
        write("new", to: dir + "/.t.part")
        XCTAssertEqual(try Downloader.commit(dir + "/.t.part", to: dir + "/cat.png", force: false).get(), dir + "/cat-2.png")
    }

    func testCommitOverwritesWithForce() throws {
        let dir = try temporaryDirectory(self)
        write("old", to: dir + "/cat.png")
        write("new", to: dir + "/.t.part")
        let result = Downloader.commit(dir + "/.t.part", to: dir + "/cat.png", force: true)
        XCTAssertEqual(try result.get(), dir + "/cat.png")
        XCTAssertEqual(read(dir + "/cat.png"), "new")
        XCTAssertEqual(try listing(dir), ["cat.png"])
    }

    func testCommitIntoAMissingDirectoryFailsWith73() throws {
        let dir = try temporaryDirectory(self)
        write("new", to: dir + "/.t.part")
        for force in [false, true] {
            let result = Downloader.commit(dir + "/.t.part", to: dir + "/nope/cat.png", force: force)
            XCTAssertThrowsError(try result.get()) { XCTAssertEqual(($0 as? DashScopeError)?.exitCode, .cannotWrite) }
        }
    }

    // MARK: fetch

    private func downloader(_ transport: FakeTransport, sleeper: RecordingSleeper = RecordingSleeper()) -> Downloader {
        Downloader(transport: transport, retrier: Retrier(sleeper: sleeper, random: { 0.5 }), concurrency: 2)
    }

    func testFetchSavesEveryFileAndSendsNoKey() async throws {
        let dir = try temporaryDirectory(self)
        let transport = FakeTransport([.json(200, "")], downloadBytes: Data("IMAGE".utf8))
        let jobs = (1...3).map { DownloadJob(url: "https://oss.example.com/r/\($0).png?Signature=s", destination: dir + "/out-\($0).png") }
        let results = try await downloader(transport).fetch(jobs, force: false)
        XCTAssertEqual(try results.map { try $0.get() }, jobs.map(\.destination), "results come back in job order")
        for job in jobs { XCTAssertEqual(read(job.destination), "IMAGE") }
        XCTAssertEqual(try listing(dir), ["out-1.png", "out-2.png", "out-3.png"], "no .part file is left")
        XCTAssertEqual(transport.requests.count, 3)
        for request in transport.requests {
            XCTAssertNil(request.header("Authorization"), "the key never goes to a download host")
            XCTAssertEqual(request.method, "GET")
            XCTAssertEqual(request.header("User-Agent"), Version.userAgent)
        }
    }

    func testFetchKeepsAnExistingFile() async throws {
        let dir = try temporaryDirectory(self)
        write("mine", to: dir + "/cat.png")
        let transport = FakeTransport([.json(200, "")], downloadBytes: Data("IMAGE".utf8))
        let results = try await downloader(transport).fetch([DownloadJob(url: "https://x/cat.png", destination: dir + "/cat.png")], force: false)
        XCTAssertEqual(try results[0].get(), dir + "/cat-2.png")
        XCTAssertEqual(read(dir + "/cat.png"), "mine")
        XCTAssertEqual(read(dir + "/cat-2.png"), "IMAGE")
    }

    func testATruncatedDownloadLeavesNoFileBehind() async throws {
        let dir = try temporaryDirectory(self)
        let sleeper = RecordingSleeper()
        let transport = FakeTransport([.failure(.truncated(expected: 100, received: 3))])
        let results = try await downloader(transport, sleeper: sleeper).fetch(
            [DownloadJob(url: "https://x/cat.png", destination: dir + "/cat.png")], force: false)
        XCTAssertThrowsError(try results[0].get()) { error in
            XCTAssertEqual((error as? DashScopeError)?.exitCode, .unavailable)
            XCTAssertTrue((error as? DashScopeError)?.message.contains("ended early") ?? false, "\(error)")
        }
        XCTAssertEqual(transport.requests.count, RetryPolicy.standard.maxAttempts, "a broken download is retried")
        XCTAssertEqual(sleeper.recorded.count, RetryPolicy.standard.maxAttempts - 1)
        XCTAssertEqual(try listing(dir), [], "neither the final name nor a .part file is left")
    }

    func testAnErrorStatusIsAFailureWithoutAFile() async throws {
        let dir = try temporaryDirectory(self)
        let transport = FakeTransport([.json(403, "<Error>AccessDenied</Error>")])
        let results = try await downloader(transport).fetch([DownloadJob(url: "https://x/cat.png", destination: dir + "/cat.png")], force: false)
        XCTAssertThrowsError(try results[0].get()) { error in
            XCTAssertTrue((error as? DashScopeError)?.message.contains("HTTP 403") ?? false, "\(error)")
        }
        XCTAssertEqual(try listing(dir), [])
    }

    func testOneFailureDoesNotSpoilTheOthers() async throws {
        let dir = try temporaryDirectory(self)
        let transport = FakeTransport([.json(200, ""), .json(404, ""), .json(200, "")])
        let jobs = (1...3).map { DownloadJob(url: "https://x/\($0).png", destination: dir + "/\($0).png") }
        let results = try await Downloader(transport: transport, retrier: Retrier(sleeper: RecordingSleeper()), concurrency: 1)
            .fetch(jobs, force: false)
        XCTAssertNotNil(try? results[0].get())
        XCTAssertNil(try? results[1].get())
        XCTAssertNotNil(try? results[2].get())
        XCTAssertEqual(try listing(dir), ["1.png", "3.png"])
    }

    func testAnUnfetchableURLIsRefusedWithoutARequest() async throws {
        let dir = try temporaryDirectory(self)
        let transport = FakeTransport([.json(200, "")])
        let results = try await downloader(transport).fetch([DownloadJob(url: "file:///etc/passwd", destination: dir + "/x.png")], force: false)
        XCTAssertNil(try? results[0].get())
        XCTAssertTrue(transport.requests.isEmpty)
    }

    // MARK: symlinks and temporary files

    private func symlink(_ path: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
    }

    private func isSymlink(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeSymbolicLink
    }

    func testCommitNeverWritesThroughASymlinkAtTheFinalName() throws {
        let dir = try temporaryDirectory(self)
        try FileManager.default.createDirectory(atPath: dir + "/elsewhere", withIntermediateDirectories: true)
        write("SECRET", to: dir + "/elsewhere/secret.png")
        try symlink(dir + "/target.png", to: dir + "/elsewhere/secret.png")
        try symlink(dir + "/dangling.png", to: dir + "/victim.png")
        try symlink(dir + "/folder.png", to: dir + "/elsewhere")

        for (name, expected) in [("target", "target-2.png"), ("dangling", "dangling-2.png"), ("folder", "folder-2.png")] {
            write("new", to: dir + "/.t.part")
            let saved = try Downloader.commit(dir + "/.t.part", to: dir + "/\(name).png", force: false).get()
            XCTAssertEqual(saved, dir + "/" + expected, "an existing symlink counts as taken")
            XCTAssertTrue(isSymlink(dir + "/\(name).png"))
        }
        XCTAssertEqual(read(dir + "/elsewhere/secret.png"), "SECRET")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/victim.png"), "a dangling link is not followed")
        XCTAssertEqual(try listing(dir + "/elsewhere"), ["secret.png"])

        for name in ["target", "folder"] {
            write("forced", to: dir + "/.t.part")
            XCTAssertEqual(try Downloader.commit(dir + "/.t.part", to: dir + "/\(name).png", force: true).get(), dir + "/\(name).png")
            XCTAssertFalse(isSymlink(dir + "/\(name).png"), "--force replaces the link itself")
            XCTAssertEqual(read(dir + "/\(name).png"), "forced")
        }
        XCTAssertEqual(read(dir + "/elsewhere/secret.png"), "SECRET")
        XCTAssertEqual(try listing(dir + "/elsewhere"), ["secret.png"])
    }

    func testTheTemporaryFileIsNewAndRegisteredWhileTheDownloadRuns() async throws {
        let dir = try temporaryDirectory(self)
        let transport = InterruptedTransport()
        let outcome = try await Downloader(transport: transport, retrier: Retrier(sleeper: RecordingSleeper()))
            .fetch([DownloadJob(url: "https://x/cat.png", destination: dir + "/cat.png")], force: false)
        XCTAssertThrowsError(try outcome[0].get())
        let seen = try XCTUnwrap(transport.seen.value)
        XCTAssertTrue(seen.path.hasPrefix(dir + "/.dashscope-") && seen.path.hasSuffix(".part"), seen.path)
        XCTAssertTrue(seen.existedEmpty, "the .part file is created (empty) before the transfer")
        XCTAssertTrue(seen.removedByCleanup, "a signal handler's TemporaryFiles.removeAll() deletes it")
        XCTAssertEqual(try listing(dir), [])
    }
}

/// A transport that, mid-download, plays the signal handler: it checks the `.part` file, then calls
/// `TemporaryFiles.removeAll()` and reports whether that deleted it.
private final class InterruptedTransport: HTTPTransport, @unchecked Sendable {
    struct Seen { var path: String; var existedEmpty: Bool; var removedByCleanup: Bool }
    let seen = Locked<Seen?>(nil)

    func send(_ request: HTTPRequest) async throws -> HTTPResponse { HTTPResponse(status: 500) }

    func download(_ request: HTTPRequest, to file: URL, progress: (@Sendable (Int64) -> Void)?) async throws -> HTTPResponse {
        let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? -1
        TemporaryFiles.removeAll()
        seen.mutate { $0 = Seen(path: file.path, existedEmpty: size == 0, removedByCleanup: !FileManager.default.fileExists(atPath: file.path)) }
        throw TransportError.badDownload("interrupted")
    }
}
