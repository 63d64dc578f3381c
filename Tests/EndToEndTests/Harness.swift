import Foundation
import XCTest
import DashScopeMock
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one run of the built `dashscope` binary did.
struct RunResult {
    /// The exit status, or the signal number when the process was killed by a signal.
    var status: Int32
    /// Whether the process was ended by a signal rather than exiting.
    var signaled: Bool
    var stdout: String
    var stderr: String
    /// Seconds from launch to exit.
    var seconds: Double

    /// stdout split into lines (a final newline ends the last line, it does not start an empty one).
    var lines: [String] { Self.split(stdout) }
    /// stderr split into lines.
    var errorLines: [String] { Self.split(stderr) }

    private static func split(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}

/// Bytes read from a pipe on a background thread.
private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    let done = DispatchGroup()

    func drain(_ handle: FileHandle) {
        done.enter()
        DispatchQueue.global().async {
            let bytes = handle.readDataToEndOfFile()
            self.lock.withLock { self.data = bytes }
            self.done.leave()
        }
    }

    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}

/// A running `dashscope` process: stdout and stderr are drained in the background; `finish` waits with a deadline.
final class Spawned {
    let process = Process()
    private let out = Collected()
    private let err = Collected()
    private let started = Date()
    private let stdoutPipe = Pipe()

    /// Starts the process; `closeStdout` closes the reading end of its stdout at once (its first write fails with EPIPE),
    /// `ignoreSIGPIPE` starts it with SIGPIPE ignored (as some supervisors do) instead of the default disposition.
    init(binary: URL, arguments: [String], environment: [String: String], cwd: URL, stdin: String?,
         closeStdout: Bool = false, ignoreSIGPIPE: Bool = false) throws {
        process.executableURL = binary
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = cwd
        let errPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = errPipe
        let inPipe = stdin.map { _ in Pipe() }
        process.standardInput = inPipe ?? FileHandle.nullDevice
        if ignoreSIGPIPE {
            let previous = signal(SIGPIPE, SIG_IGN)
            defer { signal(SIGPIPE, previous) }
            try process.run()
        } else {
            try process.run()
        }
        if closeStdout {
            try stdoutPipe.fileHandleForReading.close()
        } else {
            out.drain(stdoutPipe.fileHandleForReading)
        }
        err.drain(errPipe.fileHandleForReading)
        if let inPipe, let stdin {
            // A child that exits without reading would make this write raise SIGPIPE in the test process: ignore it
            // only around the write, so children still start with the default disposition, as under a shell.
            let previous = signal(SIGPIPE, SIG_IGN)
            try? inPipe.fileHandleForWriting.write(contentsOf: Data(stdin.utf8))
            try? inPipe.fileHandleForWriting.close()
            signal(SIGPIPE, previous)
        }
    }

    /// Sends a signal to the process.
    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the exit (killing the process after `timeout` seconds) and returns what it printed.
    func finish(timeout: Double, file: StaticString = #filePath, line: UInt = #line) -> RunResult {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            XCTFail("dashscope did not finish within \(Int(timeout)) s; killed it", file: file, line: line)
            send(SIGKILL)
        }
        process.waitUntilExit()
        _ = out.done.wait(timeout: .now() + 5)
        _ = err.done.wait(timeout: .now() + 5)
        return RunResult(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                         stdout: out.text, stderr: err.text, seconds: Date().timeIntervalSince(started))
    }
}

/// The base of every end-to-end suite: a fresh directory (cwd, HOME, XDG dirs) and a fresh mock per test,
/// and `run` to execute the built binary against it.
class EndToEndCase: XCTestCase {
    /// The key every run sends; it must never be printed.
    static let apiKey = "sk-test-e2e-7f3a9c41d2-abcd"
    /// How the key must look when it is shown.
    static let redactedKey = "sk-…abcd"
    /// The PNG file signature.
    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    var mock: MockServer!
    var root: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        _ = try Self.binary()
        let base = URL(fileURLWithPath: NSTemporaryDirectory(), isDirectory: true)
        root = base.appendingPathComponent("dashscope-e2e-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        root = root.resolvingSymlinksInPath()
        try startMock(MockOptions(taskSeconds: 0))
    }

    override func tearDownWithError() throws {
        mock?.stop()
        if let root { try? FileManager.default.removeItem(at: root) }
        try super.tearDownWithError()
    }

    /// Replaces the test's mock with one started with `options`.
    func startMock(_ options: MockOptions) throws {
        // The new mock binds before the old one lets go of its port, so the two never share an origin.
        let previous: MockServer? = mock
        mock = MockServer(options: options)
        try mock.start()
        previous?.stop()
    }

    // MARK: - The binary

