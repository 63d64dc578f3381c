import Foundation
import XCTest
import DashScopeMock
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The built binary refuses what would leak the key or crash, reports a stdout it cannot write, and leaves no
/// half-written file when it is terminated.
final class HardeningTests: EndToEndCase {
    // MARK: The key

    func testAKeyWithAnInjectedHeaderIsRefusedAndNothingIsSent() throws {
        let injected = "sk-test-e2e-7f3a9c41d2-abcd\r\nX-Injected: yes"
        let fromEnv = try run(["t2i", "a cat"], env: ["DASHSCOPE_API_KEY": injected])
        assertExit(fromEnv, 64)
        XCTAssertTrue(fromEnv.stderr.contains("DASHSCOPE_API_KEY contains a line break"), fromEnv.stderr)
        let fromFlag = try run(["t2i", "a cat", "--api-key", injected])
        assertExit(fromFlag, 64)
        XCTAssertTrue(fromFlag.stderr.contains("--api-key"), fromFlag.stderr)
        for result in [fromEnv, fromFlag] {
            XCTAssertFalse(result.stderr.contains("X-Injected"), "the key is not echoed: \(result.stderr)")
            assertNoBacktrace(result)
        }
        XCTAssertTrue(mock.requests.isEmpty, "nothing may be sent: \(mock.requests.map(\.path))")
    }

    func testAKeyWithAControlCharacterInTheConfigFileNamesTheLine() throws {
        try write("region = cn\napi_key = sk-file-0000\u{1B}0000abcd\n", to: ".config/dashscope/config")
        let result = try run(["t2i", "a cat"], removing: ["DASHSCOPE_API_KEY"])
        assertExit(result, 78)
        XCTAssertTrue(result.stderr.contains("dashscope/config, line 2"), result.stderr)
        XCTAssertTrue(mock.requests.isEmpty)
    }

    // MARK: Plain http

    func testPlainHTTPOffThisMachineIsRefusedBeforeAnythingIsSent() throws {
        let flag = try run(["t2i", "a cat", "--base-url", "http://example.invalid"])
        assertExit(flag, 64)
        XCTAssertTrue(flag.stderr.contains("clear text"), flag.stderr)
        XCTAssertTrue(flag.stderr.contains("--allow-insecure-http"), "the hint names the flag: \(flag.stderr)")
        let env = try run(["t2i", "a cat", "--dry-run"], env: ["DASHSCOPE_BASE_URL": "http://example.invalid:8089"])
        assertExit(env, 64)
        XCTAssertTrue(env.stderr.contains("DASHSCOPE_BASE_URL"), env.stderr)
        XCTAssertTrue(mock.requests.isEmpty)
    }

    func testAllowInsecureHTTPAcceptsItInADryRun() throws {
        let result = try run(["t2i", "a cat", "--base-url", "http://example.invalid", "--allow-insecure-http", "--dry-run"])
        assertExit(result, 0)
        XCTAssertTrue(result.stdout.contains("http://example.invalid/api/v1/"), result.stdout)
        XCTAssertTrue(result.stdout.contains(Self.redactedKey), result.stdout)
    }

    // MARK: No input crashes

    func testAnAbsurdSizeIsAUsageErrorWithoutABacktrace() throws {
        for size in ["4000000000x4000000000", "99999999999999999999999999x1", "4000000000:1", "9223372036854775807*2"] {
            let result = try run(["t2i", "a cat", "--size", size])
            assertExit(result, 64)
            assertNoBacktrace(result)
            XCTAssertTrue(result.stderr.contains("out of range"), "\(size): \(result.stderr)")
        }
        XCTAssertTrue(mock.requests.isEmpty)
    }

    // MARK: stdout failures

