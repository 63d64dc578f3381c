import DashScopeMock
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension EndToEndCase {
    /// Fails unless every partial download left in the test directory is a task's resumable `.dashscope-TASK-N.part`
    /// (with its `.source`), and no file carries a final name it has not earned.
    func assertOnlyResumableParts(file: StaticString = #filePath, line: UInt = #line) {
        let pattern = try! NSRegularExpression(pattern: #"^\.dashscope-[A-Za-z0-9_-]+-[0-9]+\.part(\.source)?$"#)
        for path in files().filter({ $0.contains(".part") }) {
            let name = (path as NSString).lastPathComponent
            let matched = pattern.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
            XCTAssertTrue(matched, "\(path) is not a task's resumable partial download", file: file, line: line)
        }
    }

    /// The partial download of output 1 of `taskID` in `directory`, with its size, or nil.
    func partialSize(_ taskID: String, in directory: String) -> Int? {
        let path = url("\(directory)/.dashscope-\(taskID)-1.part").path
        return (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
    }

    /// Creates a text-to-video task on the mock the way the `t2v` command does, and returns its id.
    func createVideoTask(_ body: [String: Any] = ["model": "wan2.6-t2v", "input": ["prompt": "a cat surfing"],
                                                  "parameters": ["size": "1280*720", "duration": 5]]) throws -> String {
        let payload = try JSONSerialization.data(withJSONObject: body)
        let head = "POST /api/v1/services/aigc/video-generation/video-synthesis HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Authorization: Bearer \(Self.apiKey)\r\nX-DashScope-Async: enable\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(payload.count)\r\nConnection: close\r\n\r\n"
        let reply = try Self.exchange(port: mock.port, Data(head.utf8) + payload)
        let answer = reply.range(of: Data("\r\n\r\n".utf8)).map { reply[$0.upperBound...] }.map { Data($0) }
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: answer ?? Data()) as? [String: Any])
        return try XCTUnwrap((json["output"] as? [String: Any])?["task_id"] as? String, "\(json)")
    }

    /// Sends `request` to 127.0.0.1:`port` over a plain socket (no FoundationNetworking here) and reads until close.
    static func exchange(port: UInt16, _ request: Data) throws -> Data {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        _ = request.withUnsafeBytes { send(descriptor, $0.baseAddress!, $0.count, 0) }
        var reply = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, 0) }
            if count <= 0 { break }
            reply.append(contentsOf: buffer[0..<count])
        }
        return reply
    }
}

/// Long waits: the lines a CI log sees, and video tasks and downloads that survive being killed.
final class VideoWaitTests: EndToEndCase {
    /// The size of the videos in these tests: large enough that a cut download is visibly resumed.
    private static let videoBytes = 4_000_000

    private func startVideoMock(seconds: Double) throws {
        var options = MockOptions(taskSeconds: 0)
        options.videoDurations = [seconds]
        options.videoBytes = Self.videoBytes
        try startMock(options)
    }

