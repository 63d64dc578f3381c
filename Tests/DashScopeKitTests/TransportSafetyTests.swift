#if os(Linux)
import CCurl
import Foundation
import XCTest
@testable import DashScopeKit

/// What the libcurl transport refuses: schemes other than http(s) at any hop, answers over the memory cap, header
/// values that would smuggle lines; and how it tells "never sent" from "may have arrived".
final class TransportSafetyTests: XCTestCase {
    private var servers: [CannedHTTPServer] = []
    private let transport = CurlTransport()

    override func tearDown() {
        servers.forEach { $0.stop() }
        super.tearDown()
    }

    private func serve(_ answer: @escaping @Sendable (CannedHTTPServer.Received) -> CannedHTTPServer.Answer) throws -> CannedHTTPServer {
        let server = try CannedHTTPServer(answer: answer)
        servers.append(server)
        return server
    }

    private static func redirect(to location: String) -> CannedHTTPServer.Answer {
        .raw("HTTP/1.1 302 Found\r\nLocation: \(location)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    }

    // MARK: Schemes

    func testARedirectToGopherIsRefusedAndNothingReachesItsPort() async throws {
        let victim = try serve { _ in .close }
        let server = try serve { _ in Self.redirect(to: "gopher://127.0.0.1:\(victim.port)/_SET%20x%201") }
        do {
            _ = try await transport.send(HTTPRequest(method: "GET", url: server.url("/result")))
            XCTFail("gopher must not be followed")
        } catch TransportError.unsupportedScheme(let url) {
            XCTAssertTrue(url.hasPrefix("gopher://"), url)
        }
        XCTAssertEqual(server.requests.count, 1)
        XCTAssertEqual(victim.connections, 0, "no byte went to the gopher target")
    }

    /// A body (a signed upload form, a prompt) is never redirected into clear text off this machine: a 307 keeps the
    /// POST, so the check is made before the next hop, and nothing is sent there. On this machine, or after a redirect that
    /// turns the request into a GET, it is followed. (0.0.0.0 is no loopback name, yet a connect there stays on this
    /// machine: were the check gone, the test would still send nothing off it.)
    func testARedirectOfABodyToPlainHTTPOffThisMachineIsRefused() async throws {
        let server = try serve { request in
            request.path == "/upload" ? .raw("HTTP/1.1 307 Temporary Redirect\r\nLocation: http://0.0.0.0:9/oss\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                : .raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        }
        do {
            _ = try await transport.send(HTTPRequest(method: "POST", url: server.url("/upload"), body: Data("signed form".utf8)))
            XCTFail("the form must not go to plain http off this machine")
        } catch TransportError.insecureRedirect(let url) {
            XCTAssertEqual(url, "http://0.0.0.0:9/oss")
        }
        XCTAssertTrue(HTTPRequest.mayResendBody("POST", from: server.url("/upload"), to: server.url("/other")), "this machine is fine")
        // A 303 makes the next hop a GET with no body: it is followed (0.0.0.0:9 refuses the connection, on this machine),
        // and as the first hop reached a server, the failure counts as one that may have arrived.
        let see = try serve { _ in .raw("HTTP/1.1 303 See Other\r\nLocation: http://0.0.0.0:9/result\r\nContent-Length: 0\r\nConnection: close\r\n\r\n") }
        do {
            _ = try await transport.send(HTTPRequest(method: "POST", url: see.url("/create"), body: Data("prompt".utf8)))
            XCTFail("nothing listens on port 9")
        } catch let error as TransportError {
            XCTAssertTrue(error.maySeeRequest, "after a redirect a request may have arrived: \(error)")
            guard case .connectionLost = error else { return XCTFail("followed, then failed to connect: \(error)") }
        }
        XCTAssertTrue(HTTPRequest.mayResendBody("POST", from: URL(string: "http://10.0.0.5:80/a")!, to: URL(string: "http://10.0.0.5:80/b")!),
                      "where the first request already went in clear text (--allow-insecure-http)")
        XCTAssertFalse(HTTPRequest.mayResendBody("POST", from: URL(string: "https://oss.example.com/")!, to: URL(string: "http://oss.example.com/")!),
                       "never down from https")
        XCTAssertTrue(HTTPRequest.mayResendBody("POST", from: URL(string: "https://a.example.com/")!, to: URL(string: "https://b.example.com/")!))
        XCTAssertTrue(HTTPRequest.mayResendBody("GET", from: URL(string: "https://oss.example.com/")!, to: URL(string: "http://oss.example.com/")!),
                      "a GET sends no body")
    }

    func testARedirectToAFileIsRefused() async throws {
        let server = try serve { _ in Self.redirect(to: "file:///etc/passwd") }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("redirect-\(UUID().uuidString).part")
        defer { try? FileManager.default.removeItem(at: file) }
        for attempt in 0..<2 {
            do {
                if attempt == 0 {
                    _ = try await transport.send(HTTPRequest(method: "GET", url: server.url("/x")))
                } else {
                    _ = try await transport.download(HTTPRequest(method: "GET", url: server.url("/x")), to: file, progress: nil)
                }
                XCTFail("file:// must not be followed")
            } catch TransportError.unsupportedScheme {
            }
        }
        XCTAssertEqual(try Data(contentsOf: file), Data(), "nothing of /etc/passwd was saved")
    }

    func testAFirstURLThatIsNotHTTPIsRefusedBeforeAnything() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("first-\(UUID().uuidString).part")
        for url in ["file:///etc/passwd", "gopher://127.0.0.1:6379/_x", "ftp://127.0.0.1/x", "http:///nohost"] {
            do {
                _ = try await transport.send(HTTPRequest(method: "GET", url: URL(string: url)!))
                XCTFail("\(url) must be refused")
            } catch let error as TransportError {
                guard case .unsupportedScheme = error else { return XCTFail("\(url): \(error)") }
                XCTAssertFalse(error.maySeeRequest)
                XCTAssertFalse(error.isRetryable(.idempotent))
            }
            do {
                _ = try await transport.download(HTTPRequest(method: "GET", url: URL(string: url)!), to: file, progress: nil)
                XCTFail("\(url) must be refused")
            } catch TransportError.unsupportedScheme {
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: file.path), "a refused download creates no file")
    }

    func testLibcurlItselfAllowsOnlyHTTP() throws {
        // Below our own scheme check: a transfer handed a gopher URL directly is refused by libcurl's protocol list.
        let victim = try serve { _ in .close }
        try LibCurl.loaded.get()
        let handle = try XCTUnwrap(dscurl_easy_init())
        defer { dscurl_easy_cleanup(handle) }
        let request = HTTPRequest(method: "GET", url: URL(string: "gopher://127.0.0.1:\(victim.port)/_x")!)
        var multi: UnsafeMutableRawPointer?
        let result = CurlTransfer(request: request, trust: TrustStore(), sink: .memory, stall: .downloads).perform(on: handle, multi: &multi)
        XCTAssertThrowsError(try result.get()) { error in
            guard case .cannotConnect(let message) = error as? TransportError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.lowercased().contains("gopher"), message)
        }
        XCTAssertEqual(victim.connections, 0)
    }

    // MARK: Headers

    func testAHeaderWithALineBreakIsNeverSent() async throws {
        let server = try serve { _ in .raw("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") }
        for value in ["Bearer sk-x\r\nX-Injected: yes", "Bearer sk-x\nX", "Bearer \u{1B}]0;title\u{07}", "a\u{7F}"] {
            do {
                _ = try await transport.send(HTTPRequest(method: "GET", url: server.url("/x"), headers: [("Authorization", value)]))
                XCTFail("\(value.debugDescription) must be refused")
            } catch let error as TransportError {
                XCTAssertEqual(error, .invalidHeader("Authorization"))
                XCTAssertFalse(error.message.contains("sk-x"), "the value (a key) is never printed")
            }
        }
        for name in ["X-A\r\nB", "Host: evil.example", "X A", ""] {
            do {
                _ = try await transport.send(HTTPRequest(method: "GET", url: server.url("/x"), headers: [(name, "v")]))
                XCTFail("\(name.debugDescription) is not a header name")
            } catch TransportError.invalidHeader {
            }
        }
        XCTAssertEqual(server.connections, 0)
        _ = try await transport.send(HTTPRequest(method: "GET", url: server.url("/x"), headers: [("X-Tab", "a\tb")]))
        XCTAssertEqual(server.requests.count, 1, "a tab is allowed in a value")
    }

    // MARK: Memory

    /// A 200 answer of `total` bytes of `a` in 1 MiB chunks, as long as the client reads, adding each chunk sent to `sent`.
    private static func chunked(_ total: Int, counting sent: Locked<Int>, type: String? = nil) -> CannedHTTPServer.Answer {
        .script { connection in
            let header = "HTTP/1.1 200 OK\r\n" + (type.map { "Content-Type: \($0)\r\n" } ?? "") + "Transfer-Encoding: chunked\r\n\r\n"
            guard connection.send(header) else { return }
            let chunk = Data(repeating: 0x61, count: 1 << 20)
            let head = Data(String(chunk.count, radix: 16).utf8) + Data("\r\n".utf8)
            while sent.value < total, connection.send(head + chunk + Data("\r\n".utf8)) { sent.mutate { $0 += chunk.count } }
            if sent.value >= total { connection.send("0\r\n\r\n") }
        }
    }

    func testAnAnswerOverTheCapIsRefusedWhileItIsStillBeingSent() async throws {
        let total = 256 << 20
        let sent = Locked(0)
        let server = try serve { _ in Self.chunked(total, counting: sent) }
        do {
            _ = try await transport.send(HTTPRequest(method: "GET", url: server.url("/huge")))
            XCTFail("a 256 MiB answer must not be buffered")
        } catch let error as TransportError {
            XCTAssertEqual(error, .answerTooLarge(limit: HTTPRequest.defaultMaxBodyBytes))
        }
        XCTAssertLessThan(sent.value, total, "reading stopped before the server finished")

        var small = HTTPRequest(method: "GET", url: server.url("/huge"))
        small.maxBodyBytes = 1000
        do {
            _ = try await transport.send(small)
            XCTFail("over a request's own cap")
        } catch TransportError.answerTooLarge(let limit) {
            XCTAssertEqual(limit, 1000)
        }
    }

    /// A stream is handed over as it comes, but not without end: past its cap (`maxStreamBytes` for API streams) the
    /// transfer stops, so a server that never ends a line or an answer cannot fill memory through a stream's reader.
    func testAStreamOverItsCapStopsWhileItIsStillBeingSent() async throws {
        let total = 64 << 20
        let sent = Locked(0)
        let server = try serve { _ in Self.chunked(total, counting: sent, type: "text/event-stream") }
        var request = HTTPRequest(method: "GET", url: server.url("/endless"))
        XCTAssertEqual(request.maxStreamedBytes, HTTPRequest.maxStreamBytes, "every stream is capped unless told otherwise")
        request.maxStreamedBytes = 4 << 20
        let handed = Locked(0)
        do {
            try await transport.stream(request) { bytes in handed.mutate { $0 += bytes.count } }
            XCTFail("a stream past its cap must stop")
        } catch TransportError.answerTooLarge(let limit) {
            XCTAssertEqual(limit, 4 << 20)
        }
        XCTAssertLessThanOrEqual(handed.value, 4 << 20, "nothing past the cap is handed over")
        XCTAssertLessThan(sent.value, total, "reading stopped before the server finished")
    }

    // MARK: Was it sent?

    func testAConnectThatNeverCompletesCannotHaveReachedTheServer() async throws {
        // A listener whose accept queue is full and never drained: Linux drops further SYNs, so connect() hangs.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = CannedHTTPServer.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 0) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        XCTAssertTrue(bound)
        var fillers: [Int32] = []
        defer { fillers.forEach { close($0) } }
        for _ in 0..<4 {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            var target = address
            _ = withUnsafePointer(to: &target) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            fillers.append(filler)
        }
        usleep(100_000)
        let url = URL(string: "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))/x")!
        do {
            _ = try await transport.send(HTTPRequest(method: "POST", url: url, body: Data("{}".utf8), timeout: 1))
            XCTFail("nobody accepts")
        } catch let error as TransportError {
            guard case let .cannotConnect(message) = error else { return XCTFail("a connect timeout is not a lost connection: \(error)") }
            XCTAssertTrue(message.contains("timed out"), message)
            XCTAssertTrue(error.isRetryable(.create), "a create that never left may be sent again")
        }
    }

    func testClassificationFollowsWhatWasSent() {
        let timedOut = LibCurl.Code.timedOut
        XCTAssertEqual(CurlTransfer.classify(code: timedOut, sent: false, detail: "d", deadlineHit: false), .cannotConnect("timed out (d)"))
        XCTAssertEqual(CurlTransfer.classify(code: timedOut, sent: true, detail: "d", deadlineHit: false), .connectionLost("timed out (d)"))
        XCTAssertEqual(CurlTransfer.classify(code: timedOut, sent: true, detail: "d", deadlineHit: true), .deadlineReached(sent: true))
        XCTAssertEqual(CurlTransfer.classify(code: timedOut, sent: false, detail: "d", deadlineHit: true), .deadlineReached(sent: false))
        XCTAssertEqual(CurlTransfer.classify(code: 56, sent: true, detail: "reset", deadlineHit: false), .connectionLost("reset"))
        XCTAssertEqual(CurlTransfer.classify(code: 7, sent: false, detail: "refused", deadlineHit: false), .cannotConnect("refused"))
        for code: Int32 in [60, 77] {
            XCTAssertEqual(CurlTransfer.classify(code: code, sent: false, detail: "ca", deadlineHit: false), .tlsFailed("ca"))
        }
        guard case let .cannotConnect(message) = CurlTransfer.classify(code: 97, sent: false, detail: "p", deadlineHit: false) else {
            return XCTFail("a proxy failure never reached the server")
        }
        XCTAssertTrue(message.contains("HTTPS_PROXY"), message)
    }
}
#endif
