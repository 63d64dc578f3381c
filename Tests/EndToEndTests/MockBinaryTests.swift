import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The built `dashscope-mock` executable: it prints its origin, serves, and stops cleanly on SIGTERM and SIGINT
/// (scripts and benchmarks start it in the background and `kill` it).
final class MockBinaryTests: XCTestCase {
    func testStopsOnSIGTERM() throws {
        try assertServesThenStops(on: SIGTERM)
    }

    func testStopsOnSIGINT() throws {
        try assertServesThenStops(on: SIGINT)
    }

    private func assertServesThenStops(on signalNumber: Int32, file: StaticString = #filePath, line: UInt = #line) throws {
        let binary = try EndToEndCase.binary().deletingLastPathComponent().appendingPathComponent("dashscope-mock")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--task-seconds", "0"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        let origin = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        XCTAssertTrue(origin.hasPrefix("http://127.0.0.1:"), "first line must be the origin: \(origin)", file: file, line: line)
        let url = try XCTUnwrap(URL(string: origin.trimmingCharacters(in: .whitespacesAndNewlines) + "/files/bench/1.png"))
        XCTAssertNoThrow(try Data(contentsOf: url), "the mock serves files", file: file, line: line)

        kill(process.processIdentifier, signalNumber)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        XCTAssertFalse(process.isRunning, "dashscope-mock ignored signal \(signalNumber)", file: file, line: line)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit, file: file, line: line)
        XCTAssertEqual(process.terminationStatus, 0, file: file, line: line)
    }
}
