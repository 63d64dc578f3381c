import Foundation
import XCTest
@testable import DashScopeMock

final class FaultSpecTests: XCTestCase {
    func testSpecsParse() throws {
        let cases: [(String, Fault)] = [
            ("429@create*2:1", Fault(.throttle, route: .create, count: 2, seconds: 1)),
            ("429:2.5", Fault(.throttle, seconds: 2.5)),
            ("drop@create", Fault(.drop, route: .create)),
            ("fail", Fault(.fail)),
            ("500@task*3", Fault(.internalError, route: .task, count: 3)),
            ("503@list", Fault(.unavailable, route: .list)),
            ("slow@file:3", Fault(.slow, route: .file, seconds: 3)),
            ("truncate@file", Fault(.truncate, route: .file)),
            ("UNKNOWN", Fault(.unknown)),
            ("partial*2", Fault(.partial, count: 2)),
            ("drop@Cancel:0", Fault(.drop, route: .cancel, seconds: 0)),
            ("huge:64@create", Fault(.huge, route: .create, seconds: 64)),
            ("huge*2@task:0.5", Fault(.huge, route: .task, count: 2, seconds: 0.5)),
            ("stall@file:30", Fault(.stall, route: .file, seconds: 30)),
            ("drop-half@file", Fault(.dropHalf, route: .file)),
            ("trickle", Fault(.trickle)),
            ("empty@file", Fault(.empty, route: .file)),
            ("no-content@file", Fault(.noContent, route: .file)),
            ("partial-content@file", Fault(.partialContent, route: .file)),
            ("echo-key@create", Fault(.echoKey, route: .create)),
            ("big-numbers", Fault(.bigNumbers)),
            ("redirect=gopher://127.0.0.1:6379/_x@create", Fault(.redirect, value: "gopher://127.0.0.1:6379/_x", route: .create)),
            ("redirect=file:///etc/passwd@file", Fault(.redirect, value: "file:///etc/passwd", route: .file)),
            ("redirect=http://h:6379", Fault(.redirect, value: "http://h", seconds: 6379)),
            ("redirect=http://h:6379@any", Fault(.redirect, value: "http://h:6379")),
            ("redirect=http://u@h/@task*2:0", Fault(.redirect, value: "http://u@h/", route: .task, count: 2, seconds: 0)),
            ("result-url=file:///etc/passwd", Fault(.resultURL, value: "file:///etc/passwd")),
            ("request-id=../../x", Fault(.requestID, value: "../../x")),
            ("task-id=$(touch x)", Fault(.taskID, value: "$(touch x)")),
            ("message=a=b*c@d", Fault(.message, value: "a=b*c@d")),
            ("code=Bad", Fault(.code, value: "Bad")),
            ("status=WEIRD*3", Fault(.status, value: "WEIRD", count: 3)),
            ("status=", Fault(.status, value: "")),
            ("status=*2", Fault(.status, value: "", count: 2)),
            ("policy-refused", Fault(.policyRefused)),
            ("oss-error@oss*2", Fault(.ossError, route: .oss, count: 2)),
            ("500@oss", Fault(.internalError, route: .oss)),
            ("429@policy:3", Fault(.throttle, route: .policy, seconds: 3)),
        ]
        for (spec, expected) in cases {
            XCTAssertEqual(try Fault(spec: spec), expected, spec)
        }
    }

    func testBadSpecsExplainThemselves() {
        let cases: [(String, String)] = [
            ("", "unknown kind"),
            ("404", "unknown kind \"404\""),
            ("429@nowhere", "unknown route \"nowhere\""),
            ("429@", "unknown route"),
            ("429*0", "COUNT"),
            ("429*x", "COUNT"),
            ("slow:abc", "SECONDS"),
            ("429:-1", "SECONDS"),
            ("slow@create", "file downloads only"),
            ("truncate@task", "file downloads only"),
            ("stall@create", "file downloads only"),
            ("429@create@task", "@ is given twice"),
            ("fail=x", "fail takes no =VALUE"),
            ("redirect", "redirect needs a value"),
            ("redirect=", "redirect needs a URL"),
            ("redirect=@file", "redirect needs a URL"),
            ("message", "message needs a value"),
            ("nope=x", "unknown kind \"nope\""),
            ("policy-refused@create", "acts on @policy only"),
            ("oss-error@policy", "acts on @oss only"),
        ]
        for (spec, fragment) in cases {
            XCTAssertThrowsError(try Fault(spec: spec), spec) { error in
                let message = String(describing: error)
                XCTAssertTrue(message.contains(fragment), message)
                XCTAssertTrue(message.contains("KIND[=VALUE][@ROUTE][*COUNT][:SECONDS]"), message)
            }
        }
    }

