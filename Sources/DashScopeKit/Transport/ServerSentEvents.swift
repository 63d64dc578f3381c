import Foundation

/// One server-sent event.
public struct ServerSentEvent: Sendable, Equatable {
    /// The `event:` field, or nil when the event had none (the default type, `message`).
    public var event: String?
    /// The `id:` field of this event, or nil when it had none.
    public var id: String?
    /// The `data:` lines, joined with `\n`.
    public var data: String

    /// Creates an event.
    public init(event: String? = nil, id: String? = nil, data: String) {
        self.event = event
        self.id = id
        self.data = data
    }
}

/// Splits an SSE byte stream into events, whatever the chunking.
///
/// It follows the WHATWG event-stream rules: lines end with CRLF, LF or CR (a CR at the end of a chunk waits for the
/// next one to see whether an LF follows); a leading byte order mark is dropped; `:` starts a comment; one space
/// after a field's colon is dropped; `data:` lines are joined with `\n`; a blank line ends an event, which is
/// delivered only when it had a `data:` line; `retry:` and unknown fields are ignored. Lines are split on bytes and
/// decoded as UTF-8 only when whole, so a character split across chunks arrives intact.
public struct ServerSentEventParser: Sendable {
    /// The bytes of a line not ended yet.
    private var line: [UInt8] = []
    /// Whether the last byte seen was a CR, so that an LF right after it ends nothing more.
    private var afterCR = false
    /// Whether no line has been read yet (a byte order mark may open it).
    private var atStart = true
    /// The event being read.
    private var event: String?
    private var id: String?
    private var data = ""
    private var hasData = false

    /// Creates a parser at the start of a stream.
    public init() {}

    /// Feeds the next chunk; returns the events it completed.
    public mutating func feed(_ chunk: Data) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        chunk.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var start = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte == Self.lf || byte == Self.cr else { continue }
                let skipped = byte == Self.lf && afterCR && index == start && line.isEmpty
                afterCR = byte == Self.cr
                if skipped {
                    start = index + 1
                    continue
                }
                if line.isEmpty {
                    take(UnsafeRawBufferPointer(rebasing: bytes[start..<index]), into: &events)
                } else {
                    line.append(contentsOf: bytes[start..<index])
                    let whole = line
                    line.removeAll(keepingCapacity: true)
                    whole.withUnsafeBytes { take($0, into: &events) }
                }
                start = index + 1
            }
            if start < bytes.count {
                afterCR = false
                line.append(contentsOf: bytes[start...])
            }
        }
        return events
    }

    /// Ends the stream; returns a last event not closed by a blank line, if any.
    public mutating func finish() -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        if !line.isEmpty {
            let whole = line
            line.removeAll()
            whole.withUnsafeBytes { take($0, into: &events) }
        }
        if let last = dispatch() { events.append(last) }
        afterCR = false
        return events
    }

    // MARK: Lines

    private static let lf: UInt8 = 0x0A
    private static let cr: UInt8 = 0x0D
    private static let colon: UInt8 = 0x3A
    private static let space: UInt8 = 0x20
    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Handles one whole line (without its line end).
    private mutating func take(_ raw: UnsafeRawBufferPointer, into events: inout [ServerSentEvent]) {
        var bytes = raw[...]
        if atStart {
            atStart = false
            if bytes.starts(with: Self.bom) { bytes = bytes.dropFirst(Self.bom.count) }
        }
        guard let first = bytes.first else {
            if let event = dispatch() { events.append(event) }
            return
        }
        if first == Self.colon { return }
        let colon = bytes.firstIndex(of: Self.colon) ?? bytes.endIndex
        var value = bytes[colon...].dropFirst()
        if value.first == Self.space { value = value.dropFirst() }
        let name = bytes[..<colon]
        if name.elementsEqual("data".utf8) {
            if hasData { data.append("\n") }
            data.append(String(decoding: value, as: UTF8.self))
            hasData = true
        } else if name.elementsEqual("event".utf8) {
            event = String(decoding: value, as: UTF8.self)
        } else if name.elementsEqual("id".utf8), !value.contains(0) {
            id = String(decoding: value, as: UTF8.self)
        }
    }

    /// The event read so far, if it had data, and a fresh start for the next one.
    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            event = nil
            id = nil
            data = ""
            hasData = false
        }
        guard hasData else { return nil }
        return ServerSentEvent(event: event?.isEmpty == true ? nil : event, id: id, data: data)
    }
}
