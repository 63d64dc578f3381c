import Foundation
import XCTest
import DashScopeKit
import DashScopeCLI

/// A value shared between a test and the closures it hands to the CLI.
final class Shared<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value { lock.withLock { stored } }

    func mutate(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}

/// A sleeper that records delays and returns at once.
final class InstantSleeper: Sleeper, @unchecked Sendable {
    let delays = Shared<[Double]>([])

    func sleep(seconds: Double) async throws { delays.mutate { $0.append(seconds) } }
}

/// A fake DashScope: answers API calls with a handler and serves every download with fixed bytes. Records every request.
final class FakeService: HTTPTransport, @unchecked Sendable {
    let requests = Shared<[HTTPRequest]>([])
    private let handler: @Sendable (HTTPRequest) -> HTTPResponse

    init(_ handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse) { self.handler = handler }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        requests.mutate { $0.append(request) }
        return handler(request)
    }

    func download(_ request: HTTPRequest, to file: URL, progress: (@Sendable (Int64) -> Void)?) async throws -> HTTPResponse {
        requests.mutate { $0.append(request) }
        _ = FileManager.default.createFile(atPath: file.path, contents: Data("\u{89}PNG-bytes-of-\(request.url.lastPathComponent)".utf8))
        return HTTPResponse(status: 200)
    }

    static func json(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["content-type": "application/json"], body: Data(text.utf8))
    }
}

/// What one in-process run of `dashscope` printed and returned.
struct Outcome {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the CLI in-process with a private config/state directory and a working directory of its own.
final class CLIHarness {
    let root: String
    let cwd: String
    var environment: [String: String]
    let sleeper = InstantSleeper()

    init(_ test: XCTestCase) throws {
        root = NSTemporaryDirectory() + "dashscope-cli-unit-" + UUID().uuidString
        cwd = root + "/work"
        try FileManager.default.createDirectory(atPath: cwd, withIntermediateDirectories: true)
        environment = ["HOME": root + "/home", "XDG_CONFIG_HOME": root + "/config", "XDG_STATE_HOME": root + "/state"]
        let root = root
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
    }

    func run(_ arguments: [String], stdin: String? = nil, stdinBytes: Data? = nil, transport: FakeService) async -> Outcome {
        let out = Shared(Data())
        let err = Shared(Data())
        let input = stdinBytes ?? Data((stdin ?? "").utf8)
        let context = RunContext(arguments: arguments, environment: environment, cwd: cwd,
                                 stdinIsTerminal: stdin == nil && stdinBytes == nil, stdoutIsTerminal: false, stderrIsTerminal: false,
                                 readStdin: { input },
                                 writeStdout: { data in out.mutate { $0.append(data) } },
                                 writeStderr: { data in err.mutate { $0.append(data) } },
                                 transport: transport, sleeper: sleeper)
        let status = await CLI.run(context)
        return Outcome(status: status, stdout: String(decoding: out.value, as: UTF8.self),
                       stderr: String(decoding: err.value, as: UTF8.self))
    }

    func files(in directory: String? = nil) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory ?? cwd)) ?? []).sorted()
    }
}
