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
        return try objects(parser.feed(chunk))
    }

    /// Ends the stream; returns a last data object not closed by a blank line, if any.
    public mutating func finish() throws -> [JSON] {
        if let failure { throw failure }
        guard !isDone else { return [] }
        return try objects(parser.finish())
    }

    private mutating func objects(_ events: [ServerSentEvent]) throws -> [JSON] {
        var objects: [JSON] = []
        for event in events where !isDone {
            do {
                if let object = try Self.interpret(event) {
                    objects.append(object)
                } else if Self.trimmed(event.data) == "[DONE]" {
                    isDone = true
                }
            } catch {
                guard !objects.isEmpty else { throw error }
                failure = error
                break
            }
        }
        return objects
    }

    /// The data object of one event; nil for `[DONE]` and blank data; throws for an error frame or data that is not JSON.
    public static func interpret(_ event: ServerSentEvent) throws -> JSON? {
        let text = trimmed(event.data)
        if text == "[DONE]" || (text.isEmpty && event.event != "error") { return nil }
        let json = try? JSON.parse(Data(text.utf8))
        if event.event == "error" {
            throw error(json.flatMap(ServiceError.body(from:)) ?? ServiceError.Body(message: text.isEmpty ? nil : String(text)))
        }
        guard let json else {
            throw DashScopeError("the service sent a stream event that is not JSON: \(TerminalText.line(String(text.prefix(200))))",
                                 hint: "run again with --verbose to see the answer", exit: .unavailable)
        }
        if let body = ServiceError.body(from: json) { throw error(body) }
        return json
    }

    /// `text` without spaces and tabs at either end, as a view of it (Foundation's trimming copied every event and
    /// took a quarter of the CPU of a long stream).
    static func trimmed(_ text: String) -> Substring {
        let utf8 = text.utf8
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, utf8[start] == 0x20 || utf8[start] == 0x09 { start = utf8.index(after: start) }
        while end > start, utf8[utf8.index(before: end)] == 0x20 || utf8[utf8.index(before: end)] == 0x09 {
            end = utf8.index(before: end)
        }
        return text[start..<end]
    }

    /// The error the user sees for an error frame.
    static func error(_ body: ServiceError.Body) -> DashScopeError {
        let code = body.code.map { TerminalText.line(String($0.prefix(100))) }
        let message = TerminalText.line(String((body.message ?? "no message").prefix(1000)))
        return DashScopeError("the service stopped the answer with an error (\(code ?? "error")): \(message)", exit: .failed,
                              serviceCode: code, requestID: body.requestID.map { TerminalText.line(String($0.prefix(100))) })
    }
}
