import Foundation
import XCTest
@testable import DashScopeMock

final class FileTests: MockTestCase {
    private struct Chunk {
        let type: String
        let data: [UInt8]
    }

    private func bigEndian(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Splits a PNG into chunks, failing the test on a bad signature or CRC.
    private func chunks(of png: Data, file: StaticString = #filePath, line: UInt = #line) -> [Chunk] {
        let bytes = [UInt8](png)
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], file: file, line: line)
        var chunks: [Chunk] = []
        var offset = 8
        while offset + 12 <= bytes.count {
            let length = Int(bigEndian(bytes[offset..<(offset + 4)]))
            let typed = Array(bytes[(offset + 4)..<(offset + 8 + length)])
            let crc = bigEndian(bytes[(offset + 8 + length)..<(offset + 12 + length)])
            XCTAssertEqual(PNG.crc32(typed), crc, "CRC of chunk at \(offset)", file: file, line: line)
            chunks.append(Chunk(type: String(decoding: typed.prefix(4), as: UTF8.self), data: Array(typed.dropFirst(4))))
            offset += 12 + length
        }
        XCTAssertEqual(offset, bytes.count, file: file, line: line)
        return chunks
    }

    func testChecksumsMatchTheirReferenceValues() {
        XCTAssertEqual(PNG.crc32(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(PNG.adler32(Array("Wikipedia".utf8)), 0x11E6_0398)
    }

    func testDownloadIsAValidPNG() async throws {
        let reply = try await send("GET", "/files/task-1/0.png", key: nil)
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.headers["content-type"], "image/png")
        XCTAssertEqual(reply.headers["content-length"], String(reply.body.count))
        let chunks = chunks(of: reply.body)
        XCTAssertEqual(chunks.map(\.type), ["IHDR", "IDAT", "IEND"])
        let header = chunks[0].data
        XCTAssertEqual(bigEndian(header[0..<4]), 64)
        XCTAssertEqual(bigEndian(header[4..<8]), 64)
        XCTAssertEqual(Array(header[8...]), [8, 2, 0, 0, 0])

        let stream = chunks[1].data
        XCTAssertEqual((UInt16(stream[0]) << 8 | UInt16(stream[1])) % 31, 0, "zlib header check bits")
        var raw: [UInt8] = []
        var offset = 2
        var last = false
        while !last {
            last = stream[offset] & 1 == 1
            XCTAssertEqual(stream[offset] & 0b110, 0, "stored block")
            let length = Int(stream[offset + 1]) | Int(stream[offset + 2]) << 8
            let complement = Int(stream[offset + 3]) | Int(stream[offset + 4]) << 8
            XCTAssertEqual(length ^ 0xFFFF, complement)
            raw += stream[(offset + 5)..<(offset + 5 + length)]
            offset += 5 + length
        }
        XCTAssertEqual(bigEndian(stream[offset...]), PNG.adler32(raw))
        XCTAssertEqual(raw.count, 64 * (1 + 64 * 3))
        XCTAssertTrue(stride(from: 0, to: raw.count, by: 1 + 64 * 3).allSatisfy { raw[$0] == 0 }, "filter bytes")
    }

    func testPicturesAreDeterministicPerIdAndIndex() async throws {
        let first = try await send("GET", "/files/abc/1.png", key: nil).body
        let again = try await send("GET", "/files/abc/1.png", key: nil).body
        let otherIndex = try await send("GET", "/files/abc/2.png", key: nil).body
        let otherID = try await send("GET", "/files/abd/1.png", key: nil).body
        XCTAssertEqual(first, again)
        XCTAssertEqual(first, PNG.picture(id: "abc", index: 1))
        XCTAssertNotEqual(first, otherIndex)
        XCTAssertNotEqual(first, otherID)
    }

    func testResultURLsCanBeDownloaded() async throws {
        let id = try await createTask(n: 1)
        let results = try await query(id).output["results"] as? [[String: Any]]
        let url = try XCTUnwrap(results?.first?["url"] as? String)
        let path = String(url.dropFirst(server.origin.count))
        let reply = try await send("GET", path, key: nil)
        XCTAssertEqual(reply.body, PNG.picture(id: id, index: 0))
    }

    func testOtherFileNamesAreNotFound() async throws {
        assertError(try await send("GET", "/files/abc/x.png", key: nil), 404, "NotFound")
        assertError(try await send("GET", "/files/abc/0.jpg", key: nil), 404, "NotFound")
        assertError(try await send("POST", "/files/abc/0.png", key: nil, body: Data()), 404, "NotFound")
    }
}
