#if os(Linux)
import Foundation
import Glibc

/// A loopback HTTP/1.1 server for transport tests: it records each request and answers with raw bytes the test
/// chooses, so redirects, early closes, short bodies and stalls can be staged exactly.
final class CannedHTTPServer: @unchecked Sendable {
    /// One request as it arrived.
    struct Received {
        var method: String
        var path: String
        /// Header lines as sent, names lowercased.
        var headers: [(String, String)]
        var body: Data

        func header(_ name: String) -> String? { headers.first { $0.0 == name.lowercased() }?.1 }
    }

    /// What to do with one request.
    enum Answer {
        /// Send these bytes, then close.
        case raw(String)
        /// Close at once without answering.
        case close
        /// Say nothing for this many seconds, then close.
        case stall(Double)
        /// Let the closure write what it wants (in pieces, slowly, endlessly), then close.
        case script(@Sendable (Connection) -> Void)
    }

    /// The open connection a `script` answer writes to.
    struct Connection: Sendable {
        let descriptor: Int32

        /// Sends bytes; false once the client has gone.
        @discardableResult
        func send(_ data: Data) -> Bool {
            data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let count = Glibc.send(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                    if count < 0 && errno == EINTR { continue }
                    guard count > 0 else { return false }
                    offset += count
                }
                return true
            }
        }

        /// Sends text.
        @discardableResult
        func send(_ text: String) -> Bool { send(Data(text.utf8)) }
    }

    private let listener: Int32
    let port: UInt16
    private let lock = NSLock()
    private var log: [Received] = []
    private var accepted = 0
    private let answer: @Sendable (Received) -> Answer

    /// Starts listening on 127.0.0.1 at a free port.
    init(answer: @escaping @Sendable (Received) -> Answer) throws {
        self.answer = answer
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var reuse: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(listener, pointer, length) == 0 && Glibc.listen(listener, 16) == 0
                    && getsockname(listener, pointer, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        port = UInt16(bigEndian: address.sin_port)
        Thread { [self] in acceptLoop() }.start()
    }

    /// The IPv4 address 127.0.0.1:`port`.
    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    /// Stops accepting. The accept thread closes the listener as it leaves: closing it here let the next test's server
    /// get the same descriptor number while this server's thread still accepted on it, answering that test's request
    /// with this test's answer (an "Empty reply from server" after a test whose answer was `.close`).
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
    }

    /// `http://127.0.0.1:PORT` + path.
    func url(_ path: String, host: String = "127.0.0.1") -> URL {
        URL(string: "http://\(host):\(port)\(path)")!
    }

    /// The requests so far.
    var requests: [Received] { lock.withLock { log } }

    /// How many connections were accepted, requests or not.
    var connections: Int { lock.withLock { accepted } }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 && errno == EINTR { continue }
            guard connection >= 0 else {
                close(listener)
                return
            }
            lock.withLock { accepted += 1 }
            Thread { [self] in serve(connection) }.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { finish(connection) }
        guard let request = read(connection) else { return }
        lock.withLock { log.append(request) }
        switch answer(request) {
        case .raw(let text):
            Connection(descriptor: connection).send(text)
        case .close:
            break
        case .stall(let seconds):
            usleep(UInt32(seconds * 1_000_000))
        case .script(let write):
            write(Connection(descriptor: connection))
        }
    }

    /// Ends the answer with a FIN and waits (up to 2 s) for the client to close first, so the kernel never turns the
    /// close into a reset that could discard bytes still on their way (a rare "Empty reply from server" under load).
    private func finish(_ connection: Int32) {
        shutdown(connection, Int32(SHUT_WR))
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        while recv(connection, &buffer, buffer.count, 0) > 0 {}
        close(connection)
    }

    private func read(_ connection: Int32) -> Received? {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let end = data.range(of: Data("\r\n\r\n".utf8)) {
                let head = String(decoding: data[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
                let start = head[0].split(separator: " ")
                let headers = head.dropFirst().compactMap { line -> (String, String)? in
                    guard let colon = line.firstIndex(of: ":") else { return nil }
                    return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                }
                let length = Int(headers.first { $0.0 == "content-length" }?.1 ?? "0") ?? 0
                while data.count - end.upperBound < length {
                    let count = recv(connection, &buffer, buffer.count, 0)
                    if count < 0 && errno == EINTR { continue }
                    guard count > 0 else { return nil }
                    data.append(contentsOf: buffer[0..<count])
                }
                return Received(method: String(start[0]), path: String(start[1]), headers: headers,
                                body: Data(data[end.upperBound..<(end.upperBound + length)]))
            }
            // A signal (a child process of another test ending) interrupts recv: read again, never answer nothing.
            let count = recv(connection, &buffer, buffer.count, 0)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            data.append(contentsOf: buffer[0..<count])
        }
    }
}
#endif
