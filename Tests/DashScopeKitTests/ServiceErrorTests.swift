import Foundation
import XCTest
@testable import DashScopeKit

final class ServiceErrorTests: XCTestCase {
    private func body(_ text: String) -> ServiceError.Body? { ServiceError.body(from: Data(text.utf8)) }

    // MARK: Bodies

    func testNativeBody() {
        XCTAssertEqual(body(#"{"code":"InvalidParameter","message":"size is wrong","request_id":"r-1"}"#),
                       ServiceError.Body(code: "InvalidParameter", message: "size is wrong", requestID: "r-1"))
    }

    func testMsgIsAnAliasOfMessage() {
        XCTAssertEqual(body(#"{"code":"InvalidApiKey","msg":"Invalid API-key provided.","request_id":"r-2"}"#)?.message,
                       "Invalid API-key provided.")
    }

    func testCompatibleModeBody() {
        let found = body(#"{"error":{"code":"invalid_api_key","message":"Incorrect API key provided.","type":"invalid_request_error"},"request_id":"r-3"}"#)
        XCTAssertEqual(found, ServiceError.Body(code: "invalid_api_key", message: "Incorrect API key provided.", requestID: "r-3"))
        XCTAssertEqual(body(#"{"error":{"message":"m","type":"rate_limit"},"id":"chatcmpl-1"}"#),
                       ServiceError.Body(code: "rate_limit", message: "m", requestID: "chatcmpl-1"))
    }

    func testSSEBody() {
        let sse = "id:1\nevent:error\n:HTTP_STATUS/400\ndata:{\"code\":\"InvalidParameter\",\"message\":\"bad input\",\"request_id\":\"r-4\"}\n\n"
        XCTAssertEqual(body(sse), ServiceError.Body(code: "InvalidParameter", message: "bad input", requestID: "r-4"))
        XCTAssertEqual(body("data: {\"error\":{\"code\":\"x\",\"message\":\"y\"}}\n\n")?.code, "x")
    }

    func testBodiesWithoutAnErrorGiveNil() {
        XCTAssertNil(body(#"{"output":{"task_id":"t"},"request_id":"r"}"#))
        XCTAssertNil(body(#"{"code":"","message":"ok"}"#))
        XCTAssertNil(body(#"{"error":null,"choices":[]}"#))
        XCTAssertNil(body("<html>502 Bad Gateway</html>"))
        XCTAssertNil(body(""))
    }

    // MARK: Exit codes and hints

    func testStatusToExitCode() {
        let table: [(Int, ExitCode)] = [(400, .failed), (404, .failed), (401, .keyRejected), (403, .keyRejected), (429, .tryLater),
                                        (500, .unavailable), (502, .unavailable), (503, .unavailable), (504, .unavailable)]
        for (status, exit) in table {
            XCTAssertEqual(ServiceError.error(status: status, data: Data(#"{"code":"C","message":"m"}"#.utf8), region: .cn).exitCode,
                           exit, "\(status)")
        }
    }

    func testErrorCarriesCodeMessageAndRequestID() {
        let error = ServiceError.error(status: 400, data: Data(#"{"code":"DataInspectionFailed","message":"Input data may contain inappropriate content.","request_id":"r-9"}"#.utf8), region: .cn)
        XCTAssertEqual(error.message, "the service refused the request (DataInspectionFailed, HTTP 400): Input data may contain inappropriate content.")
        XCTAssertEqual(error.serviceCode, "DataInspectionFailed")
        XCTAssertEqual(error.requestID, "r-9")
        XCTAssertTrue(error.hint?.contains("rephrase") ?? false)
    }

    func test401HintNamesTheRegion() {
        let error = ServiceError.error(status: 401, data: Data(#"{"code":"InvalidApiKey","message":"Invalid API-key provided."}"#.utf8), region: .intl)
        XCTAssertEqual(error.exitCode, .keyRejected)
        let hint = error.hint ?? ""
        XCTAssertTrue(hint.contains("intl"), hint)
        XCTAssertTrue(hint.contains("dashscope-intl.aliyuncs.com"), hint)
        XCTAssertTrue(hint.contains("--region"), hint)
        let elsewhere = ServiceError.error(status: 401, data: Data(), region: nil).hint ?? ""
        XCTAssertFalse(elsewhere.contains("this call went to"), "no region host to name for a custom base URL: \(elsewhere)")
        XCTAssertTrue(elsewhere.contains("keys are per region"), elsewhere)
    }

    func testHintsPerCase() {
        let cases: [(Int, String, String)] = [
            (404, #"{"code":"ModelNotFound","message":"Model not exist."}"#, "dashscope models"),
            (429, #"{"code":"Throttling.AllocationQuota","message":"Free allocated quota exceeded."}"#, "free quota"),
            (429, #"{"code":"Throttling","message":"Requests throttling triggered."}"#, "rate limited"),
            (403, #"{"code":"AccessDenied","message":"current user api does not support synchronous calls"}"#, "asynchronously"),
            (400, #"{"code":"Arrearage","message":"Access denied, please make sure your account is in good standing."}"#, "overdue"),
            (503, "<html>busy</html>", "try again later"),
        ]
        for (status, text, expected) in cases {
            let hint = ServiceError.error(status: status, data: Data(text.utf8), region: .cn).hint ?? ""
            XCTAssertTrue(hint.contains(expected), "\(status): \(hint)")
        }
    }

    func testNonJSONErrorAnswer() {
        let error = ServiceError.error(status: 502, data: Data("<html>Bad Gateway</html>".utf8), region: .cn)
        XCTAssertEqual(error.exitCode, .unavailable)
        XCTAssertEqual(error.message, "the service refused the request (HTTP 502): no message")
        XCTAssertNil(error.serviceCode)
    }

    // MARK: APIClient.perform

    private let get = Endpoint(method: "GET", path: "/tasks/t-1", kind: .idempotent)

    func testNoKeyExits78AndSendsNothing() async throws {
        let transport = FakeTransport([.json(200, "{}")])
        let api = client(transport, configuration: try configuration(key: nil))
        await assertFailsAsync(.noKey) { _ = try await api.perform(self.get) }
        XCTAssertTrue(transport.requests.isEmpty)
    }

    func testSuccessReturnsTheParsedAnswer() async throws {
        let transport = FakeTransport([.json(200, #"{"request_id":"r","output":{"task_id":"t-1","task_status":"RUNNING"}}"#)])
        let json = try await client(transport, configuration: try configuration()).perform(get)
        XCTAssertEqual(json["output"]?["task_status"]?.string, "RUNNING")
        XCTAssertEqual(transport.requests.count, 1)
        XCTAssertEqual(transport.requests.first?.url.absoluteString, "https://dashscope.aliyuncs.com/api/v1/tasks/t-1")
    }

    func test200WithATopLevelCodeIsAnError() async throws {
        let transport = FakeTransport([.json(200, #"{"code":"InvalidParameter","message":"url error","request_id":"r-5"}"#)])
        let error = await assertFailsAsync(.failed) { _ = try await client(transport, configuration: try configuration()).perform(self.get) }
        XCTAssertEqual(error?.serviceCode, "InvalidParameter")
        XCTAssertEqual(error?.requestID, "r-5")
        XCTAssertTrue(error?.message.contains("url error") ?? false)
    }

    func testNonJSONSuccessIsReported() async throws {
        let transport = FakeTransport([.json(200, "<html>captive portal</html>")])
        let error = await assertFailsAsync(.unavailable) { _ = try await client(transport, configuration: try configuration()).perform(self.get) }
        XCTAssertTrue(error?.message.contains("not JSON") ?? false, error?.message ?? "")
    }

    func test401ThroughTheClientNamesTheRegionHost() async throws {
        let transport = FakeTransport([.json(401, #"{"code":"InvalidApiKey","message":"Invalid API-key provided."}"#)])
        let error = await assertFailsAsync(.keyRejected) {
            _ = try await client(transport, configuration: try configuration(region: "us")).perform(self.get)
        }
        XCTAssertTrue(error?.hint?.contains("dashscope-us.aliyuncs.com") ?? false, error?.hint ?? "")
        XCTAssertEqual(transport.requests.count, 1, "a 401 is never retried")
    }

    func testServerErrorsAreRetriedThenReported() async throws {
        let transport = FakeTransport([.json(500, #"{"code":"InternalError","message":"oops"}"#)])
        let sleeper = RecordingSleeper()
        let error = await assertFailsAsync(.unavailable) {
            _ = try await client(transport, configuration: try configuration(), sleeper: sleeper).perform(self.get)
        }
        XCTAssertEqual(transport.requests.count, 4)
        XCTAssertEqual(sleeper.recorded.count, 3)
        XCTAssertEqual(error?.serviceCode, "InternalError")
    }

    func testALostConnectionOnACreateIsNotResentAndSaysWhy() async throws {
        let transport = FakeTransport([.failure(.connectionLost("reset by peer"))])
        let create = Endpoint(method: "POST", path: "/services/aigc/text2image/image-synthesis", body: .object([]), async: true, kind: .create)
        let error = await assertFailsAsync(.unavailable) { _ = try await client(transport, configuration: try configuration()).perform(create) }
        XCTAssertEqual(transport.requests.count, 1)
        XCTAssertTrue(error?.hint?.contains("dashscope task list") ?? false, error?.hint ?? "")
    }

    func testVerboseTraceNeverShowsTheKey() async throws {
        let key = "sk-test-0123456789abcd"
        let lines = Locked<[String]>([])
        let logger = Logger(notice: { _ in }, trace: { line in lines.mutate { $0.append(line) } })
        let transport = FakeTransport([.json(200, #"{"echo":"\#(key)"}"#)])
        _ = try await client(transport, configuration: try configuration(key: key), logger: logger).perform(
            Endpoint(method: "POST", path: "/x", body: .object(["k": .string(key)]), kind: .create))
        XCTAssertFalse(lines.value.isEmpty)
        for line in lines.value { XCTAssertFalse(line.contains(key), line) }
        XCTAssertTrue(lines.value.contains("> Authorization: Bearer sk-…abcd"), "\(lines.value)")
        XCTAssertTrue(lines.value.contains { $0.hasPrefix("< HTTP 200") }, "\(lines.value)")
    }
}