    func testStatusChangesArePlainLinesWhenStderrIsNotATerminal() throws {
        // PENDING lasts 30% of the task: 0.9 s leaves a slow machine time for the first poll.
        try startMock(MockOptions(taskSeconds: 3))
        let result = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-o", "out/"])
        assertExit(result, 0)
        let id = try XCTUnwrap(polls.first?.path.split(separator: "/").last.map(String.init))
        let statusLines = result.errorLines.filter { $0.hasPrefix("task \(id): ") }
        XCTAssertEqual(statusLines.map { $0.split(separator: " ")[2] }, ["PENDING", "RUNNING", "SUCCEEDED"], result.stderr)
        XCTAssertTrue(statusLines.allSatisfy { $0.range(of: #" after [0-9]+s \([0-9]+ polls?\)$"#, options: .regularExpression) != nil },
                      result.stderr)
        XCTAssertTrue(statusLines.last?.hasSuffix("(\(polls.count) polls)") ?? false, "the last line counts every poll: \(result.stderr)")
        XCTAssertFalse(result.stderr.contains("\r") || result.stderr.contains("\u{1B}"), "no spinner off a terminal")
        let quiet = try run(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-o", "out/", "-q"])
        assertExit(quiet, 0)
        XCTAssertEqual(quiet.stderr, "", "-q prints no status lines")
    }

    func testAVideoTaskKilledWhileWaitingIsFinishedByTaskWait() throws {
        try startVideoMock(seconds: 3)
        let id = try createVideoTask()
        let first = try spawn(["task", "wait", id, "-o", "clips/"])
        waitUntil("the task is polled") { !polls.isEmpty }
        first.send(SIGKILL)
        _ = first.finish(timeout: 10)
        XCTAssertEqual(files(matching: ".mp4"), [])
        let second = try run(["task", "wait", id, "-o", "clips/", "--json"])
        assertExit(second, 0)
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        let path = try XCTUnwrap((document["paths"] as? [String])?.first)
        XCTAssertTrue(path.hasSuffix(".mp4"), path)
        XCTAssertEqual(FileManager.default.contents(atPath: url(path).path), mock.videoFile(id: id))
        XCTAssertEqual(document["urls"] as? [String], ["\(mock.origin)/files/\(id)/0.mp4"])
        XCTAssertEqual(files().filter { $0.contains(".part") }, [], "a finished download leaves no partial file")
    }

    func testADownloadKilledHalfwayResumesWithRangeAndCostsAtMostFivePercentMore() throws {
        try startVideoMock(seconds: 0)
        mock.inject(try Fault(spec: "slow@file:4"))
        let id = try createVideoTask()
        let first = try spawn(["task", "wait", id, "-o", "clips/"])
        // Cut once at least 40% is saved and every byte sent is on disk (the slow answer sends 5% every 0.2 s).
        waitUntil("the partial download holds 40% and all that was sent", timeout: 15) {
            let size = partialSize(id, in: "clips") ?? 0
            return size >= Self.videoBytes * 2 / 5 && size == mock.statistics.fileBytes
        }
        first.send(SIGKILL)
        _ = first.finish(timeout: 10)
        let cut = try XCTUnwrap(partialSize(id, in: "clips"))
        XCTAssertLessThan(cut, Self.videoBytes, "the download was cut before its end")
        XCTAssertEqual(files(matching: ".mp4"), [], "no half-written file under a final name")
        assertOnlyResumableParts()

        let second = try run(["task", "wait", id, "-o", "clips/"])
        assertExit(second, 0)
        let saved = try XCTUnwrap(second.lines.first)
        XCTAssertEqual(FileManager.default.contents(atPath: url(saved).path), mock.videoFile(id: id), "the resumed file is byte for byte the mock's")
        XCTAssertEqual(downloads.last?.headers["range"], "bytes=\(cut)-", "the second run asked for the rest only")
        let served = mock.statistics.fileBytes
        XCTAssertLessThanOrEqual(Double(served), 1.05 * Double(Self.videoBytes), "bytes served \(served) for a \(Self.videoBytes)-byte file")
        XCTAssertEqual(files().filter { $0.contains(".part") }, [], "the partial file and its .source are gone")
    }

    func testTheJournalKeepsAKilledTaskOpenUntilItIsCollected() throws {
        try startMock(MockOptions(taskSeconds: 2))
        let first = try spawn(["t2i", "a slow cat", "-m", "wan2.2-t2i-flash", "-o", "pics/"])
        waitUntil("the task is polled") { !polls.isEmpty }
        first.send(SIGKILL)
        _ = first.finish(timeout: 10)
        let id = try XCTUnwrap(polls.first?.path.split(separator: "/").last.map(String.init))
        XCTAssertEqual(journalEvents(id), ["submitted"])
        let list = try run(["task", "wait"])
        assertExit(list, 0)
        XCTAssertTrue(list.stderr.contains("resuming task \(id)"), list.stderr)
        assertPNGs(list.lines)
        XCTAssertEqual(journalEvents(id), ["submitted", "finished:SUCCEEDED"])
    }

    func testInterruptWhileWaitingForAVideoPrintsTheResumeLine() throws {
        try startVideoMock(seconds: 60)
        let id = try createVideoTask()
        let process = try spawn(["task", "wait", id, "-o", "clips/"])
        waitUntil("the task is polled") { !polls.isEmpty }
        process.send(SIGINT)
        let result = process.finish(timeout: 10)
        assertExit(result, 130)
        XCTAssertTrue(result.stderr.contains("dashscope task wait \(id) -o \(root.path)/clips/"), result.stderr)
    }

    func testT2VKilledDuringItsDownloadIsResumedByTaskWaitFromTheJournal() throws {
        try startVideoMock(seconds: 1)
        mock.inject(try Fault(spec: "slow@file:4"))
        let first = try spawn(["t2v", "a cat surfing", "--resolution", "720P", "-o", "clips/"])
        waitUntil("the task is polled") { !polls.isEmpty }
        let id = try XCTUnwrap(polls.first?.path.split(separator: "/").last.map(String.init))
        waitUntil("a fifth of the video is saved", timeout: 15) { (partialSize(id, in: "clips") ?? 0) >= Self.videoBytes / 5 }
        waitUntil("every byte sent is on disk, so none is in flight") { partialSize(id, in: "clips") == mock.statistics.fileBytes }
        first.send(SIGKILL)
        _ = first.finish(timeout: 10)
        XCTAssertEqual(journalEvents(id), ["submitted"], "killed during the download: the task is still open")
        XCTAssertEqual(files(matching: ".mp4"), [])
        let second = try run(["task", "wait"])
        assertExit(second, 0)
        XCTAssertTrue(second.stderr.contains("resuming task \(id) (wan2.6-t2v"), second.stderr)
        let saved = try XCTUnwrap(second.lines.first)
        XCTAssertTrue(saved.hasPrefix("clips/") && saved.hasSuffix(".mp4"), "the journal kept -o and the video type: \(saved)")
        XCTAssertEqual(FileManager.default.contents(atPath: url(saved).path), mock.videoFile(id: id))
        XCTAssertTrue(downloads.last?.headers["range"]?.hasPrefix("bytes=") ?? false, "resumed, not fetched again")
        XCTAssertLessThanOrEqual(Double(mock.statistics.fileBytes), 1.05 * Double(Self.videoBytes))
        XCTAssertEqual(journalEvents(id), ["submitted", "finished:SUCCEEDED"])
        XCTAssertEqual(files().filter { $0.contains(".part") }, [])
    }

    /// The journal's events for `taskID`: `submitted`, `finished:OUTCOME`.
    private func journalEvents(_ taskID: String) -> [String] {
        let path = root.appendingPathComponent(".state/dashscope/tasks.jsonl").path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  json["task_id"] as? String == taskID, let event = json["event"] as? String else { return nil }
            return (json["outcome"] as? String).map { "\(event):\($0)" } ?? event
        }
    }
}
