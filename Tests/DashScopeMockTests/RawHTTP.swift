import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@testable import DashScopeMock

/// A bare TCP client for what URLSession cannot show: interim responses, dropped and truncated answers, malformed requests.
struct RawConnection {
    let descriptor: Int32

    /// Connects to 127.0.0.1:`port`, or throws when nothing listens there.
    init(port: UInt16) throws {
        #if canImport(Glibc)
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw MockServerError("connect failed: errno \(errno)")
        }
        Socket.configure(connection: descriptor, receiveTimeout: 5)
    }

    func send(_ text: String) {
        Socket.send(descriptor, Data(text.utf8))
    }

    /// Reads until `marker` has arrived (or the peer closes).
    func read(until marker: String) -> String {
        var received = Data()
        while !String(decoding: received, as: UTF8.self).contains(marker) {
            let bytes = Socket.receive(descriptor)
            guard !bytes.isEmpty else {
                break
            }
            received.append(contentsOf: bytes)
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Reads until the peer closes.
    func readToEnd() -> Data {
        var received = Data()
        while true {
            let bytes = Socket.receive(descriptor)
            guard !bytes.isEmpty else {
                return received
            }
            received.append(contentsOf: bytes)
        }
    }

    func disconnect() {
        close(descriptor)
    }

    /// Sends `request` and returns everything answered until the server closes; a `Connection: close` header is
    /// added after the request line (unless the request names a Connection) so the server closes after answering.
    static func exchange(port: UInt16, _ request: String) throws -> Data {
        let connection = try RawConnection(port: port)
        defer { connection.disconnect() }
        var text = request
        if !text.lowercased().contains("\r\nconnection:"), let lineEnd = text.range(of: "\r\n") {
            text.insert(contentsOf: "Connection: close\r\n", at: lineEnd.upperBound)
        }
        connection.send(text)
        return connection.readToEnd()
    }

    /// Splits a raw answer into its head (status line and headers) and body.
    static func split(_ answer: Data) -> (head: String, body: Data) {
        guard let range = answer.range(of: Data("\r\n\r\n".utf8)) else {
            return (String(decoding: answer, as: UTF8.self), Data())
        }
        return (String(decoding: answer[..<range.lowerBound], as: UTF8.self), Data(answer[range.upperBound...]))
    }
}