    func testDescriptionIsASpec() throws {
        XCTAssertEqual(Fault(.throttle, route: .create, count: 2, seconds: 1).description, "429@create*2:1")
        let faults = [
            Fault(.slow, route: .file, seconds: 0.5), Fault(.redirect, value: "http://h:6379"),
            Fault(.message, value: "x@create*2:3", count: 2), Fault(.status, value: ""),
        ]
        for fault in faults {
            XCTAssertEqual(try Fault(spec: fault.description), fault, fault.description)
        }
    }

    func testValuesAreTakenAsGivenWhenBuiltInCode() {
        let fault = Fault(.message, value: "Bad\u{1b}]0;pwned\u{07}Code")
        XCTAssertEqual(fault.value, "Bad\u{1b}]0;pwned\u{07}Code")
        XCTAssertEqual(fault.route, .any)
        XCTAssertEqual(fault.count, 1)
    }
}

final class FaultOptionsTests: MockTestCase {
    override var options: MockOptions {
        MockOptions(taskSeconds: 0, faults: [Fault(.unavailable, route: .list)])
    }

    func testFaultsFromOptionsAreQueued() async throws {
        let task = try await query("x")
        XCTAssertEqual(task.status, 200)
        assertError(try await send("GET", "/api/v1/tasks"), 503, "ServiceUnavailable")
        let list = try await send("GET", "/api/v1/tasks")
        XCTAssertEqual(list.status, 200)
    }
}

final class FaultInjectionTests: MockTestCase {
    func testThrottleIsCountedAndRouted() async throws {
        server.inject(Fault(.throttle, route: .create, count: 2, seconds: 2.5))
        let task = try await query("x")
        XCTAssertEqual(task.status, 200, "a task query is not a create")
        for _ in 0..<2 {
            let reply = try await post(.promptAsync, Body.prompt("wan2.2-t2i-flash"))
            assertError(reply, 429, "Throttling.RateQuota", "Requests rate limit exceeded, please try again later.")
            XCTAssertEqual(reply.headers["retry-after"], "3")
        }
        let created = try await post(.promptAsync, Body.prompt("wan2.2-t2i-flash"))
        XCTAssertEqual(created.status, 200)
    }

    func testThrottleDefaultsToOneSecond() async throws {
        server.inject(Fault(.throttle))
        let reply = try await send("GET", "/files/a/0.png", key: nil)
        XCTAssertEqual(reply.headers["retry-after"], "1")
    }

    func testServerErrors() async throws {
        server.inject(Fault(.internalError, route: .task))
        server.inject(Fault(.unavailable, route: .cancel))
        assertError(try await query("x"), 500, "InternalError", "An internal error has occured")
        assertError(try await send("POST", "/api/v1/tasks/x/cancel"), 503, "ServiceUnavailable")
    }

