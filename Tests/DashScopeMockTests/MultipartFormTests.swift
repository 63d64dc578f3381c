import Foundation
import XCTest
@testable import DashScopeMock

/// The streaming form reader, fed from memory and from a spooled body, with boundaries across its read windows.
final class MultipartFormTests: XCTestCase {
    private func request(_ form: UploadForm, memoryLimit: Int = HTTPRequestReader.memoryBodyBytes) throws -> HTTPRequest {
        let body = form.body()
        var bytes = Array("POST /oss HTTP/1.1\r\nContent-Type: \(form.contentType)\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
            + [UInt8](body)
        var reader = HTTPRequestReader(memoryLimit: memoryLimit) {
            defer { bytes = [] }
            return bytes
        }
        return try reader.readRequest {}
    }

    func testFilesOfEverySizeAroundTheReadWindowAreReadExactly() throws {
        let window = MultipartForm.chunkBytes
        for size in [0, 1, window - 200, window - 1, window, window + 1, 2 * window + 37] {
            var form = UploadForm(policy: ["upload_dir": "d"], name: "f.bin")
            form.file = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
            for spooled in [false, true] {
                let request = try request(form, memoryLimit: spooled ? 1024 : HTTPRequestReader.memoryBodyBytes)
                XCTAssertEqual(request.spooled != nil, spooled)
                let parsed = try MultipartForm(request, fileMemoryLimit: 4096)
                XCTAssertEqual(parsed.parts.map(\.name), form.fields.map(\.name) + ["file"], "size \(size)")
                XCTAssertEqual(parsed.parts.first { $0.name == "key" }?.text, "d/f.bin")
                let file = try XCTUnwrap(parsed.parts.last)
                XCTAssertEqual(file.filename, "f.bin")
                XCTAssertEqual(file.contentType, "application/octet-stream")
                XCTAssertEqual(file.length, size)
                let stored = try XCTUnwrap(file.file)
                XCTAssertEqual(stored.spooled != nil, size > 4096, "size \(size)")
                let bytes = try stored.spooled.map { try Data(contentsOf: URL(fileURLWithPath: $0.path)) } ?? stored.memory
                XCTAssertEqual(bytes, form.file, "size \(size), spooled body \(spooled)")
            }
        }
    }

    func testAFileHoldingBoundaryLikeBytesIsKeptWhole() throws {
        var form = UploadForm(policy: [:])
        form.file = Data("\r\n--\r\n--\(form.boundary.dropLast())\r\n\r\n".utf8)
        let parsed = try MultipartForm(try request(form), fileMemoryLimit: 4096)
        XCTAssertEqual(parsed.parts.last?.file?.memory, form.file)
    }

    func testContentTypeParametersAreReadWithQuotes() {
        XCTAssertEqual(MultipartForm.boundary("multipart/form-data; boundary=\"a;b c\""), "a;b c")
        XCTAssertEqual(MultipartForm.boundary("Multipart/Form-Data;boundary=xyz"), "xyz")
        XCTAssertNil(MultipartForm.boundary("application/json"))
        XCTAssertNil(MultipartForm.boundary("multipart/form-data"))
        let parsed = MultipartForm.parameters("form-data; name=\"file\"; filename=\"a \\\"b\\\"; c.png\"")
        XCTAssertEqual(parsed.value, "form-data")
        XCTAssertEqual(parsed.parameters["filename"], "a \"b\"; c.png")
    }

    func testALongFieldIsRefused() throws {
        var form = UploadForm(policy: [:])
        form.set("policy", String(repeating: "p", count: MultipartForm.fieldLimit + 1))
        XCTAssertThrowsError(try MultipartForm(try request(form), fileMemoryLimit: 4096)) { error in
            XCTAssertTrue((error as? ServiceError)?.message.contains("policy is longer") == true, "\(error)")
        }
    }
}

/// A form over 64 MB: spooled by the server, read from the spool, stored on disk, deleted when the server stops.
final class LargeUploadTests: MockTestCase {
    func testAFormOver64MegabytesIsStoredFromTheSpool() async throws {
        let before = try spooledFiles()
        var form = UploadForm(policy: try await policy("wan2.6-r2v"), name: "clip.mp4", contentType: "video/mp4")
        form.file = Data(repeating: 0x6D, count: HTTPRequestReader.memoryBodyBytes + 5)
        form.file[0] = 0x00
        form.file[form.file.count - 1] = 0xFF
        let reply = try await upload(form)
        XCTAssertEqual(reply.status, 200, String(decoding: reply.body, as: UTF8.self))
        XCTAssertEqual(server.requests.last?.body, Data(), "the form was spooled, not kept in memory")
        XCTAssertEqual(server.uploads.first?.size, form.file.count)
        XCTAssertEqual(server.uploads.first?.contentType, "video/mp4")
        let stored = try XCTUnwrap(server.uploadedData(key: form.key))
        XCTAssertEqual(stored.count, form.file.count)
        XCTAssertEqual(stored.first, 0x00)
        XCTAssertEqual(stored.last, 0xFF)
        server.stop()
        var left = 100
        while try spooledFiles() != before, left > 0 {
            usleep(20_000)
            left -= 1
        }
        XCTAssertEqual(try spooledFiles(), before, "the request's spool and the stored file are both deleted")
    }
}
