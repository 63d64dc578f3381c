import Foundation
import XCTest
@testable import DashScopeKit

/// A value shared between a test and the closures it hands to the library.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value { lock.withLock { stored } }

    func mutate<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&stored) } }
}

/// A sleeper that records each requested delay and moves a fake clock instead of waiting.
final class RecordingSleeper: Sleeper, @unchecked Sendable {
    private let delays = Locked<[Double]>([])
    let clock: FakeClock?

    init(clock: FakeClock? = nil) { self.clock = clock }

    var recorded: [Double] { delays.value }

    func sleep(seconds: Double) async throws {
        delays.mutate { $0.append(seconds) }
        clock?.advance(seconds)
    }
}

/// A clock that only moves when told to.
final class FakeClock: @unchecked Sendable {
    private let current = Locked(Date(timeIntervalSince1970: 1_767_225_600))

    func now() -> Date { current.value }

    func advance(_ seconds: Double) { current.mutate { $0 = $0.addingTimeInterval(seconds) } }
}

/// One scripted answer of a `FakeTransport`.
enum Scripted: Sendable {
    case response(HTTPResponse)
    case failure(TransportError)

    static func json(_ status: Int, _ text: String, headers: [String: String] = [:]) -> Scripted {
        .response(HTTPResponse(status: status, headers: headers, body: Data(text.utf8)))
    }
}

/// A transport that answers from a script (the last entry repeats) and records every request it is sent.
final class FakeTransport: HTTPTransport, @unchecked Sendable {
    private let script: Locked<[Scripted]>
    private let sent = Locked<[HTTPRequest]>([])
    /// Bytes written to the file of a successful download.
    let downloadBytes: Data

    init(_ script: [Scripted], downloadBytes: Data = Data("PNGDATA".utf8)) {
        self.script = Locked(script)
        self.downloadBytes = downloadBytes
    }

    var requests: [HTTPRequest] { sent.value }

    private func next(_ request: HTTPRequest) -> Scripted {
        sent.mutate { $0.append(request) }
        return script.mutate { list in list.count > 1 ? list.removeFirst() : list[0] }
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        switch next(request) {
        case let .response(response): return response
        case let .failure(error): throw error
        }
    }

    func download(_ request: HTTPRequest, to file: URL, progress: (@Sendable (Int64) -> Void)?) async throws -> HTTPResponse {
        let answer = next(request)
        switch answer {
        case let .response(response):
            let ok = (200..<300).contains(response.status)
            _ = FileManager.default.createFile(atPath: file.path, contents: ok ? downloadBytes : Data())
            return ok ? HTTPResponse(status: response.status, headers: response.headers) : response
        case let .failure(error):
            _ = FileManager.default.createFile(atPath: file.path, contents: downloadBytes.prefix(3))
            throw error
        }
    }
}

/// A fresh directory under the system temp directory, removed when the test ends.
func temporaryDirectory(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "dashscope-unit-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// A configuration for a client, read from flags only (the config file lives in an empty directory).
func configuration(key: String? = "sk-test-0123456789abcd", region: String? = nil, baseURL: String? = nil) throws -> Configuration {
    try Configuration.resolve(flags: .init(apiKey: key, region: region, baseURL: baseURL),
                              environment: ["XDG_CONFIG_HOME": "/nonexistent-dashscope-unit", "HOME": "/nonexistent-dashscope-unit"])
}

/// A client over a fake transport whose retries never wait.
func client(_ transport: FakeTransport, configuration: Configuration, sleeper: RecordingSleeper = RecordingSleeper(),
            logger: Logger = .silent) -> APIClient {
    APIClient(configuration: configuration, transport: transport,
              retrier: Retrier(sleeper: sleeper, random: { 0.5 }, logger: logger), logger: logger)
}

/// Asserts that `body` throws a `DashScopeError` with `exit`, and returns it for further checks.
@discardableResult
func assertFails(_ exit: ExitCode, file: StaticString = #filePath, line: UInt = #line,
                 _ body: () throws -> Void) -> DashScopeError? {
    do {
        try body()
        XCTFail("expected a DashScopeError (exit \(exit.rawValue)), got success", file: file, line: line)
    } catch let error as DashScopeError {
        XCTAssertEqual(error.exitCode, exit, "\(error)", file: file, line: line)
        return error
    } catch {
        XCTFail("expected a DashScopeError, got \(error)", file: file, line: line)
    }
    return nil
}

/// The async form of `assertFails`.
@discardableResult
func assertFailsAsync(_ exit: ExitCode, file: StaticString = #filePath, line: UInt = #line,
                      _ body: () async throws -> Void) async -> DashScopeError? {
    do {
        try await body()
        XCTFail("expected a DashScopeError (exit \(exit.rawValue)), got success", file: file, line: line)
    } catch let error as DashScopeError {
        XCTAssertEqual(error.exitCode, exit, "\(error)", file: file, line: line)
        return error
    } catch {
        XCTFail("expected a DashScopeError, got \(error)", file: file, line: line)
    }
    return nil
}
