#if os(Linux)
import Foundation
import XCTest
@testable import DashScopeKit

/// TLS through the libcurl transport against `openssl s_server` on loopback with a throwaway certificate:
/// an untrusted certificate is refused before anything is sent, and a trust store from the environment is honoured.
final class CurlTLSTests: XCTestCase {
    private var directory: URL!
    private var server: Process?
    private var port: UInt16 = 0

    override func setUpWithError() throws {
        guard let openssl = ["/usr/bin/openssl", "/bin/openssl", "/usr/local/bin/openssl"]
            .first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw XCTSkip("openssl is not installed")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let make = try run(openssl, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                     "-keyout", "key.pem", "-out", "cert.pem", "-days", "1", "-subj", "/CN=localhost",
                                     "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        make.waitUntilExit()
        XCTAssertEqual(make.terminationStatus, 0, "openssl req failed")
        port = try Self.freePort()
        server = try run(openssl, ["s_server", "-quiet", "-www", "-accept", "127.0.0.1:\(port)",
                                   "-cert", "cert.pem", "-key", "key.pem"])
        let deadline = Date().addingTimeInterval(10)
        while !Self.accepts(port) {
            guard Date() < deadline, server?.isRunning == true else { throw XCTSkip("openssl s_server did not start") }
            usleep(20_000)
        }
    }

    override func tearDown() {
        server?.terminate()
        server?.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
        super.tearDown()
    }

    func testAnUntrustedCertificateIsATrustFailureNeverRetried() async throws {
        let transport = CurlTransport(trust: TrustStore(file: "/nonexistent-so-nothing-is-trusted.pem"))
        do {
            _ = try await transport.send(HTTPRequest(method: "GET", url: URL(string: "https://localhost:\(port)/")!))
            XCTFail("a self-signed certificate must not be trusted")
        } catch TransportError.tlsFailed {
        }
        let system = CurlTransport()
        do {
            _ = try await system.send(HTTPRequest(method: "GET", url: URL(string: "https://localhost:\(port)/")!))
            XCTFail("the system store does not hold this certificate")
        } catch let error as TransportError {
            guard case let .tlsFailed(message) = error else { return XCTFail("\(error)") }
            XCTAssertFalse(message.isEmpty)
            XCTAssertFalse(error.maySeeRequest)
            XCTAssertFalse(error.isRetryable(.idempotent))
            let hint = try XCTUnwrap(error.hint)
            for name in ["SSL_CERT_FILE", "CURL_CA_BUNDLE", "SSL_CERT_DIR"] { XCTAssertTrue(hint.contains(name), hint) }
        }
    }

    func testTheTrustStoreFromTheEnvironmentIsUsed() async throws {
        let cert = directory.appendingPathComponent("cert.pem").path
        XCTAssertEqual(TrustStore(environment: ["SSL_CERT_FILE": cert]), TrustStore(file: cert))
        XCTAssertEqual(TrustStore(environment: ["CURL_CA_BUNDLE": cert, "SSL_CERT_DIR": "/d"]), TrustStore(file: cert, directory: "/d"))
        XCTAssertEqual(TrustStore(environment: ["SSL_CERT_FILE": ""]), TrustStore())
        let transport = SystemTransport.make(environment: ["SSL_CERT_FILE": cert])
        let response = try await transport.send(HTTPRequest(method: "GET", url: URL(string: "https://localhost:\(port)/")!))
        XCTAssertEqual(response.status, 200)
    }

    private func run(_ path: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    private static func freePort() throws -> UInt16 {
        let server = try CannedHTTPServer { _ in .close }
        defer { server.stop() }
        return server.port
    }

    private static func accepts(_ port: UInt16) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = CannedHTTPServer.loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
#endif
