import Foundation
import XCTest
@testable import DashScopeKit

/// The memory benchmark of issue 7, run by bench/media-memory.sh (skipped otherwise): peak RSS above the baseline while
/// a 10 MB image becomes a data URL, then a JSON body, then is sent. Prints numbers; never fails on one.
final class MediaMemoryBenchTests: XCTestCase {
    /// Reads the body the way a transport does, 64 KB at a time, and keeps nothing.
    private struct SinkTransport: HTTPTransport {
        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            let reader = try BodyReader(request.content)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
            defer { buffer.deallocate() }
            while try reader.read(into: buffer) > 0 {}
            if request.method == "GET" { return HTTPResponse(status: 200, body: Data(MediaMemoryBenchTests.policy.utf8)) }
            return HTTPResponse(status: 200, body: Data(#"{"output":{"task_id":"t"}}"#.utf8))
        }

        func download(_ request: HTTPRequest, to file: URL, progress: (@Sendable (Int64) -> Void)?) async throws -> HTTPResponse {
            HTTPResponse(status: 500)
        }
    }

    static let policy = #"{"data":{"policy":"p","signature":"s","upload_dir":"d/x","upload_host":"https://oss.example.com","oss_access_key_id":"k"}}"#

    private func status(_ field: String) -> Int {
        let text = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// Resets the peak to the current RSS (Linux 4.0+), so each phase is measured from its own start.
    private func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    func testPeakMemoryOfA10MBImageSentAsADataURL() async throws {
        guard ProcessInfo.processInfo.environment["DASHSCOPE_BENCH"] == "1" else { throw XCTSkip("set DASHSCOPE_BENCH=1 (bench/media-memory.sh)") }
        let directory = try temporaryDirectory(self)
        var bytes = Sample.png(4000, 3000)
        let size = 10 * 1024 * 1024
        bytes.reserveCapacity(size)
        var state: UInt32 = 1
        while bytes.count < size { state = state &* 1_664_525 &+ 1_013_904_223; bytes.append(UInt8(truncatingIfNeeded: state >> 24)) }
        let path = try Sample.write(bytes, "ten.png", in: directory)
        bytes = []
        let mb = { (kb: Int) in String(format: "%.1f MB", Double(kb) / 1024) }
        let api = APIClient(configuration: try configuration(), transport: SinkTransport(), retrier: Retrier(), logger: .silent)

        guard resetPeak() else { throw XCTSkip("cannot reset the peak RSS here") }
        var base = status("VmRSS")
        var url: String? = try DataURL.encode(path: path, format: .png, shown: "ten.png")
        let encoded = status("VmHWM") - base
        print("bench: data URL of a 10 MB file: \(url!.utf8.count) bytes; peak above baseline while encoding: \(mb(encoded))")

        url = nil
        _ = resetPeak()
        base = status("VmRSS")
        let media = try MediaInputs.prepare(values: [path], role: .image, limits: nil, model: "m", cwd: "/", home: "/")
        let resolved = try await MediaInputs.resolve(media, upload: false, model: "m", uploads: nil, deadline: nil)
        let body = JSON.object(["model": .string("wan2.5-i2i-preview"),
                                "input": .object(["prompt": .string("x"), "images": .array(resolved.urls.map(JSON.string))])])
        let endpoint = Endpoint(method: "POST", path: "/services/aigc/image2image/image-synthesis", body: body, async: true, kind: .create)
        _ = try await api.perform(endpoint)
        let whole = status("VmHWM") - base
        print("bench: prepare + resolve + JSON body + send of a 10 MB image: peak above baseline \(mb(whole)) "
              + "(\(String(format: "%.2f", Double(whole) * 1024 / Double(size)))x the file)")
    }

    func testPeakMemoryOfA100MBVideoUpload() async throws {
        guard ProcessInfo.processInfo.environment["DASHSCOPE_BENCH"] == "1" else { throw XCTSkip("set DASHSCOPE_BENCH=1 (bench/media-memory.sh)") }
        let directory = try temporaryDirectory(self)
        let path = try Sample.write(Sample.mp4, "clip.mp4", in: directory)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 100 * 1024 * 1024)
        try handle.close()
        let api = APIClient(configuration: try configuration(), transport: SinkTransport(), retrier: Retrier(), logger: .silent)
        guard resetPeak() else { throw XCTSkip("cannot reset the peak RSS here") }
        let base = status("VmRSS")
        let media = try MediaInputs.prepare(values: [path], role: .video, limits: nil, model: "m", cwd: "/", home: "/")
        let resolved = try await MediaInputs.resolve(media, upload: false, model: "m", uploads: UploadsAPI(client: api), deadline: nil)
        print("bench: prepare + upload of a 100 MB video (form read as a transport reads it): peak above baseline "
              + String(format: "%.1f MB", Double(status("VmHWM") - base) / 1024) + " -> \(resolved.urls[0].prefix(12))...")
    }
}
