import Foundation
import XCTest
@testable import DashScopeMock

/// Ranges, HEAD and the media files served under `/files`.
final class DownloadTests: MockTestCase {
    private func get(_ path: String, _ headers: String = "", method: String = "GET") throws -> (head: String, body: Data) {
        RawConnection.split(try RawConnection.exchange(port: server.port, "\(method) \(path) HTTP/1.1\r\nHost: x\r\n\(headers)\r\n"))
    }

    func testRangeFromAnOffsetAnswers206() throws {
        let full = PNG.picture(id: "a", index: 0)
        let (head, body) = try get("/files/a/0.png", "Range: bytes=100-\r\n")
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 206 Partial Content"), head)
        XCTAssertTrue(head.contains("Content-Range: bytes 100-\(full.count - 1)/\(full.count)"), head)
        XCTAssertTrue(head.contains("Content-Length: \(full.count - 100)"), head)
        XCTAssertEqual(body, full.dropFirst(100))
    }

    func testClosedAndSuffixRanges() throws {
        let full = PNG.picture(id: "a", index: 0)
        let (head, body) = try get("/files/a/0.png", "Range: bytes=10-19\r\n")
        XCTAssertTrue(head.contains("Content-Range: bytes 10-19/\(full.count)"), head)
        XCTAssertEqual(body, full.subdata(in: 10..<20))
        let (tailHead, tail) = try get("/files/a/0.png", "Range: bytes=-5\r\n")
        XCTAssertTrue(tailHead.hasPrefix("HTTP/1.1 206"), tailHead)
        XCTAssertEqual(tail, full.suffix(5))
        let (pastHead, past) = try get("/files/a/0.png", "Range: bytes=10-999999999\r\n")
        XCTAssertTrue(pastHead.contains("Content-Range: bytes 10-\(full.count - 1)/\(full.count)"), pastHead)
        XCTAssertEqual(past, full.dropFirst(10))
    }

    func testRangePastTheEndAnswers416() throws {
        let full = PNG.picture(id: "a", index: 0)
        let (head, body) = try get("/files/a/0.png", "Range: bytes=\(full.count)-\r\n")
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 416 Range Not Satisfiable"), head)
        XCTAssertTrue(head.contains("Content-Range: bytes */\(full.count)"), head)
        XCTAssertEqual(body, Data())
    }

    func testUnreadableRangesAreIgnored() throws {
        let full = PNG.picture(id: "a", index: 0)
        for range in ["bytes=5-2", "bytes=1-2,4-5", "items=0-", "bytes=x-"] {
            let (head, body) = try get("/files/a/0.png", "Range: \(range)\r\n")
            XCTAssertTrue(head.hasPrefix("HTTP/1.1 200"), "\(range): \(head)")
            XCTAssertEqual(body, full, range)
        }
    }

    func testByteRangeParsing() {
        XCTAssertEqual(ByteRange(header: "bytes=0-", total: 10), .satisfiable(lower: 0, upper: 9))
        XCTAssertEqual(ByteRange(header: "bytes=9-9", total: 10), .satisfiable(lower: 9, upper: 9))
        XCTAssertEqual(ByteRange(header: "bytes=-20", total: 10), .satisfiable(lower: 0, upper: 9))
        XCTAssertEqual(ByteRange(header: "bytes=-0", total: 10), .unsatisfiable)
        XCTAssertEqual(ByteRange(header: "bytes=10-", total: 10), .unsatisfiable)
        XCTAssertNil(ByteRange(header: nil, total: 10))
        XCTAssertNil(ByteRange(header: "bytes=-", total: 10))
    }

    func testHeadAnswersHeadersOnly() throws {
        let full = PNG.picture(id: "a", index: 0)
        let (head, body) = try get("/files/a/0.png", method: "HEAD")
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 200"), head)
        XCTAssertTrue(head.contains("Content-Length: \(full.count)") && head.contains("Accept-Ranges: bytes"), head)
        XCTAssertEqual(body, Data())
    }

    func testMP4IsABoxStructure() throws {
        let (head, movie) = try get("/files/v/0.mp4")
        XCTAssertTrue(head.contains("Content-Type: video/mp4"), head)
        XCTAssertEqual(movie, MP4.movie(id: "v", index: 0), "deterministic")
        var types: [String] = []
        var offset = 0
        let bytes = [UInt8](movie)
        while offset + 8 <= bytes.count {
            let size = bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            types.append(String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self))
            XCTAssertGreaterThanOrEqual(size, 8)
            offset += size
        }
        XCTAssertEqual(offset, bytes.count, "boxes tile the file")
        XCTAssertEqual(types, ["ftyp", "moov", "mdat"])
        let moov = bytes[0..<4].reduce(0) { $0 << 8 | Int($1) }
        XCTAssertEqual(String(decoding: bytes[(moov + 12)..<(moov + 16)], as: UTF8.self), "mvhd")
        XCTAssertNotEqual(MP4.movie(id: "v", index: 1), movie)
    }

    func testWAVIsRIFFWithPCM() throws {
        let (head, audio) = try get("/files/s/0.wav")
        XCTAssertTrue(head.contains("Content-Type: audio/wav"), head)
        let bytes = [UInt8](audio)
        func little(_ range: Range<Int>) -> Int {
            bytes[range].reversed().reduce(0) { $0 << 8 | Int($1) }
        }
        XCTAssertEqual(String(decoding: bytes[0..<4], as: UTF8.self), "RIFF")
        XCTAssertEqual(little(4..<8), bytes.count - 8)
        XCTAssertEqual(String(decoding: bytes[8..<16], as: UTF8.self), "WAVEfmt ")
        XCTAssertEqual([little(20..<22), little(22..<24), little(24..<28), little(34..<36)], [1, 1, 24_000, 16])
        XCTAssertEqual(String(decoding: bytes[36..<40], as: UTF8.self), "data")
        XCTAssertEqual(little(40..<44), bytes.count - 44)
        XCTAssertEqual(bytes.count - 44, 2 * WAV.sampleCount)
        XCTAssertTrue(bytes[44...].contains { $0 != 0 }, "not silence")
    }
}

