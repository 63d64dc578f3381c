#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A JSON value that keeps object keys in the order they were written, so requests print as they are sent.
public enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number made in code; infinity and NaN, which JSON cannot write, print as `null`.
    case number(Double)
    /// A number as written in a parsed document, its text kept exactly (so `9007199254740993` and `1e999` print unchanged).
    case numberText(String)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    /// Compares two values; objects compare as unordered maps.
    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case (.number, .number), (.number, .numberText), (.numberText, .number), (.numberText, .numberText):
            return lhs.sameNumber(as: rhs)
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            guard a.count == b.count else { return false }
            let right = Dictionary(b, uniquingKeysWith: { first, _ in first })
            return a.allSatisfy { key, value in right[key] == value }
        default: return false
        }
    }

    // MARK: Reading

    /// The member named `key` of an object, or nil.
    public subscript(key: String) -> JSON? {
        guard case let .object(pairs) = self else { return nil }
        return pairs.first(where: { $0.0 == key })?.1
    }

    /// The element at `index` of an array, or nil.
    public subscript(index: Int) -> JSON? {
        guard case let .array(items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    /// The string value, or a number written as text; nil otherwise.
    public var string: String? {
        switch self {
        case let .string(s): return s
        case let .number(n): return JSON.format(number: n)
        case let .numberText(text): return text
        default: return nil
        }
    }

    /// The finite numeric value, also of a numeric string; nil otherwise (and for `1e999`, which no Double holds).
    public var number: Double? {
        let value: Double?
        switch self {
        case let .number(n): value = n
        case let .numberText(text), let .string(text): value = Double(text)
        default: value = nil
        }
        return value.flatMap { $0.isFinite ? $0 : nil }
    }

    /// The integer value, if the value is a whole number that fits an `Int` (exactly, also above 2^53).
    public var int: Int? {
        switch self {
        case let .numberText(text), let .string(text): if let exact = Int(text) { return exact }
        default: break
        }
        return number.flatMap { $0.rounded() == $0 ? Int(exactly: $0) : nil }
    }

    /// The boolean value, or nil.
    public var bool: Bool? { if case let .bool(b) = self { return b } else { return nil } }

    /// The elements of an array, or an empty list.
    public var items: [JSON] { if case let .array(a) = self { return a } else { return [] } }

    /// The members of an object in order, or an empty list.
    public var members: [(String, JSON)] { if case let .object(o) = self { return o } else { return [] } }

    /// Whether the value is JSON null.
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    // MARK: Building

    /// An integer, written exactly (a Double would round integers above 2^53).
    public static func integer(_ value: Int) -> JSON { .numberText(String(value)) }

    /// An object built from ordered pairs, leaving out nil values.
    public static func object(_ pairs: KeyValuePairs<String, JSON?>) -> JSON {
        .object(pairs.compactMap { key, value in value.map { (key, $0) } })
    }

    /// Returns a copy of an object with `key` set to `value` (appended when new).
    public func setting(_ key: String, _ value: JSON) -> JSON {
        guard case var .object(pairs) = self else { return self }
        if let i = pairs.firstIndex(where: { $0.0 == key }) { pairs[i].1 = value } else { pairs.append((key, value)) }
        return .object(pairs)
    }

    // MARK: Parsing and printing

    /// Parses JSON text, keeping key order; throws `JSONParseError` when the data is not JSON.
    public static func parse(_ data: Data) throws -> JSON {
        try data.withUnsafeBytes(JSONParser.parse)
    }

    /// The compact serialisation, keys in insertion order.
    public var compact: String { var out = ""; write(to: &out, indent: nil, level: 0); return out }

    /// A pretty serialisation with two-space indentation.
    public var pretty: String { var out = ""; write(to: &out, indent: "  ", level: 0); return out }

    /// The compact serialisation as UTF-8 bytes, written straight into one buffer of the exact size (a request body
    /// may hold a 13 MB data URL: no intermediate String, no growth copies).
    public var data: Data {
        var size = ByteCount()
        write(to: &size, indent: nil, level: 0)
        var out = Data()
        out.reserveCapacity(size.count)
        write(to: &out, indent: nil, level: 0)
        return out
    }

    private func write<Sink: JSONSink>(to out: inout Sink, indent: String?, level: Int) {
        let newline = indent == nil ? "" : "\n"
        let pad = { (n: Int) in String(repeating: indent ?? "", count: n) }
        let colon = indent == nil ? ":" : ": "
        switch self {
        case .null: out.append("null")
        case let .bool(b): out.append(b ? "true" : "false")
        case let .number(n): out.append(JSON.format(number: n))
        // The exact text (ints above 2^53 survive), unless no Double can hold it (`1e999`): most JSON readers refuse
        // such a number, so it is written as null, like an infinity made in code.
        case let .numberText(text): out.append(Double(text).map { $0.isFinite } ?? false ? text : "null")
        case let .string(s): JSON.quote(s, into: &out)
        case let .array(items):
            if items.isEmpty { out.append("[]"); return }
            out.append("[" + newline)
            for (i, item) in items.enumerated() {
                out.append(pad(level + 1))
                item.write(to: &out, indent: indent, level: level + 1)
                out.append((i < items.count - 1 ? "," : "") + newline)
            }
            out.append(pad(level) + "]")
        case let .object(pairs):
            if pairs.isEmpty { out.append("{}"); return }
            out.append("{" + newline)
            for (i, (key, value)) in pairs.enumerated() {
                out.append(pad(level + 1))
                JSON.quote(key, into: &out)
                out.append(colon)
                value.write(to: &out, indent: indent, level: level + 1)
                out.append((i < pairs.count - 1 ? "," : "") + newline)
            }
            out.append(pad(level) + "}")
        }
    }

    /// A Double as JSON text: whole numbers without `.0`; infinity and NaN, which JSON has no spelling for, as `null`.
    static func format(number n: Double) -> String {
        guard n.isFinite else { return "null" }
        if n.rounded() == n, abs(n) < 1e15 { return String(Int64(n)) }
        return String(n)
    }

    /// Whether two numbers are equal: exactly as integers when both are, else as Doubles.
    private func sameNumber(as other: JSON) -> Bool {
        if let a = exactInteger, let b = other.exactInteger { return a == b }
        let value = { (json: JSON) -> Double? in
            switch json {
            case let .number(n): return n
            case let .numberText(text): return Double(text)
            default: return nil
            }
        }
        return value(self) == value(other)
    }

    private var exactInteger: Int? {
        switch self {
        case let .number(n): return n.rounded() == n ? Int(exactly: n) : nil
        case let .numberText(text): return Int(text)
        default: return nil
        }
    }

    /// Writes `s` as a JSON string. One pass over its UTF-8 bytes: runs that need no escape are copied whole, and a
    /// string with nothing to escape (most keys, every base64 payload) is appended as it is. The escaped scalars are the
    /// quote, the backslash and every scalar `TerminalText` would rewrite (controls, line separators, bidirectional
    /// marks), so a document passed through `TerminalText.block` on its way to stdout stays the same valid JSON.
    private static func quote<Sink: JSONSink>(_ s: String, into out: inout Sink) {
        var text = s
        let mayEscape = Self.mayEscape
        let escaped = text.withUTF8 { bytes -> [UInt8]? in
            var escaped: [UInt8]?
            var run = 0
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                // Printable ASCII but the quote and the backslash, and every byte no escape starts with: one look-up.
                if !mayEscape[Int(b)] {
                    i += 1
                    continue
                }
                let (scalar, width): (UInt32?, Int) =
                    if b < 0x80 { (UInt32(b), 1) }
                    else if let (value, width) = Self.scalar(in: bytes, at: i), let scalar = Unicode.Scalar(value),
                            TerminalText.isControl(scalar) { (value, width) }
                    else { (nil, 1) }
                guard let scalar else {
                    i += 1
                    continue
                }
                if escaped == nil {
                    escaped = [UInt8(ascii: "\"")]
                    escaped?.reserveCapacity(bytes.count + 16)
                }
                escaped?.append(contentsOf: bytes[run..<i])
                escape(scalar, into: &escaped!)
                i += width
                run = i
            }
            escaped?.append(contentsOf: bytes[run...])
            escaped?.append(UInt8(ascii: "\""))
            return escaped
        }
        guard let escaped else {
            out.append("\"")
            out.append(s)
            out.append("\"")
            return
        }
        out.append(String(decoding: escaped, as: UTF8.self))
    }

    /// The bytes an escape may start with: control characters, the quote, the backslash, DEL, and the lead bytes of
    /// U+0080...U+009F (C2), U+061C (D8) and the separators and bidirectional marks at U+200E...U+2069 (E2).
    private static let mayEscape: [Bool] = (0...255).map { byte in
        byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F || byte == 0xC2 || byte == 0xD8 || byte == 0xE2
    }

    /// The scalar of the two- or three-byte UTF-8 sequence at `i` (the text is valid UTF-8), with its length.
    private static func scalar(in bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int)? {
        let b = UInt32(bytes[i])
        if b & 0xE0 == 0xC0, i + 1 < bytes.count { return ((b & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F), 2) }
        if b & 0xF0 == 0xE0, i + 2 < bytes.count {
            return ((b & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F), 3)
        }
        return nil
    }

    /// Writes the escape of one scalar `quote` escapes: the short forms where JSON has them, else `\\u` and four
    /// lowercase hex digits. Control characters (also DEL and C1), the JavaScript line separators and the bidirectional
    /// marks are escaped, so a document printed on a terminal cannot carry an escape sequence or reorder what it shows,
    /// and stays valid JavaScript.
    private static func escape(_ value: UInt32, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        switch value {
        case 0x22: out.append(UInt8(ascii: "\""))
        case 0x5C: out.append(UInt8(ascii: "\\"))
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        default:
            out.append(UInt8(ascii: "u"))
            for shift in stride(from: 12, through: 0, by: -4) { out.append(hexDigits[Int(value >> UInt32(shift) & 0xF)]) }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}

/// Where serialised JSON text goes: a String (`compact`, `pretty`), bytes (`data`), or a counter sizing the bytes.
protocol JSONSink {
    /// Adds text at the end.
    mutating func append(_ text: String)
}

extension String: JSONSink {}

extension Data: JSONSink {
    /// Adds the text's UTF-8 bytes at the end.
    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }
}

/// Counts the UTF-8 bytes a serialisation will take, so `data` can allocate once.
struct ByteCount: JSONSink {
    /// The bytes so far.
    var count = 0
    /// Adds the text's length in UTF-8 bytes.
    mutating func append(_ text: String) { count += text.utf8.count }
}

