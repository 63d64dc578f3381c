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

/// Reads a DashScope SSE answer (compatible-mode chat, native speech and text) into its JSON data objects: `[DONE]` ends
/// the stream, and an error frame becomes a `DashScopeError`. Feed it the chunks `APIClient.stream` hands over.
///
/// An error frame is an `event: error` event, or a data object carrying an `error` object (OpenAI style) or a
/// top-level `code` (DashScope native); it throws exit 1 with the service's code, message and request id, escaped for a
/// terminal. A data line that is not JSON throws exit 69. Blank data lines (keep-alives) are skipped; nothing after
/// `[DONE]` is read. Once an error is thrown, every later call throws it again. The objects of a chunk that came
/// before its error frame are returned first, and the error thrown by the next call (`feed` or `finish`), so nothing
/// the service sent before failing is lost.
public struct ServiceEventStream: Sendable {
    private var parser = ServerSentEventParser()
    /// Whether `data: [DONE]` arrived (the compatible mode's end; the native mode ends without it).
    public private(set) var isDone = false
    /// The error frame read, thrown again by every later call.
    private var failure: Error?
    /// The first bytes of a stream that has sent no event yet: an answer that is one JSON error object instead of an
    /// event stream (a 200 with `{"code","message"}`) is read at its end as the error it is.
    private var head: [UInt8] = []

    /// Creates a reader at the start of a stream.
    public init() {}

    /// Feeds the next chunk; returns the data objects it completed, in order.
    public mutating func feed(_ chunk: Data) throws -> [JSON] {
        var objects: [JSON] = []
        do {
            try chunk.withUnsafeBytes { try feed($0, read: { _ in false }, object: { objects.append($0) }) }
        } catch where !objects.isEmpty {}
        return objects
    }

    /// Ends the stream; returns a last data object not closed by a blank line, if any.
    public mutating func finish() throws -> [JSON] {
        var objects: [JSON] = []
        do {
            try finish(read: { _ in false }, object: { objects.append($0) })
        } catch where !objects.isEmpty {}
        return objects
    }

    /// Feeds the next chunk, handing each data event's bytes to `read` first (valid only during the call; not for
    /// error frames, keep-alives or `[DONE]`): when it returns false they are parsed as JSON, checked for an error,
    /// and handed to `object`. `read` is how a caller that knows its events' shape skips building a tree for each.
    /// Throws the first error frame, after handing over everything before it.
    mutating func feed(_ chunk: UnsafeRawBufferPointer, read: (UnsafeRawBufferPointer) -> Bool, object: (JSON) -> Void) throws {
        try deliver(.chunk(chunk), read: read, object: object)
    }

    /// `finish` for callers of `feed(_:read:object:)`.
    mutating func finish(read: (UnsafeRawBufferPointer) -> Bool, object: (JSON) -> Void) throws {
        try deliver(.end, read: read, object: object)
    }

    /// What the parser is given: the next chunk, or the end of the stream.
    private enum Step {
        case chunk(UnsafeRawBufferPointer)
        case end
    }

    /// Why a stream's reading stopped: `[DONE]`, or an error frame.
    private enum Stop {
        case done
        case failed(Error)
    }

    /// Runs the parser on `step` and hands its events over until `[DONE]` or the first error.
    private mutating func deliver(_ step: Step, read: (UnsafeRawBufferPointer) -> Bool, object: (JSON) -> Void) throws {
        if let failure { throw failure }
        guard !isDone else { return }
        func take(_ event: RawServerSentEvent) -> Stop? {
            let data = Self.trimmed(event.data)
            if Self.isDone(data) { return .done }
            if event.event != "error", !data.isEmpty, read(data) { return nil }
            do {
                if let json = try Self.object(of: event.event, data) { object(json) }
                return nil
            } catch {
                return .failed(error)
            }
        }
        if !parser.delivered, case let .chunk(bytes) = step, head.count < Self.headBytes {
            head.append(contentsOf: bytes.prefix(Self.headBytes - head.count))
        }
        var stop = switch step {
        case let .chunk(bytes): parser.feed(bytes, deliver: take)
        case .end: parser.finish(deliver: take)
        }
        if parser.delivered, !head.isEmpty { head = [] }
        if stop == nil, !parser.delivered, case .end = step, let body = head.withUnsafeBytes({ try? JSONParser.parse($0) }).flatMap(ServiceError.body(from:)) {
            stop = .failed(Self.error(body))
        }
        switch stop {
        case .done: isDone = true
        case let .failed(error):
            failure = error
            throw error
        case nil: break
        }
    }

    /// The data object of one event; nil for `[DONE]` and blank data; throws for an error frame or data that is not JSON.
    public static func interpret(_ event: ServerSentEvent) throws -> JSON? {
        let data = Array(event.data.utf8)
        return try data.withUnsafeBytes { try object(of: event.event, trimmed($0)) }
    }

    /// How much of a stream's start is kept while no event has come.
    private static let headBytes = 65_536

    /// Whether trimmed event data is the end mark, `[DONE]`.
    private static func isDone(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let mark: StaticString = "[DONE]"
        return bytes.count == mark.utf8CodeUnitCount && memcmp(bytes.baseAddress!, mark.utf8Start, bytes.count) == 0
    }

    /// `interpret` on an event's type and its data already trimmed: the JSON is read where the bytes lie (no String
    /// made and encoded again).
    private static func object(of event: String?, _ bytes: UnsafeRawBufferPointer) throws -> JSON? {
        if isDone(bytes) || (bytes.isEmpty && event != "error") { return nil }
        let json = try? JSONParser.parse(bytes)
        let text = { String(decoding: bytes, as: UTF8.self) }
        if event == "error" {
            throw error(json.flatMap(ServiceError.body(from:)) ?? ServiceError.Body(message: bytes.isEmpty ? nil : text()))
        }
        guard let json else {
            throw DashScopeError("the service sent a stream event that is not JSON: \(TerminalText.line(String(text().prefix(200))))",
                                 hint: "run again with --verbose to see the answer", exit: .unavailable)
        }
        if let body = ServiceError.body(from: json) { throw error(body) }
        return json
    }

    /// `bytes` without spaces and tabs at either end, as a view of them (Foundation's trimming of a String copied every
    /// event and took a quarter of the CPU of a long stream).
    static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// The error the user sees for an error frame.
    static func error(_ body: ServiceError.Body) -> DashScopeError {
        let code = body.code.map { TerminalText.line(String($0.prefix(100))) }
        let message = TerminalText.line(String((body.message ?? "no message").prefix(1000)))
        return DashScopeError("the service stopped the answer with an error (\(code ?? "error")): \(message)", exit: .failed,
                              serviceCode: code, requestID: body.requestID.map { TerminalText.line(String($0.prefix(100))) })
    }
}
