import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Answers the requests an `HTTPServer` reads.
protocol HTTPHandler: Sendable {
    /// Decides what to do with a complete request.
    func reply(to request: HTTPRequest) -> HTTPReply
    /// Builds the answer to bytes that are not a valid request.
    func reply(toMalformed error: HTTPRequestError) -> HTTPResponse
}

/// A small HTTP/1.1 server on one IPv4 address: one accept thread, each connection on its own dispatch queue,
/// kept alive between requests as HTTP/1.1 allows.
final class HTTPServer: @unchecked Sendable {
    private struct State {
        var started = false
        var stopping = false
        var open: Set<Int32> = []
    }

    /// The port the listening socket is bound to.
    let port: UInt16
    private let listener: Int32
    private let handler: any HTTPHandler
    private let acceptCounter: Locked<Int>
    private let state = Locked(State())
    private let acceptLoopEnded = DispatchSemaphore(value: 0)

    /// Binds and listens on `address`:`port` (0 picks a free port); nothing is accepted until `start()`.
    /// Each accepted connection adds one to `acceptCounter`.
    init(address: in_addr, port: UInt16, handler: any HTTPHandler, acceptCounter: Locked<Int>) throws(MockServerError) {
        let socket = try Socket.listen(address: address, port: port)
        self.listener = socket.descriptor
        self.port = socket.port
        self.handler = handler
        self.acceptCounter = acceptCounter
    }

    /// Starts accepting connections on a dedicated thread.
    func start() {
        let shouldStart = state.withLock { state in
            defer { state.started = true }
            return !state.started && !state.stopping
        }
        guard shouldStart else {
            return
        }
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "dashscope-mock accept"
        thread.start()
    }

    /// Closes the listening socket, ends the accept loop and cuts off connections still being served.
    func stop() {
        let wasAccepting = state.withLock { state -> Bool? in
            guard !state.stopping else {
                return nil
            }
            state.stopping = true
            state.open.forEach(Socket.shutdownBoth)
            return state.started
        }
        switch wasAccepting {
        case true?:
            Socket.shutdownBoth(listener)
            acceptLoopEnded.wait()
        case false?:
            close(listener)
        case nil:
            break
        }
    }

    // MARK: - Accepting

    private var isStopping: Bool {
        state.withLock { $0.stopping }
    }

    private func acceptLoop() {
        while !isStopping {
            guard Socket.waitReadable(listener, milliseconds: 100) else {
                continue
            }
            guard let connection = Socket.accept(listener) else {
                usleep(10_000)
                continue
            }
            let admitted = state.withLock { state -> Bool in
                guard !state.stopping else {
                    return false
                }
                state.open.insert(connection)
                return true
            }
            guard admitted else {
                close(connection)
                break
            }
            acceptCounter.withLock { $0 += 1 }
            // A serial queue of its own draws from Dispatch's overcommitting pool, so connections blocked
            // in recv or in a paced download never starve the others (a shared concurrent queue would).
            DispatchQueue(label: "dashscope-mock.connection").async { [self] in serve(connection) }
        }
        close(listener)
        acceptLoopEnded.signal()
    }

    // MARK: - Serving one connection

    private func serve(_ connection: Int32) {
        Socket.configure(connection: connection, receiveTimeout: 15)
        var reader = HTTPRequestReader { Socket.receive(connection) }
        while serveOne(from: &reader, on: connection) {}
        release(connection)
    }

    /// Reads and answers one request; returns whether the connection stays open for the next one, which it does
    /// when the client allows it and the answer went out whole (faults that cut or stall an answer close).
    private func serveOne(from reader: inout HTTPRequestReader, on connection: Int32) -> Bool {
        let reply: HTTPReply
        var headOnly = false
        var clientKeepsAlive = false
        do throws(HTTPRequestError) {
            let request = try reader.readRequest { Socket.send(connection, HTTPRequestReader.continueLine) }
            headOnly = request.method == "HEAD"
            clientKeepsAlive = request.keepsAlive
            reply = handler.reply(to: request)
        } catch .closed {
            return false
        } catch {
            reply = .respond(handler.reply(toMalformed: error))
        }
        guard case .respond(var response) = reply else {
            return false
        }
        response.keepAlive = clientKeepsAlive && response.delivery == .whole && !isStopping
        guard write(response, to: connection, headOnly: headOnly) else {
            return false
        }
        if response.keepAlive {
            return true
        }
        Socket.finishWriting(connection)
        return false
    }

