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

/// Why a body could not be read as JSON, with the byte offset where reading stopped.
public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    /// The byte offset of the problem.
    public let offset: Int
    /// What was wrong there.
    public let reason: String
    /// A one-line description.
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

/// A small recursive-descent JSON reader that keeps object keys in document order. It reads bytes it does not own
/// (valid for the reader's lifetime), so a body or a stream event is parsed where it lies, without a copy.
struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0
    var depth = 0

    /// A reader at the start of `bytes`.
    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes.assumingMemoryBound(to: UInt8.self) }

    /// The one JSON value in `bytes` (spaces around it allowed); throws `JSONParseError` for anything else.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> JSON {
        var parser = JSONParser(bytes: bytes)
        return try parser.parseDocument()
    }

    /// The one value of the bytes, spaces around it allowed.
    mutating func parseDocument() throws -> JSON {
        skipSpace()
        let value = try parseValue()
        try end()
        return value
    }

    /// Checks that only spaces are left.
    mutating func end() throws {
        skipSpace()
        guard i == bytes.count else { throw fail("unexpected text after the value") }
    }

    /// The error for a problem at the reader's place.
    func fail(_ reason: String) -> JSONParseError { JSONParseError(offset: i, reason: reason) }

    /// Skips JSON whitespace.
    @inline(__always)
    mutating func skipSpace() {
        let bytes = self.bytes
        var end = i
        while end < bytes.count, bytes[end] == 0x20 || bytes[end] == 0x0A || bytes[end] == 0x0D || bytes[end] == 0x09 { end += 1 }
        i = end
    }

    /// Reads the value the reader is on.
    mutating func parseValue() throws -> JSON {
        guard i < bytes.count else { throw fail("unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .numberText(try parseNumber())
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        guard take(word) else { throw fail("expected \(word)") }
    }

    /// Skips `word` if it comes next.
    @inline(__always)
    mutating func take(_ word: StaticString) -> Bool {
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard holds(w, at: i) else { return false }
        i += w.count
        return true
    }

    /// Whether the bytes from `start` on begin with `word` (`memcmp`: the generic `elementsEqual` on slices cost more
    /// than the rest of reading a chat chunk).
    func holds(_ word: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        guard start >= 0, start + word.count <= bytes.count else { return false }
        guard let base = bytes.baseAddress, let other = word.baseAddress else { return word.isEmpty }
        return memcmp(base + start, other, word.count) == 0
    }

    /// Reads past one value, checking it exactly as `parseValue` would, without building it (the fields of a stream
    /// event nobody reads).
    mutating func skipValue() throws {
        guard i < bytes.count else { throw fail("unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            try nest(); defer { depth -= 1 }
            i += 1
            skipSpace()
            if take(UInt8(ascii: "}")) { return }
            repeat {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                try skipString()
                try colon()
                try skipValue()
            } while try next(closing: UInt8(ascii: "}"), in: "an object")
        case UInt8(ascii: "["):
            try nest(); defer { depth -= 1 }
            i += 1
            skipSpace()
            if take(UInt8(ascii: "]")) { return }
            repeat {
                skipSpace()
                try skipValue()
            } while try next(closing: UInt8(ascii: "]"), in: "an array")
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try scanNumber()
        }
    }

    /// Reads past the `:` after a member's name, and the spaces around it.
    @inline(__always)
    mutating func colon() throws {
        skipSpace()
        guard take(UInt8(ascii: ":")) else { throw fail("expected ':'") }
        skipSpace()
    }

    /// After a member or element: true after a `,` (another follows), false after `closing` (the end); throws otherwise.
    @inline(__always)
    mutating func next(closing: UInt8, in container: StaticString) throws -> Bool {
        skipSpace()
        guard i < bytes.count else { throw fail("unexpected end in \(container)") }
        if take(UInt8(ascii: ",")) { return true }
        if take(closing) { return false }
        throw fail(closing == UInt8(ascii: "}") ? "expected ',' or '}'" : "expected ',' or ']'")
    }

    /// Reads past a string, checking its escapes as `parseString` does.
    private mutating func skipString() throws {
        i += 1
        try skipStringRest()
    }

    /// Reads past the rest of a string from a place inside it, checking its escapes.
    private mutating func skipStringRest() throws {
        while true {
            i = plainEnd(from: i)
            guard i < bytes.count else { break }
            if bytes[i] == UInt8(ascii: "\"") {
                i += 1
                return
            }
            i += 1
            guard i < bytes.count else { break }
            i += 1
            if bytes[i - 1] == UInt8(ascii: "u") { _ = try hex4() }
        }
        throw fail("unterminated string")
    }

    /// Where the run of string bytes from `start` ends: the first quote or backslash, or the end (a loop on locals: a
    /// stream spends most of its reading here).
    @inline(__always)
    func plainEnd(from start: Int) -> Int {
        let bytes = self.bytes
        var end = start
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { break }
            end += 1
        }
        return end
    }

    /// Goes one container deeper (the caller steps back with `depth -= 1`); throws past 511 levels.
    mutating func nest() throws {
        depth += 1
        guard depth < 512 else { throw fail("nested too deeply") }
    }

    private mutating func parseObject() throws -> JSON {
        try nest(); defer { depth -= 1 }
        i += 1
        var pairs: [(String, JSON)] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
        repeat {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let key = try parseString()
            try colon()
            pairs.append((key, try parseValue()))
        } while try next(closing: UInt8(ascii: "}"), in: "an object")
        return .object(pairs)
    }

    private mutating func parseArray() throws -> JSON {
        try nest(); defer { depth -= 1 }
        i += 1
        var items: [JSON] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
        repeat {
            skipSpace()
            items.append(try parseValue())
        } while try next(closing: UInt8(ascii: "]"), in: "an array")
        return .array(items)
    }

    /// Reads `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?` and returns its text unchanged.
    private mutating func parseNumber() throws -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[try scanNumber()]), as: UTF8.self)
    }

    /// Reads past a number; returns where it lies.
    private mutating func scanNumber() throws -> Range<Int> {
        let start = i
        _ = take(UInt8(ascii: "-"))
        let leadingZero = i < bytes.count && bytes[i] == UInt8(ascii: "0")
        let whole = digits()
        var valid = whole > 0 && !(leadingZero && whole > 1)
        if valid, take(UInt8(ascii: ".")) { valid = digits() > 0 }
        if valid, take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
            _ = take(UInt8(ascii: "+")) || take(UInt8(ascii: "-"))
            valid = digits() > 0
        }
        guard valid else {
            i = start
            throw fail(whole == 0 ? "unexpected character" : "malformed number")
        }
        return start..<i
    }

    /// Skips ASCII digits; returns how many.
    private mutating func digits() -> Int {
        let bytes = self.bytes
        var end = i
        while end < bytes.count, bytes[end] &- UInt8(ascii: "0") < 10 { end += 1 }
        defer { i = end }
        return end - i
    }

    /// Skips `byte` if it comes next.
    @inline(__always)
    mutating func take(_ byte: UInt8) -> Bool {
        guard i < bytes.count, bytes[i] == byte else { return false }
        i += 1
        return true
    }

    /// Reads a string (the reader is on its opening quote).
    mutating func parseString() throws -> String {
        i += 1
        // Most strings hold no escape: take them in one piece (a long chat stream parses one small object per token).
        let start = i
        i = plainEnd(from: i)
        if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
            i += 1
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(i - 1)]), as: UTF8.self)
        }
        // An escape: find the end (checking every escape as it goes), then decode into one string of at most as many
        // bytes (an escape never grows: `\\uD83D\\uDE00` is 12 bytes for 4).
        try skipStringRest()
        let end = i - 1
        return String(unsafeUninitializedCapacity: end - start) { decode(from: start, to: end, into: $0) }
    }

    /// Writes the UTF-8 of the string body `bytes[start..<end]`, its escapes already checked, into `out`; returns the
    /// count. A lone surrogate becomes U+FFFD; a high one followed by a low one is one scalar.
    private func decode(from start: Int, to end: Int, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var index = start
        var count = 0
        while index < end {
            // The run up to the next escape, copied whole.
            var stop = index
            while stop < end, bytes[stop] != UInt8(ascii: "\\") { stop += 1 }
            if stop > index {
                UnsafeMutableRawPointer(out.baseAddress! + count).copyMemory(from: bytes.baseAddress! + index, byteCount: stop - index)
                count += stop - index
                index = stop
            }
            guard index < end else { break }
            let escaped = bytes[index + 1]
            index += 2
            let plain: UInt8? = switch escaped {
            case UInt8(ascii: "n"): 0x0A
            case UInt8(ascii: "t"): 0x09
            case UInt8(ascii: "r"): 0x0D
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "u"): nil
            default: escaped
            }
            if let plain {
                out[count] = plain
                count += 1
                continue
            }
            var scalar = hexValue(at: index)
            index += 4
            if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count,
               bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                let low = hexValue(at: index + 2)
                if (0xDC00..<0xE000).contains(low) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
            }
            for unit in UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}")! {
                out[count] = unit
                count += 1
            }
        }
        return count
    }

    /// The value of the four hex digits at `index` (checked by `hex4` already).
    private func hexValue(at index: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { value, offset in
            let digit = UInt32(bytes[index + offset])
            return value << 4 | (digit <= 0x39 ? digit - 0x30 : (digit | 0x20) - 0x61 + 10)
        }
    }

    private mutating func hex4() throws -> UInt32 {
        let isHex = { (b: UInt8) in "0123456789abcdefABCDEF".utf8.contains(b) }
        guard i + 4 <= bytes.count, bytes[i..<i + 4].allSatisfy(isHex),
              let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else { throw fail("bad \\u escape") }
        i += 4
        return v
    }
}
