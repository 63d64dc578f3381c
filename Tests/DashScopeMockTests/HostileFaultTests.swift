import Foundation
import XCTest
@testable import DashScopeMock

/// The faults that make the mock behave like a hostile or broken server, for the CLI's security tests.
final class HostileFaultTests: MockTestCase {
    private static let createBody = #"{"model":"wan2.2-t2i-flash","input":{"prompt":"a cat"},"parameters":{"n":1}}"#

    /// Sends a raw async create and returns the raw answer, so redirects are seen rather than followed.
    private func rawCreate(key: String = "sk-test", body: String = createBody) throws -> (head: String, body: Data) {
        let answer = try RawConnection.exchange(
            port: server.port,
            "POST \(GenerationRoute.promptAsync.path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(key)\r\n"
                + "X-DashScope-Async: enable\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        )
        return RawConnection.split(answer)
    }

    func testRedirectAnswers302WithTheLocation() throws {
        server.inject(Fault(.redirect, value: "gopher://127.0.0.1:6379/_x", route: .create))
        let (head, _) = try rawCreate()
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 302 Found"), head)
        XCTAssertTrue(head.contains("\r\nLocation: gopher://127.0.0.1:6379/_x"), head)
        XCTAssertTrue(try rawCreate().head.hasPrefix("HTTP/1.1 200"), "used up")
    }

    func testRedirectOnDownloads() throws {
        server.inject(try Fault(spec: "redirect=file:///etc/passwd@file"))
        let task = try RawConnection.exchange(port: server.port, "GET /api/v1/tasks/x HTTP/1.1\r\nAuthorization: Bearer sk-t\r\n\r\n")
        XCTAssertTrue(RawConnection.split(task).head.hasPrefix("HTTP/1.1 200"), "other routes untouched")
        let answer = try RawConnection.exchange(port: server.port, "GET /files/a/0.png HTTP/1.1\r\n\r\n")
        let head = RawConnection.split(answer).head
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 302") && head.contains("Location: file:///etc/passwd"), head)
    }

    func testResultURLReplacesTaskAndSyncURLs() async throws {
        server.inject(Fault(.resultURL, value: "file:///etc/passwd", count: 2))
        let task = try await query(try await createTask(n: 2))
        let urls = (task.output["results"] as? [[String: Any]])?.map { $0["url"] as? String }
        XCTAssertEqual(urls, ["file:///etc/passwd", "file:///etc/passwd"])
        let sync = try await post(.messagesSync, Body.messages("wan2.6-t2i"))
        let choices = try XCTUnwrap(sync.output["choices"] as? [[String: Any]])
        let content = (choices.first?["message"] as? [String: Any])?["content"] as? [[String: Any]]
        XCTAssertEqual(content?.first?["image"] as? String, "file:///etc/passwd")
        let normal = try await query(try await createTask())
        let url = try XCTUnwrap((normal.output["results"] as? [[String: Any]])?.first?["url"] as? String)
        XCTAssertTrue(url.hasPrefix(server.origin + "/files/"), url)
    }

    func testRequestIDIsForcedOnAnswersIncludingSync() async throws {
        server.inject(Fault(.requestID, value: "../../x", count: 2))
        let sync = try await post(.messagesSync, Body.messages("wan2.6-t2i"))
        XCTAssertEqual(sync.json["request_id"] as? String, "../../x")
        let choices = try XCTUnwrap(sync.output["choices"] as? [[String: Any]])
        let content = (choices.first?["message"] as? [String: Any])?["content"] as? [[String: Any]]
        let url = try XCTUnwrap(content?.first?["image"] as? String)
        XCTAssertFalse(url.contains(".."), "file URLs stay plain: \(url)")
        let download = try await send("GET", String(url.dropFirst(server.origin.count)), key: nil)
        XCTAssertEqual(download.status, 200, "the file of a forced-id answer exists")
        let refused = try await post(.promptAsync, Body.prompt("no-such-model"))
        XCTAssertEqual(refused.json["request_id"] as? String, "../../x", "error answers too")
        let next = try await query("x")
        XCTAssertEqual((next.json["request_id"] as? String)?.count, 36, "used up")
    }

    func testRequestIDLeavesDownloadsAlone() async throws {
        server.inject(Fault(.requestID, value: "odd"))
        _ = try await send("GET", "/files/a/0.png", key: nil)
        let reply = try await query("x")
        XCTAssertEqual(reply.json["request_id"] as? String, "odd")
    }

    func testTaskIDIsGivenToTheNextTask() async throws {
        server.inject(Fault(.taskID, value: "$(touch x)"))
        let created = try await post(.promptAsync, Body.prompt("wan2.2-t2i-flash"))
        XCTAssertEqual(created.output["task_id"] as? String, "$(touch x)")
        let reply = try await send("GET", "/api/v1/tasks/%24(touch%20x)")
        XCTAssertEqual(reply.taskStatus, "SUCCEEDED")
        XCTAssertEqual(reply.output["task_id"] as? String, "$(touch x)")
        let url = try XCTUnwrap((reply.output["results"] as? [[String: Any]])?.first?["url"] as? String)
        XCTAssertFalse(url.contains("touch"), "file URLs use a plain id: \(url)")
        let next = try await createTask()
        XCTAssertNotEqual(next, "$(touch x)", "used up")
    }

    func testMessageAndCodeFailTheNextTask() async throws {
        let hostile = "Bad\u{1b}]0;pwned\u{07}Code"
        server.inject(Fault(.message, value: "boom \u{1b}[31mred"))
        let failed = try await query(try await createTask())
        XCTAssertEqual(failed.taskStatus, "FAILED")
        XCTAssertEqual(failed.output["code"] as? String, "InternalError")
        XCTAssertEqual(failed.output["message"] as? String, "boom \u{1b}[31mred")
        server.inject(Fault(.code, value: hostile))
        server.inject(Fault(.message, value: "both"))
        let both = try await query(try await createTask())
        XCTAssertEqual(both.output["code"] as? String, hostile)
        XCTAssertEqual(both.output["message"] as? String, "both")
        let next = try await query(try await createTask())
        XCTAssertEqual(next.taskStatus, "SUCCEEDED", "used up")
    }

    func testMessageFailsASyncAnswer() async throws {
        server.inject(Fault(.code, value: "Evil\u{1b}Code"))
        let reply = try await post(.messagesSync, Body.messages("wan2.6-t2i"))
        XCTAssertEqual(reply.status, 400)
        XCTAssertEqual(reply.code, "Evil\u{1b}Code")
    }

    func testEchoKeyQuotesTheAuthorizationHeaderInErrors() throws {
        server.inject(Fault(.echoKey, route: .create))
        let (head, body) = try rawCreate(key: "sk-secret-1234", body: #"{"model":"wan2.2-t2i-flash"}"#)
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 400"), head)
        let message = try XCTUnwrap(
            (try JSONSerialization.jsonObject(with: body) as? [String: Any])?["message"] as? String
        )
        XCTAssertTrue(message.contains("Authorization: Bearer sk-secret-1234"), message)
        let (_, second) = try rawCreate(key: "sk-secret-1234", body: "{}")
        XCTAssertFalse(String(decoding: second, as: UTF8.self).contains("sk-secret"), "used up")
    }

    func testEchoKeyWaitsForAnErrorAndWorksWithInjectedErrors() async throws {
        server.inject(Fault(.echoKey))
        let fine = try await query("x")
        XCTAssertEqual(fine.status, 200)
        server.inject(Fault(.throttle, route: .task))
        let throttled = try await send("GET", "/api/v1/tasks/x", key: "sk-echo")
        XCTAssertEqual(throttled.status, 429)
        XCTAssertTrue(throttled.message.contains("Bearer sk-echo"), throttled.message)
    }

    func testHugeStreamsABodyOfTheAskedSize() throws {
        server.inject(try Fault(spec: "huge:0.5@create"))
        let (head, body) = try rawCreate()
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 200") && head.contains("Transfer-Encoding: chunked"), head)
        XCTAssertFalse(head.contains("Content-Length"), head)
        let json = try Dechunk.decode(body)
        XCTAssertEqual(json.count, 524_288)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        XCTAssertEqual((object["output"] as? [String: Any])?["task_status"] as? String, "PENDING")
        XCTAssertGreaterThan((object["padding"] as? String)?.count ?? 0, 500_000)
    }

    func testAbsurdRetryAfterIsCappedRatherThanCrashing() async throws {
        server.inject(try Fault(spec: "429@task:1e300"))
        let reply = try await query("x")
        XCTAssertEqual(reply.status, 429)
        XCTAssertEqual(reply.headers["retry-after"], "1000000000")
    }

    func testStatusShowsAnOddStatusForCountPolls() async throws {
        server.inject(Fault(.status, value: "WEIRD", count: 2))
        let id = try await createTask()
        let first = try await query(id)
        let second = try await query(id)
        let third = try await query(id)
        XCTAssertEqual([first.taskStatus, second.taskStatus, third.taskStatus], ["WEIRD", "WEIRD", "SUCCEEDED"])
        server.inject(Fault(.status, value: ""))
        let missing = try await query(try await createTask())
        XCTAssertEqual(missing.status, 200)
        XCTAssertNil(missing.output["task_status"])
        XCTAssertNotNil(missing.output["task_id"])
    }

    func testBigNumbersAreSentAsRawJSONText() throws {
        server.inject(Fault(.bigNumbers))
        let created = try JSONSerialization.jsonObject(with: rawCreate().body) as? [String: Any]
        let id = try XCTUnwrap((created?["output"] as? [String: Any])?["task_id"] as? String)
        let answer = try RawConnection.exchange(
            port: server.port, "GET /api/v1/tasks/\(id) HTTP/1.1\r\nAuthorization: Bearer sk-t\r\n\r\n"
        )
        let text = String(decoding: RawConnection.split(answer).body, as: UTF8.self)
        XCTAssertTrue(text.contains(#""image_count":9007199254740993"#), text)
        XCTAssertTrue(text.contains(#""duration":1e999"#), text)
        XCTAssertFalse(text.contains("@@"), text)
    }
}

/// Decodes an HTTP/1.1 chunked body.
enum Dechunk {
    struct Malformed: Error {}

    static func decode(_ data: Data) throws -> Data {
        var bytes = [UInt8](data)[...]
        var body = Data()
        while true {
            guard let lineEnd = bytes.firstIndex(of: 13), bytes.index(after: lineEnd) < bytes.endIndex,
                  let size = Int(String(decoding: bytes[..<lineEnd], as: UTF8.self), radix: 16) else {
                throw Malformed()
            }
            bytes = bytes[(lineEnd + 2)...]
            if size == 0 {
                return body
            }
            guard bytes.count >= size + 2 else {
                throw Malformed()
            }
            body.append(contentsOf: bytes.prefix(size))
            bytes = bytes.dropFirst(size + 2)
        }
    }
}