    /// The built `dashscope` next to the test bundle.
    static func binary() throws -> URL {
        var directories = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        directories.append(Bundle.main.bundleURL)
        directories.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        for directory in directories {
            let candidate = directory.appendingPathComponent("dashscope")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw BinaryMissing(searched: directories.map(\.path))
    }

    /// The error when the executable was not built.
    struct BinaryMissing: Error, CustomStringConvertible {
        var searched: [String]
        var description: String {
            "the built `dashscope` executable was not found next to the test bundle (looked in \(searched.joined(separator: ", "))); "
                + "build it first: swift build --build-tests"
        }
    }

    // MARK: - Running

    /// The minimal environment of a run: nothing from the developer's environment leaks in.
    func environment(_ extra: [String: String] = [:], removing: Set<String> = []) -> [String: String] {
        var env = [
            "PATH": "/usr/bin:/bin",
            "HOME": root.path,
            "XDG_CONFIG_HOME": root.appendingPathComponent(".config").path,
            "XDG_STATE_HOME": root.appendingPathComponent(".state").path,
            "DASHSCOPE_BASE_URL": mock.origin,
            "DASHSCOPE_API_KEY": Self.apiKey,
        ]
        env.merge(extra) { _, new in new }
        for name in removing { env.removeValue(forKey: name) }
        return env
    }

    /// Starts `dashscope args` in the test directory without waiting for it.
    func spawn(_ args: [String], stdin: String? = nil, env: [String: String] = [:], removing: Set<String> = [],
               closeStdout: Bool = false, ignoreSIGPIPE: Bool = false) throws -> Spawned {
        try Spawned(binary: try Self.binary(), arguments: args, environment: environment(env, removing: removing),
                    cwd: root, stdin: stdin, closeStdout: closeStdout, ignoreSIGPIPE: ignoreSIGPIPE)
    }

    /// Runs `dashscope args` to the end (killed after 20 s) and checks the key was printed nowhere.
    @discardableResult
    func run(_ args: [String], stdin: String? = nil, env: [String: String] = [:], removing: Set<String> = [],
             file: StaticString = #filePath, line: UInt = #line) throws -> RunResult {
        let result = try spawn(args, stdin: stdin, env: env, removing: removing).finish(timeout: 20, file: file, line: line)
        assertKeyHidden(result, file: file, line: line)
        return result
    }

    /// Fails if the full API key appears in stdout or stderr.
    func assertKeyHidden(_ result: RunResult, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(result.stdout.contains(Self.apiKey), "the API key was printed on stdout", file: file, line: line)
        XCTAssertFalse(result.stderr.contains(Self.apiKey), "the API key was printed on stderr", file: file, line: line)
    }

    /// Fails unless the run exited normally with `status`; shows both streams on failure.
    func assertExit(_ result: RunResult, _ status: Int32, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(result.signaled, "killed by signal \(result.status)\nstderr:\n\(result.stderr)", file: file, line: line)
        XCTAssertEqual(result.status, status, "stdout:\n\(result.stdout)\nstderr:\n\(result.stderr)", file: file, line: line)
    }

    /// Waits (up to `timeout` seconds) until `condition` holds.
    func waitUntil(_ what: String, timeout: Double = 10, file: StaticString = #filePath, line: UInt = #line,
                   _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > deadline { return XCTFail("timed out waiting until \(what)", file: file, line: line) }
            usleep(20_000)
        }
    }

    // MARK: - Recorded requests

    /// Requests that created or generated something.
    var creates: [RecordedRequest] {
        mock.requests.filter { $0.method == "POST" && $0.path.hasPrefix("/api/v1/services/") }
    }

    /// Task queries (`GET /api/v1/tasks/{id}`).
    var polls: [RecordedRequest] {
        mock.requests.filter { $0.method == "GET" && $0.path.hasPrefix("/api/v1/tasks/") }
    }

    /// Downloads (`GET /files/...`).
    var downloads: [RecordedRequest] {
        mock.requests.filter { $0.path.hasPrefix("/files/") }
    }

    // MARK: - Files

    /// `path` (relative to the test directory, or absolute) as a URL.
    func url(_ path: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)
    }

    /// Fails if the run crashed: killed by a signal, or a crash report on stderr.
    func assertNoBacktrace(_ result: RunResult, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(result.signaled, "killed by signal \(result.status)", file: file, line: line)
        for sign in ["Fatal error", "backtrace", "Backtrace", "Crash", "Illegal instruction", "overflow"] {
            XCTAssertFalse(result.stderr.contains(sign), "stderr shows a crash: \(result.stderr)", file: file, line: line)
        }
    }

    /// Fails unless every path exists and starts with the PNG signature.
    func assertPNGs(_ paths: [String], file: StaticString = #filePath, line: UInt = #line) {
        for path in paths {
            guard let data = FileManager.default.contents(atPath: url(path).path) else {
                XCTFail("\(path) was not saved", file: file, line: line)
                continue
            }
            XCTAssertEqual(Array(data.prefix(8)), Self.pngSignature, "\(path) is not a PNG", file: file, line: line)
        }
    }

    /// Every regular file below the test directory (journal and config excluded), as relative paths.
    func files(matching suffix: String = "") -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var found: [String] = []
        while let path = walker.nextObject() as? String {
            if path.hasPrefix(".state") || path.hasPrefix(".config") { continue }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isDirectory),
               !isDirectory.boolValue, path.hasSuffix(suffix) {
                found.append(path)
            }
        }
        return found.sorted()
    }

    /// Fails if a temporary download file was left anywhere in the test directory.
    func assertNoPartFiles(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(files(matching: ".part"), [], "temporary download files were left behind", file: file, line: line)
    }

    /// Writes a file in the test directory.
    func write(_ text: String, to path: String) throws {
        let target = url(path)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: target)
    }
}

/// Reading nested values out of `JSONSerialization` results.
extension Dictionary where Key == String, Value == Any {
    /// The object at `key`, or empty.
    func object(_ key: String) -> [String: Any] { self[key] as? [String: Any] ?? [:] }
    /// The array at `key`, or empty.
    func array(_ key: String) -> [Any] { self[key] as? [Any] ?? [] }
    /// The string at `key`.
    func string(_ key: String) -> String? { self[key] as? String }
    /// The integer at `key`.
    func int(_ key: String) -> Int? { (self[key] as? NSNumber)?.intValue }
}

extension RecordedRequest {
    /// The prompt of a create request, in either protocol.
    var prompt: String? {
        let input = (json ?? [:]).object("input")
        if let prompt = input.string("prompt") { return prompt }
        let message = input.array("messages").first as? [String: Any] ?? [:]
        return (message.array("content").first as? [String: Any])?.string("text")
    }
}
