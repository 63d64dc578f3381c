import Foundation
import XCTest
@testable import DashScopeMock

/// The upload faults: `policy-refused` on getPolicy, `oss-error` on the form POST, and generic faults on both routes.
final class UploadFaultTests: MockTestCase {
    func testPolicyRefusedAnswers403OnceAndOnlyOnGetPolicy() async throws {
        server.inject(try Fault(spec: "policy-refused"))
        let created = try await post(.promptAsync, Body.prompt("wan2.2-t2i-flash"))
        XCTAssertEqual(created.status, 200, "other routes are left alone")
        let refused = try await send("GET", "/api/v1/uploads?action=getPolicy&model=wan2.6-i2v")
        assertError(refused, 403, "AccessDenied")
        _ = try await policy("wan2.6-i2v")
    }

    func testOSSErrorAnswers500InXMLOnceThenTheSameFormIsStored() async throws {
        server.inject(Fault(.ossError))
        let form = UploadForm(policy: try await policy())
        let failed = try await upload(form)
        XCTAssertEqual(failed.status, 500)
        XCTAssertEqual(failed.headers["content-type"], "application/xml")
        XCTAssertTrue(String(decoding: failed.body, as: UTF8.self).contains("<Code>InternalError</Code>"))
        XCTAssertEqual(server.uploads, [])
        let retried = try await upload(form)
        XCTAssertEqual(retried.status, 200)
        XCTAssertEqual(server.uploads.map(\.key), [form.key])
    }

    func testGenericFaultsReachTheUploadRoutes() async throws {
        server.inject(try Fault(spec: "429@oss:2"))
        server.inject(try Fault(spec: "503@policy"))
        assertError(try await send("GET", "/api/v1/uploads?action=getPolicy&model=m"), 503, "ServiceUnavailable")
        let form = UploadForm(policy: try await policy())
        let throttled = try await upload(form)
        XCTAssertEqual(throttled.status, 429)
        XCTAssertEqual(throttled.headers["retry-after"], "2")
        XCTAssertTrue(String(decoding: throttled.body, as: UTF8.self).contains("<Code>Throttling.RateQuota</Code>"))
    }
}