    func testResultsToAFullDeviceExit73() throws {
        try XCTSkipUnless(FileManager.default.isWritableFile(atPath: "/dev/full"), "/dev/full is not available here")
        for args in [["models"], ["models", "--json"], ["version"], ["t2i", "a cat", "-m", "wan2.2-t2i-flash"]] {
            let result = try runWithStdout(args, FileHandle(forWritingAtPath: "/dev/full")!)
            assertExit(result, 73)
            assertNoBacktrace(result)
            let expected = args.contains("--json")
                ? #"{"error":{"code":"cannot_write","message":"cannot write the results to stdout: No space left on device","#
                : "error: cannot write the results to stdout: No space left on device"
            XCTAssertEqual(result.errorLines.filter { $0.hasPrefix(expected) }.count, 1, "\(args): \(result.stderr)")
            XCTAssertEqual(result.errorLines.filter { $0.hasPrefix("error: ") || $0.hasPrefix(#"{"error""#) }.count, 1, "\(args): \(result.stderr)")
            XCTAssertEqual(result.stderr.contains("what was not printed"), args[0] == "t2i",
                           "only what a run made is repeated on stderr, never a listing it can print again: \(result.stderr)")
        }
        // The loop above saved a PNG too, so the file to look for is the one this run adds. `.first` of the sorted
        // names picked the loop's file whenever the clock's second turned between the two runs.
        let earlier = Set(files(matching: ".png"))
        let saved = try runWithStdout(["t2i", "a cat", "-m", "wan2.2-t2i-flash"], FileHandle(forWritingAtPath: "/dev/full")!)
        assertExit(saved, 73)
        let added = files(matching: ".png").filter { !earlier.contains($0) }
        XCTAssertEqual(added.count, 1, "one new file: \(added)")
        let path = added.first ?? "?"
        XCTAssertTrue(saved.stderr.contains("what was not printed:\n") && saved.stderr.contains(path),
                      "the saved file is named on stderr when stdout cannot take it: \(saved.stderr)")
    }

    /// A reader that leaves (`| head`) ends every command quietly with its own status; a job's results are still saved
    /// and journaled.
    func testResultsToAClosedPipeEndQuietly() throws {
        for args in [["models"], ["help", "--json"], ["task", "list", "--local"], ["t2i", "a cat", "-m", "wan2.2-t2i-flash", "--json"],
                     ["t2i", "a dog", "-m", "wan2.2-t2i-flash"], ["task", "wait", "--all", "--json"]] {
            let pipe = Pipe()
            try pipe.fileHandleForReading.close()
            let result = try runWithStdout(args, pipe.fileHandleForWriting)
            assertExit(result, 0)
            assertNoBacktrace(result)
            XCTAssertFalse(result.stderr.contains("error") || result.stderr.contains("stdout"), "\(args): \(result.stderr)")
        }
        XCTAssertEqual(files(matching: ".png").count, 2, "the results were saved")
        let local = try run(["task", "list", "--local", "--json"])
        let entries = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(local.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(entries.map { $0["outcome"] as? String }, ["SUCCEEDED", "SUCCEEDED"], "the journal knows they finished")
    }

    // MARK: Signals

    /// SIGTERM stops a run as Ctrl-C does, but with 143: the task id and the resume line are printed (as one JSON error
    /// with code `terminated` under --json), and the task's resumable partial download is kept.
    func testSIGTERMPrintsTheTaskAndTheResumeLine() throws {
        for json in [false, true] {
            mock.inject(try Fault(spec: "slow@file:5"))
            let process = try spawn(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-o", "pics/"] + (json ? ["--json"] : []))
            waitUntil("the download has started") { downloads.count == (json ? 2 : 1) }
            process.send(SIGTERM)
            let result = process.finish(timeout: 10)
            assertExit(result, 143)
            assertNoBacktrace(result)
            XCTAssertTrue(result.stderr.contains("dashscope task wait"), "the resume line: \(result.stderr)")
            if json {
                let line = try XCTUnwrap(result.errorLines.last)
                let error = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]).object("error")
                XCTAssertEqual(error.string("code"), "terminated")
                XCTAssertEqual(error.int("exit_code"), 143)
                XCTAssertNotNil(error.string("task_id"), line)
            } else {
                // Stopped during the download: the task is done, its files are what waits.
                XCTAssertTrue(result.stderr.contains("terminated; the results of task "), result.stderr)
                XCTAssertFalse(result.stderr.contains("keeps running"), result.stderr)
            }
        }
        XCTAssertEqual(files(matching: ".png"), [])
        assertOnlyResumableParts()
    }

    func testSIGTERMDuringADownloadKeepsOnlyTheResumablePartAndExits143() throws {
        mock.inject(try Fault(spec: "slow@file:5"))
        let process = try spawn(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-o", "pics/"])
        waitUntil("the download has started") { !downloads.isEmpty }
        waitUntil("the .part file exists") { !files(matching: ".part").isEmpty }
        let sent = Date()
        process.send(SIGTERM)
        let result = process.finish(timeout: 10)
        assertExit(result, 143)
        assertNoBacktrace(result)
        XCTAssertLessThan(Date().timeIntervalSince(sent), 3, "SIGTERM must not wait for the slow download (5 s)")
        XCTAssertEqual(files(matching: ".png"), [])
        assertOnlyResumableParts()
    }

    func testASecondInterruptKeepsOnlyTheResumablePartAndExits130() throws {
        mock.inject(try Fault(spec: "slow@file:5"))
        let process = try spawn(["t2i", "a cat", "-m", "wan2.2-t2i-flash", "-o", "pics/"])
        waitUntil("the download has started") { !downloads.isEmpty }
        waitUntil("the .part file exists") { !files(matching: ".part").isEmpty }
        process.send(SIGINT)
        process.send(SIGINT)
        let result = process.finish(timeout: 10)
        assertExit(result, 130)
        assertNoBacktrace(result)
        XCTAssertEqual(files(matching: ".png"), [])
        assertOnlyResumableParts()
    }

    func testSIGTERMWhileWaitingExits143() throws {
        try startMock(MockOptions(taskSeconds: 30))
        let process = try spawn(["t2i", "a slow cat", "-m", "wan2.2-t2i-flash"])
        waitUntil("the task is polled") { !polls.isEmpty }
        process.send(SIGTERM)
        let result = process.finish(timeout: 10)
        assertExit(result, 143)
        XCTAssertLessThan(result.seconds, 15)
    }

    // MARK: Helpers

    /// Runs `dashscope args` with stdout sent to `handle`, stderr collected.
    private func runWithStdout(_ args: [String], _ handle: FileHandle) throws -> RunResult {
        let process = Process()
        process.executableURL = try Self.binary()
        process.arguments = args
        process.environment = environment()
        process.currentDirectoryURL = root
        process.standardOutput = handle
        let errors = Pipe()
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let started = Date()
        try process.run()
        try handle.close()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let result = RunResult(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                               stdout: "", stderr: String(decoding: stderr, as: UTF8.self),
                               seconds: Date().timeIntervalSince(started))
        assertKeyHidden(result)
        return result
    }
}
