#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads a DashScope SSE answer (compatible-mode chat, native speech and text) into its JSON data objects: `[DONE]` ends
/// the stream, and an error frame becomes a `DashScopeError`. Feed it the chunks `APIClient.stream` hands over.
///
/// An error frame is an `event: error` event, or a data object carrying an `error` object (OpenAI style) or a
/// top-level `code` (DashScope native); it throws exit 1 with the service's code, message and request id, escaped for a
/// terminal. A data line that is not JSON throws exit 69. Blank data lines (keep-alives) are skipped; nothing after
/// `[DONE]` is read. The objects of a chunk that came before its error frame are returned first, and the error thrown
/// by the next call (`feed` or `finish`), so nothing the service sent before failing is lost.
public struct ServiceEventStream: Sendable {
    private var parser = ServerSentEventParser()
    /// Whether `data: [DONE]` arrived (the compatible mode's end; the native mode ends without it).
    public private(set) var isDone = false
    /// An error frame read after objects that were still returned.
    private var failure: Error?

    /// Creates a reader at the start of a stream.
    public init() {}

    /// Feeds the next chunk; returns the data objects it completed, in order.
    public mutating func feed(_ chunk: Data) throws -> [JSON] {
        if let failure { throw failure }
        guard !isDone else { return [] }
        var batch = Batch()
        chunk.withUnsafeBytes { bytes in parser.feed(bytes) { batch.take($0) } }
        return try end(batch)
    }

    /// Ends the stream; returns a last data object not closed by a blank line, if any.
    public mutating func finish() throws -> [JSON] {
        if let failure { throw failure }
        guard !isDone else { return [] }
        var batch = Batch()
        parser.finish { batch.take($0) }
        return try end(batch)
    }

    /// The objects of one chunk's events, read until `[DONE]` or the first error frame.
    private struct Batch {
        var objects: [JSON] = []
        var isDone = false
        var failure: Error?

        mutating func take(_ event: RawServerSentEvent) {
            guard !isDone, failure == nil else { return }
            do {
                if let object = try ServiceEventStream.interpret(event) {
                    objects.append(object)
                } else if ServiceEventStream.trimmed(event.data).elementsEqual(ServiceEventStream.done) {
                    isDone = true
                }
            } catch {
                failure = error
            }
        }
    }

    /// The batch's objects; its error is thrown now when no object came before it, else kept for the next call.
    private mutating func end(_ batch: Batch) throws -> [JSON] {
        isDone = batch.isDone
        if let error = batch.failure {
            guard !batch.objects.isEmpty else { throw error }
            failure = error
        }
        return batch.objects
    }

    /// The data object of one event; nil for `[DONE]` and blank data; throws for an error frame or data that is not JSON.
    public static func interpret(_ event: ServerSentEvent) throws -> JSON? {
        try interpret(RawServerSentEvent(event: event.event, id: event.id, data: Array(event.data.utf8)))
    }

    private static let done = Array("[DONE]".utf8)

    /// `interpret` on the event's bytes: the JSON is read from them as they came (no String made and encoded again).
    static func interpret(_ event: RawServerSentEvent) throws -> JSON? {
        let bytes = trimmed(event.data)
        if bytes.elementsEqual(done) || (bytes.isEmpty && event.event != "error") { return nil }
        var parser = JSONParser(bytes: bytes.count == event.data.count ? event.data : Array(bytes))
        let json = try? parser.parseDocument()
        let text = { String(decoding: bytes, as: UTF8.self) }
        if event.event == "error" {
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
    static func trimmed(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return bytes[start..<end]
    }

    /// The error the user sees for an error frame.
    static func error(_ body: ServiceError.Body) -> DashScopeError {
        let code = body.code.map { TerminalText.line(String($0.prefix(100))) }
        let message = TerminalText.line(String((body.message ?? "no message").prefix(1000)))
        return DashScopeError("the service stopped the answer with an error (\(code ?? "error")): \(message)", exit: .failed,
                              serviceCode: code, requestID: body.requestID.map { TerminalText.line(String($0.prefix(100))) })
    }
}
