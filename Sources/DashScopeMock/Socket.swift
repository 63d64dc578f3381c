#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers over the BSD socket calls the HTTP server needs, hiding the Linux and macOS differences.
enum Socket {
    #if canImport(Glibc)
    private static let streamType = Int32(SOCK_STREAM.rawValue)
    private static let sendFlags = Int32(MSG_NOSIGNAL)
    #else
    private static let streamType = SOCK_STREAM
    private static let sendFlags: Int32 = 0
    #endif

    /// Parses a dotted IPv4 address such as `127.0.0.1` into network byte order, or returns nil.
    static func ipv4Address(_ text: String) -> in_addr? {
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1 ? address : nil
    }

    /// Opens a TCP socket listening on `address` at `port` (0 picks a free port) and returns it with the bound port.
    static func listen(address: in_addr, port: UInt16) throws(MockServerError) -> (descriptor: Int32, port: UInt16) {
        let descriptor = socket(AF_INET, streamType, 0)
        guard descriptor >= 0 else {
            throw MockServerError("cannot create a socket: \(lastError())")
        }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var socketAddress = sockaddr_in()
        #if canImport(Darwin)
        socketAddress.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
        #endif
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        socketAddress.sin_addr = address
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, systemListen(descriptor) == 0 else {
            let reason = lastError()
            close(descriptor)
            throw MockServerError("cannot listen on \(text(of: address)):\(port): \(reason)")
        }
        return (descriptor, boundPort(descriptor))
    }

    /// Prepares an accepted connection: no SIGPIPE on macOS, no Nagle delay (each streamed event leaves at once)
    /// and a receive timeout so stalled clients are let go.
    static func configure(connection descriptor: Int32, receiveTimeout seconds: Int) {
        #if canImport(Darwin)
        var noSignal: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &noSignal, socklen_t(MemoryLayout<Int32>.size))
        #endif
        var noDelay: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval()
        timeout.tv_sec = seconds
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Waits up to `milliseconds` for the descriptor to become readable (or for a pending connection).
    static func waitReadable(_ descriptor: Int32, milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, milliseconds) > 0
    }

    /// Accepts one pending connection, or returns nil when there is none or the socket was shut down.
    static func accept(_ descriptor: Int32) -> Int32? {
        #if canImport(Glibc)
        let connection = Glibc.accept(descriptor, nil, nil)
        #else
        let connection = Darwin.accept(descriptor, nil, nil)
        #endif
        return connection >= 0 ? connection : nil
    }

    /// Reads whatever is available, up to `maxCount` bytes; an empty array means end of stream, an error or a timeout.
    static func receive(_ descriptor: Int32, maxCount: Int = 64 * 1024) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: maxCount)
        while true {
            let count = bytes.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, maxCount, 0) }
            if count < 0, errno == EINTR {
                continue
            }
            return count > 0 ? Array(bytes[..<count]) : []
        }
    }

    /// Writes all of `data`; returns false when the peer has gone away.
    @discardableResult
    static func send(_ descriptor: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                #if canImport(Glibc)
                let written = Glibc.send(descriptor, raw.baseAddress! + offset, raw.count - offset, sendFlags)
                #else
                let written = Darwin.send(descriptor, raw.baseAddress! + offset, raw.count - offset, sendFlags)
                #endif
                if written < 0, errno == EINTR {
                    continue
                }
                guard written > 0 else {
                    return false
                }
                offset += written
            }
            return true
        }
    }

    /// Stops further reads and writes on a descriptor, waking any thread blocked on it.
    static func shutdownBoth(_ descriptor: Int32) {
        #if canImport(Glibc)
        Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
        #else
        Darwin.shutdown(descriptor, SHUT_RDWR)
        #endif
    }

    /// Sends FIN after a response, then briefly reads what the client still sends, so closing never resets the connection.
    static func finishWriting(_ descriptor: Int32) {
        #if canImport(Glibc)
        Glibc.shutdown(descriptor, Int32(SHUT_WR))
        #else
        Darwin.shutdown(descriptor, SHUT_WR)
        #endif
        configure(connection: descriptor, receiveTimeout: 1)
        var drained = 0
        while drained < 1024 * 1024 {
            let bytes = receive(descriptor)
            guard !bytes.isEmpty else {
                break
            }
            drained += bytes.count
        }
    }

    private static func systemListen(_ descriptor: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.listen(descriptor, 128)
        #else
        Darwin.listen(descriptor, 128)
        #endif
    }

    private static func boundPort(_ descriptor: Int32) -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Writes an IPv4 address in dotted form.
    static func text(of address: in_addr) -> String {
        var bytes = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        var copy = address
        guard inet_ntop(AF_INET, &copy, &bytes, socklen_t(bytes.count)) != nil else {
            return "?"
        }
        return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
