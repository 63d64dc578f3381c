import Foundation
import XCTest
@testable import DashScopeKit

/// How transport failures reach the user through `APIClient`: what may have happened, what to do, which exit code.
final class TransportErrorMessageTests: XCTestCase {
    private let create = Endpoint(method: "POST", path: "/services/aigc/text2image/image-synthesis", body: .object([]), async: true,
                                  kind: .create)
    private let poll = Endpoint(method: "GET", path: "/tasks/t-1", kind: .idempotent)

    private func failure(_ error: TransportError, _ endpoint: Endpoint, deadline: Date? = nil,
                         exit: ExitCode) async throws -> (DashScopeError?, FakeTransport) {
        let transport = FakeTransport([.failure(error), .json(200, "{}")])
        let failed = await assertFailsAsync(exit) {
            _ = try await client(transport, configuration: try configuration()).perform(endpoint, deadline: deadline)
        }
        return (failed, transport)
    }

    func testAnAnswerLostAfterACreateSaysTheTaskMayExist() async throws {
        for error: TransportError in [.truncated(expected: 100, received: 10), .connectionLost("reset"), .answerTooLarge(limit: 1 << 25)] {
            let (failed, transport) = try await failure(error, create, exit: .unavailable)
            XCTAssertEqual(transport.requests.count, 1, "\(error): a create that may have arrived is not re-sent")
            let hint = failed?.hint ?? ""
            XCTAssertTrue(hint.contains("dashscope task list"), hint)
            XCTAssertFalse(hint.contains("then try again"), hint)
        }
    }

    func testATruncatedAnswerOfUnknownLengthSaysHowMuchArrived() {
        XCTAssertEqual(TransportError.truncated(expected: -1, received: 0).message, "the answer ended early (after 0 bytes)")
        XCTAssertEqual(TransportError.truncated(expected: 100, received: 10).message, "the answer ended early (10 of 100 bytes)")
    }

    func testTheDeadlineExitsTryLaterNamingTheHost() async throws {
        let (sent, _) = try await failure(.deadlineReached(sent: true), create, exit: .tryLater)
        XCTAssertTrue(sent?.message.contains("dashscope.aliyuncs.com") ?? false, sent?.message ?? "")
        XCTAssertTrue(sent?.hint?.contains("dashscope task list") ?? false, "a create that may have arrived: \(sent?.hint ?? "")")
        let (unsent, _) = try await failure(.deadlineReached(sent: false), poll, exit: .tryLater)
        XCTAssertTrue(unsent?.hint?.contains("--timeout") ?? false, unsent?.hint ?? "")
    }

    func testTrustAndLibraryFailuresAreNotRetriedAndSayWhatToSet() async throws {
        let (tls, tlsTransport) = try await failure(.tlsFailed("unable to get local issuer certificate"), poll, exit: .unavailable)
        XCTAssertEqual(tlsTransport.requests.count, 1)
        for name in ["SSL_CERT_FILE", "CURL_CA_BUNDLE", "SSL_CERT_DIR"] { XCTAssertTrue(tls?.hint?.contains(name) ?? false, name) }
        let (library, libraryTransport) = try await failure(.libraryMissing("libcurl is not installed"), create, exit: .unavailable)
        XCTAssertEqual(libraryTransport.requests.count, 1)
        XCTAssertTrue(library?.message.contains("libcurl") ?? false)
        XCTAssertTrue(library?.hint?.contains("apt install libcurl4") ?? false, library?.hint ?? "")
    }

    func testARefusedHeaderIsAUsageError() async throws {
        let (failed, _) = try await failure(.invalidHeader("Authorization"), poll, exit: .usage)
        XCTAssertTrue(failed?.message.contains("Authorization") ?? false)
    }

    func testTheDeadlineTravelsWithTheRequest() async throws {
        let transport = FakeTransport([.json(200, "{}")])
        let deadline = Date().addingTimeInterval(30)
        _ = try await client(transport, configuration: try configuration()).perform(poll, deadline: deadline)
        XCTAssertEqual(transport.requests.first?.deadline, deadline)
    }
}