    /// Writes a response as its delivery asks; returns false when the connection broke or the server stops.
    private func write(_ response: HTTPResponse, to connection: Int32, headOnly: Bool) -> Bool {
        let head = response.head()
        if headOnly {
            return Socket.send(connection, head)
        }
        if let stream = response.stream {
            guard Socket.send(connection, head) else {
                return false
            }
            let writer = ChunkWriter { [self] data in !isStopping && Socket.send(connection, data) }
            stream.write(writer)
            return writer.finish()
        }
        let total = response.bodyCount
        switch response.delivery {
        case .whole:
            return total <= Self.pieceLimit
                ? Socket.send(connection, head + response.bodyBytes(0..<total)) && counted(response, total)
                : Socket.send(connection, head) && writeSpaced(response, 0..<total, pieceSize: Self.pieceLimit,
                                                               interval: 0, to: connection)
        case .truncated:
            return Socket.send(connection, head)
                && writeSpaced(response, 0..<(total / 2), pieceSize: Self.pieceLimit, interval: 0, to: connection)
        case .stalled(let seconds):
            return Socket.send(connection, head)
                && writeSpaced(response, 0..<(total / 2), pieceSize: Self.pieceLimit, interval: 0, to: connection)
                && pause(seconds)
        case .paced(let seconds):
            let pieces = max(1, min(total, 20))
            let pieceSize = max(1, (total + pieces - 1) / pieces)
            return Socket.send(connection, head)
                && writeSpaced(response, 0..<total, pieceSize: pieceSize, interval: max(0, seconds) / Double(pieces),
                               to: connection)
        case .trickled(let interval, let limit):
            let pieces = min(total, Int(limit / max(interval, 0.001)))
            return Socket.send(connection, head)
                && writeSpaced(response, 0..<pieces, pieceSize: 1, interval: interval, to: connection, leadingPause: false)
        }
    }

    /// The most body bytes read and sent at once, so a large file never sits whole in memory.
    private static let pieceLimit = 256 * 1024

    /// Reports `count` body bytes sent; returns true so it chains after a send.
    private func counted(_ response: HTTPResponse, _ count: Int) -> Bool {
        response.onBodySent?(count)
        return true
    }

    /// Sends body bytes `range` in pieces of at most `pieceSize` bytes (and `pieceLimit`), with a pause of `interval`
    /// seconds before each (or only between them), counting each piece sent.
    private func writeSpaced(
        _ response: HTTPResponse, _ range: Range<Int>, pieceSize: Int, interval: Double, to connection: Int32,
        leadingPause: Bool = true
    ) -> Bool {
        var offset = range.lowerBound
        while offset < range.upperBound {
            if interval > 0, leadingPause || offset > range.lowerBound {
                guard pause(interval) else {
                    return false
                }
            }
            let end = min(offset + pieceSize, range.upperBound)
            var start = offset
            while start < end {
                let stop = min(start + Self.pieceLimit, end)
                guard !isStopping, Socket.send(connection, response.bodyBytes(start..<stop)) else {
                    return false
                }
                response.onBodySent?(stop - start)
                start = stop
            }
            offset = end
        }
        return true
    }

    /// Waits `seconds`, waking early (and returning false) when the server stops.
    private func pause(_ seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !isStopping {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else {
                return true
            }
            Thread.sleep(forTimeInterval: min(left, 0.05))
        }
        return false
    }

    private func release(_ connection: Int32) {
        state.withLock { state in
            state.open.remove(connection)
            close(connection)
        }
    }
}
