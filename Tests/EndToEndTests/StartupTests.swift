import Foundation
import XCTest

/// Guards the start-up budget: the binary must not link FoundationNetworking, whose libcurl and ~30 libraries would
/// load on every run (about 10 ms here); HTTP opens libcurl with dlopen on the first request instead.
final class StartupTests: XCTestCase {
    func testTheBinaryDoesNotLinkLibcurl() throws {
        #if os(Linux)
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/ldd") else { throw XCTSkip("ldd is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
        process.arguments = [try EndToEndCase.binary().path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let libraries = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertTrue(libraries.contains("libc.so"), "ldd output looks wrong: \(libraries)")
        XCTAssertFalse(libraries.contains("libFoundationNetworking"), "something imports FoundationNetworking:\n\(libraries)")
        XCTAssertFalse(libraries.contains("libcurl"), "libcurl is linked instead of opened on demand:\n\(libraries)")
        #else
        throw XCTSkip("Apple platforms use URLSession")
        #endif
    }
}
