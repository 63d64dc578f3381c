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

/// One event as read, its data still UTF-8 bytes in the parser's buffer: what `ServiceEventStream` parses as JSON where
/// it lies. The bytes are valid only while the event is being delivered.
struct RawServerSentEvent {
    /// The `event:` field, nil when none or empty.
    var event: String?
    /// The `id:` field, nil when none.
    var id: String?
    /// The `data:` lines' bytes, joined with LF.
    var data: UnsafeRawBufferPointer

    /// The event with its data decoded (invalid UTF-8 becomes U+FFFD).
    var decoded: ServerSentEvent { ServerSentEvent(event: event, id: id, data: String(decoding: data, as: UTF8.self)) }
}

/// Splits an SSE byte stream into events, whatever the chunking.
///
/// It follows the WHATWG event-stream rules: lines end with CRLF, LF or CR (a CR at the end of a chunk waits for the
/// next one to see whether an LF follows); a leading byte order mark is dropped; `:` starts a comment; one space
/// after a field's colon is dropped; `data:` lines are joined with `\n`; a blank line ends an event, which is
/// delivered only when it had a `data:` line; `retry:` and unknown fields are ignored. Lines are split on bytes and
/// data is kept as bytes until its event is whole, so a character split across chunks arrives intact.
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
    private var data: [UInt8] = []
    /// The event's one data line so far, where it lies in the chunk being fed (copied into `data` before `feed` returns,
    /// so it is nil between calls: nothing unsafe is ever shared).
    nonisolated(unsafe) private var borrowed: UnsafeRawBufferPointer?
    private var hasData = false
    /// Whether any event has been delivered.
    private(set) var delivered = false

    /// Creates a parser at the start of a stream.
    public init() {}

    /// Feeds the next chunk; returns the events it completed.
    public mutating func feed(_ chunk: Data) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        _ = chunk.withUnsafeBytes { feed($0) { events.append($0.decoded); return Never?.none } }
        return events
    }

    /// Ends the stream; returns a last event not closed by a blank line, if any.
    public mutating func finish() -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        _ = finish { events.append($0.decoded); return Never?.none }
        return events
    }

    /// Feeds the next chunk, handing each event it completes to `deliver` as soon as it is read (no event list, no
    /// UTF-8 decoding: the per-token path of a long chat stream). The first value `deliver` returns stops the reading
    /// and is returned: nothing after that event is read, then or later.
    mutating func feed<Stop>(_ bytes: UnsafeRawBufferPointer, deliver: (RawServerSentEvent) -> Stop?) -> Stop? {
        // A data line borrowed from `bytes` is copied before they go.
        defer { keepBorrowedData() }
        var start = 0
        var index = 0
        let count = bytes.count
        while index < count {
            index = Self.lineEnd(in: bytes, from: index)
            guard index < count else { break }
            let byte = bytes[index]
            let skipped = byte == Self.lf && afterCR && index == start && line.isEmpty
            afterCR = byte == Self.cr
            if !skipped {
                let stop: Stop?
                if line.isEmpty {
                    stop = take(UnsafeRawBufferPointer(rebasing: bytes[start..<index]), borrowable: true, deliver: deliver)
                } else {
                    line.append(contentsOf: bytes[start..<index])
                    let whole = line
                    line = []
                    stop = whole.withUnsafeBytes { take($0, borrowable: false, deliver: deliver) }
                }
                if let stop { return stop }
            }
            index += 1
            start = index
        }
        if start < count {
            afterCR = false
            line.append(contentsOf: bytes[start...])
        }
        return nil
    }

    /// Ends the stream, handing a last event not closed by a blank line, if any, to `deliver`; returns what it returned.
    mutating func finish<Stop>(deliver: (RawServerSentEvent) -> Stop?) -> Stop? {
        defer { afterCR = false }
        if !line.isEmpty {
            let whole = line
            line = []
            if let stop = whole.withUnsafeBytes({ take($0, borrowable: false, deliver: deliver) }) { return stop }
        }
        return dispatch(deliver)
    }

    // MARK: Lines

    private static let lf: UInt8 = 0x0A
    private static let cr: UInt8 = 0x0D
    private static let colon: UInt8 = 0x3A
    private static let space: UInt8 = 0x20
    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Handles one whole line (without its line end). A line `borrowable` lies in the chunk being fed: the event's
    /// first data line is then delivered from there, not copied, if the event ends in the same chunk.
    private mutating func take<Stop>(_ raw: UnsafeRawBufferPointer, borrowable: Bool,
                                     deliver: (RawServerSentEvent) -> Stop?) -> Stop? {
        var bytes = raw[...]
        if atStart {
            atStart = false
            if bytes.starts(with: Self.bom) { bytes = bytes.dropFirst(Self.bom.count) }
        }
        guard let first = bytes.first else { return dispatch(deliver) }
        if first == Self.colon { return nil }
        let colon = bytes.firstIndex(of: Self.colon) ?? bytes.endIndex
        var value = bytes[colon...].dropFirst()
        if value.first == Self.space { value = value.dropFirst() }
        let name = UnsafeRawBufferPointer(rebasing: bytes[..<colon])
        if Self.is(name, "data") {
            if !hasData && borrowable {
                borrowed = UnsafeRawBufferPointer(rebasing: value)
            } else {
                keepBorrowedData()
                if hasData { data.append(Self.lf) }
                data.append(contentsOf: value)
            }
            hasData = true
        } else if Self.is(name, "event") {
            event = String(decoding: value, as: UTF8.self)
        } else if Self.is(name, "id"), !value.contains(0) {
            id = String(decoding: value, as: UTF8.self)
        }
        return nil
    }

    /// Copies a borrowed data line into `data`, where the rest of the event's data lines join it.
    private mutating func keepBorrowedData() {
        guard let borrowed else { return }
        data.append(contentsOf: borrowed)
        self.borrowed = nil
    }

    /// The index of the first CR or LF from `start` on, or the end: `memchr` for each (a stream event is one long line,
    /// and a byte-by-byte look was most of the cost of splitting it).
    private static func lineEnd(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard let base = bytes.baseAddress, start < bytes.count else { return bytes.count }
        let offset = { (found: UnsafeMutableRawPointer?) in found.map { UnsafeRawPointer($0) - base } }
        let feed = offset(memchr(base + start, Int32(lf), bytes.count - start)) ?? bytes.count
        return offset(memchr(base + start, Int32(cr), feed - start)) ?? feed
    }

    /// Whether `name` is `field` (a plain loop: the generic comparison with a String's UTF-8 view cost more per line).
    private static func `is`(_ name: UnsafeRawBufferPointer, _ field: StaticString) -> Bool {
        guard name.count == field.utf8CodeUnitCount else { return false }
        for k in 0..<name.count where name[k] != field.utf8Start[k] { return false }
        return true
    }

    /// Hands the event read so far to `deliver`, if it had data, and starts the next one (in the same buffer: a long
    /// stream allocates nothing per event); returns what `deliver` returned.
    private mutating func dispatch<Stop>(_ deliver: (RawServerSentEvent) -> Stop?) -> Stop? {
        defer {
            event = nil
            id = nil
            hasData = false
            borrowed = nil
            if !data.isEmpty { data.removeAll(keepingCapacity: true) }
        }
        guard hasData else { return nil }
        delivered = true
        let name = event?.isEmpty == true ? nil : event
        if let borrowed { return deliver(RawServerSentEvent(event: name, id: id, data: borrowed)) }
        return data.withUnsafeBytes { deliver(RawServerSentEvent(event: name, id: id, data: $0)) }
    }
}