/// The faults that break a download in the ways a client must survive.
final class DownloadFaultTests: MockTestCase {
    private func download(_ headers: String = "") throws -> (head: String, body: Data) {
        RawConnection.split(try RawConnection.exchange(port: server.port, "GET /files/a/0.png HTTP/1.1\r\nHost: x\r\n\(headers)\r\n"))
    }

    private let full = PNG.picture(id: "a", index: 0)

    func testEmptyAnswers200WithNoBody() throws {
        server.inject(Fault(.empty, route: .file))
        let (head, body) = try download()
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 200") && head.contains("Content-Length: 0"), head)
        XCTAssertEqual(body, Data())
        XCTAssertEqual(try download().body, full, "used up")
    }

    func testNoContentAnswers204() throws {
        server.inject(Fault(.noContent, route: .file))
        let (head, body) = try download()
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 204 No Content"), head)
        XCTAssertFalse(head.contains("Content-Length"), head)
        XCTAssertEqual(body, Data())
    }

    func testPartialContentAnswers206Unasked() throws {
        server.inject(Fault(.partialContent, route: .file))
        let (head, body) = try download()
        let half = full.count / 2
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 206"), head)
        XCTAssertTrue(head.contains("Content-Range: bytes 0-\(half - 1)/\(full.count)"), head)
        XCTAssertEqual(body, full.prefix(half))
    }

    func testDropHalfSendsHalfAndCanBeResumed() throws {
        server.inject(try Fault(spec: "drop-half@file"))
        let (head, first) = try download()
        XCTAssertTrue(head.contains("Content-Length: \(full.count)"), head)
        XCTAssertEqual(first, full.prefix(full.count / 2))
        let (resumedHead, rest) = try download("Range: bytes=\(first.count)-\r\n")
        XCTAssertTrue(resumedHead.hasPrefix("HTTP/1.1 206"), resumedHead)
        XCTAssertEqual(first + rest, full)
    }

    func testDropHalfOfARange() throws {
        server.inject(Fault(.dropHalf))
        let (head, body) = try download("Range: bytes=100-199\r\n")
        XCTAssertTrue(head.contains("Content-Length: 100"), head)
        XCTAssertEqual(body, full.subdata(in: 100..<150))
    }

    func testStallSendsHalfThenWaitsThenCloses() throws {
        server.inject(Fault(.stall, route: .file, seconds: 0.3))
        let started = Date()
        let (head, body) = try download()
        XCTAssertTrue(head.contains("Content-Length: \(full.count)"), head)
        XCTAssertEqual(body, full.prefix(full.count / 2))
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.25, "the close comes after the stall")
    }

    func testTrickleSendsOneByteAtATimeUntilTheClientLeaves() throws {
        server.inject(Fault(.trickle, seconds: 0.05))
        let connection = try RawConnection(port: server.port)
        connection.send("GET /files/a/0.png HTTP/1.1\r\nHost: x\r\n\r\n")
        var answer = Data()
        while RawConnection.split(answer).body.count < 3 {
            let bytes = Socket.receive(connection.descriptor)
            XCTAssertLessThanOrEqual(bytes.count, 2000, "bytes come one by one, not the whole file (headers and a slow test thread may batch a few)")
            guard !bytes.isEmpty else {
                break
            }
            answer.append(contentsOf: bytes)
        }
        let (head, received) = RawConnection.split(answer)
        XCTAssertTrue(head.contains("Content-Length: \(full.count)"), head)
        XCTAssertGreaterThanOrEqual(received.count, 3)
        XCTAssertEqual(received, full.prefix(received.count))
        connection.disconnect()
        let next = try RawConnection.exchange(port: server.port, "GET /api/v1/tasks HTTP/1.1\r\n\r\n")
        XCTAssertTrue(RawConnection.split(next).head.hasPrefix("HTTP/1.1 401"), "the server carries on")
    }

    func testDownloadFaultsLeaveAPIRoutesAlone() async throws {
        server.inject(Fault(.empty))
        let reply = try await query("x")
        XCTAssertEqual(reply.status, 200)
        XCTAssertFalse(reply.body.isEmpty)
        XCTAssertEqual(try download().body, Data())
    }
}