    func testDropClosesWithoutAnAnswerButRecords() async throws {
        server.inject(Fault(.drop, route: .create))
        let connection = try RawConnection(port: server.port)
        defer { connection.disconnect() }
        let body = #"{"model":"wan2.2-t2i-flash","input":{"prompt":"a cat"}}"#
        connection.send("POST \(GenerationRoute.promptAsync.path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-t\r\n"
            + "X-DashScope-Async: enable\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        XCTAssertEqual(connection.readToEnd(), Data())
        XCTAssertEqual(server.requests.last?.json?["model"] as? String, "wan2.2-t2i-flash")
        let list = try await send("GET", "/api/v1/tasks")
        XCTAssertEqual(list.json["total"] as? Int, 0, "a dropped create makes no task")
    }

    func testFailEndsTheNextTaskFailed() async throws {
        server.inject(Fault(.fail, route: .file))
        let reply = try await query(try await createTask())
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.taskStatus, "FAILED")
        XCTAssertEqual(reply.output["code"] as? String, "InternalError.Algo")
        XCTAssertFalse((reply.output["message"] as? String ?? "").isEmpty)
        XCTAssertNotNil(reply.output["end_time"])
        XCTAssertNil(reply.output["results"])
        let next = try await query(try await createTask())
        XCTAssertEqual(next.taskStatus, "SUCCEEDED", "the fault is used up")
    }

    func testUnknownMakesTheNextTaskUnknown() async throws {
        server.inject(Fault(.unknown))
        let id = try await createTask()
        let reply = try await query(id)
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.taskStatus, "UNKNOWN")
        XCTAssertEqual(Set(reply.output.keys), ["task_id", "task_status"])
    }

    func testPartialFailsTheLastImageOfPromptResults() async throws {
        server.inject(Fault(.partial))
        let reply = try await query(try await createTask(n: 3))
        XCTAssertEqual(reply.taskStatus, "SUCCEEDED")
        let results = try XCTUnwrap(reply.output["results"] as? [[String: Any]])
        XCTAssertEqual(results.map { $0["url"] != nil }, [true, true, false])
        XCTAssertEqual(results.last?["code"] as? String, "DataInspectionFailed")
        XCTAssertNotNil(results.last?["message"] as? String)
        XCTAssertEqual(reply.output["task_metrics"] as? [String: Int], ["TOTAL": 3, "SUCCEEDED": 2, "FAILED": 1])
        XCTAssertEqual(reply.usage["image_count"] as? Int, 2)
    }

    func testPartialFailsTheLastImageOfMessagesChoices() async throws {
        server.inject(Fault(.partial))
        let created = try await post(.messagesAsync, Body.messages("wan2.6-t2i", parameters: ["n": 2]))
        let reply = try await query(try XCTUnwrap(created.output["task_id"] as? String))
        let choices = try XCTUnwrap(reply.output["choices"] as? [[String: Any]])
        let content = try XCTUnwrap((choices.first?["message"] as? [String: Any])?["content"] as? [[String: Any]])
        XCTAssertNotNil(content.first?["image"])
        XCTAssertNil(content.last?["image"])
        XCTAssertEqual(content.last?["code"] as? String, "DataInspectionFailed")
        XCTAssertEqual(reply.usage["image_count"] as? Int, 1)
    }

    func testSlowSpreadsTheDownloadOverTime() async throws {
        server.inject(Fault(.slow, seconds: 0.6))
        let task = try await query("x")
        XCTAssertEqual(task.status, 200, "slow never touches API answers")
        let started = Date()
        let reply = try await send("GET", "/files/a/0.png", key: nil)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.5)
        XCTAssertEqual(reply.body, PNG.picture(id: "a", index: 0))
    }

    func testTruncateSendsHalfTheDeclaredBytes() throws {
        server.inject(Fault(.truncate, route: .file))
        let answer = try RawConnection.exchange(port: server.port, "GET /files/a/0.png HTTP/1.1\r\nHost: x\r\n\r\n")
        let (head, body) = RawConnection.split(answer)
        let full = PNG.picture(id: "a", index: 0)
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 200 OK"), head)
        XCTAssertTrue(head.contains("Content-Length: \(full.count)"), head)
        XCTAssertEqual(body, full.prefix(full.count / 2))
    }

    func testFirstMatchingFaultWins() async throws {
        server.inject(Fault(.internalError, route: .task))
        server.inject(Fault(.throttle))
        assertError(try await send("GET", "/api/v1/tasks"), 429, "Throttling.RateQuota")
        assertError(try await query("x"), 500, "InternalError")
        let task = try await query("x")
        XCTAssertEqual(task.status, 200)
    }
}
