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

/// What one chat object adds to an answer: its id, model, usage and finish reason, and (for a streamed chunk) the text
/// and thinking of `choices[0].delta`.
struct ChatChunk: Equatable {
    var id: String?
    var model: String?
    var usage: JSON?
    var finishReason: String?
    var content: String?
    var reasoning: String?

    /// The fields read from a parsed object, whatever its shape.
    init(_ json: JSON) {
        id = json["id"]?.string
        model = json["model"]?.string
        if let usage = json["usage"], !usage.isNull { self.usage = usage }
        let choice = json["choices"]?[0]
        finishReason = choice?["finish_reason"]?.string
        content = choice?["delta"]?["content"]?.string
        reasoning = choice?["delta"]?["reasoning_content"]?.string
    }

    fileprivate init() {}

    /// The fields read straight from a streamed chunk's bytes, building no tree for the rest of it (a long answer
    /// arrives as one small object per token), and where its text or thinking string lies (see `ChatChunkText`); nil
    /// whenever the bytes are not the usual shape (not JSON, an `error` or `code` member, a repeated member, a value of
    /// an unexpected type), which the caller then parses as `JSON` and checks for an error frame. Where it answers, the
    /// chunk is what `init(_:)` would read. `known` holds the id and model of the chunks before: the same text is taken
    /// from it instead of a new string.
    static func scan(_ bytes: UnsafeRawBufferPointer,
                     known: (id: String?, model: String?) = (nil, nil)) -> (chunk: ChatChunk, text: ChatChunkText?)? {
        var reader = JSONParser(bytes: bytes)
        var scan = Scan()
        do {
            reader.skipSpace()
            guard try reader.members(of: &scan, read: { reader, member, scan in
                switch member {
                case .id: return try reader.string(into: &scan.chunk.id, known: known.id)
                case .model: return try reader.string(into: &scan.chunk.model, known: known.model)
                case .usage:
                    let usage = try reader.parseValue()
                    if !usage.isNull { scan.chunk.usage = usage }
                    return true
                case .choices: return try reader.choices(into: &scan)
                case .error, .code: return false
                default:
                    try reader.skipValue()
                    return true
                }
            }) else { return nil }
            try reader.end()
        } catch {
            return nil
        }
        return (scan.chunk, scan.text)
    }
}

/// Where a chunk's text (`content`) or thinking (`reasoning_content`) string lies in its bytes, quotes included: the
/// part of a stream's chunks that changes from token to token. A repeat of the chunk adds only this string, so it is
/// named only when the other one adds nothing (absent, null or empty): the thinking when it is not empty, else the text.
struct ChatChunkText: Equatable {
    /// Whether the string is the thinking rather than the text.
    var isReasoning: Bool
    /// Where the string lies, its quotes included.
    var range: Range<Int>
}

/// A chunk being scanned, and where its text and thinking strings were found.
private struct Scan {
    var chunk = ChatChunk()
    var content: Range<Int>?
    var reasoning: Range<Int>?

    /// The string that changes from token to token, if the chunk has one and the other adds nothing.
    var text: ChatChunkText? {
        let thinks = chunk.reasoning?.isEmpty == false
        let says = chunk.content?.isEmpty == false
        if let reasoning, thinks, !says { return ChatChunkText(isReasoning: true, range: reasoning) }
        if let content, !thinks { return ChatChunkText(isReasoning: false, range: content) }
        return nil
    }
}

/// The members a chunk's reading looks for (any other is `other`), matched on their bytes.
private enum Member: Int {
    case id, model, usage, choices, error, code, delta, content, reasoningContent, finishReason, other

    /// The member's name in the JSON.
    var name: StaticString {
        switch self {
        case .id: "id"
        case .model: "model"
        case .usage: "usage"
        case .choices: "choices"
        case .error: "error"
        case .code: "code"
        case .delta: "delta"
        case .content: "content"
        case .reasoningContent: "reasoning_content"
        case .finishReason: "finish_reason"
        case .other: ""
        }
    }

    /// The member named by the bytes in `range`, or `other`: the only candidate is picked by length (and first or
    /// last byte), then compared whole (a chunk has a dozen names to look up).
    static func named(_ range: Range<Int>, in reader: JSONParser) -> Member {
        guard let base = reader.bytes.baseAddress?.advanced(by: range.lowerBound) else { return .other }
        let candidate: Member = switch range.count {
        case 2: .id
        case 4: .code
        case 5: switch base[0] {
            case UInt8(ascii: "m"): .model
            case UInt8(ascii: "u"): .usage
            case UInt8(ascii: "e"): .error
            case UInt8(ascii: "d"): .delta
            default: .other
            }
        case 7: base[6] == UInt8(ascii: "s") ? .choices : .content
        case 13: .finishReason
        case 17: .reasoningContent
        default: .other
        }
        let name = candidate.name
        guard candidate != .other, memcmp(base, name.utf8Start, name.utf8CodeUnitCount) == 0 else { return .other }
        return candidate
    }
}

private extension JSONParser {
    /// Reads an object member by member, handing each to `read` and stopping with false as soon as `read` does, a
    /// member it looks for repeats, or a name has an escape (the tree compares names decoded); false too when the
    /// reader is not on an opening brace.
    mutating func members<Target>(of target: inout Target,
                                  read: (inout JSONParser, Member, inout Target) throws -> Bool) throws -> Bool {
        guard take(UInt8(ascii: "{")) else { return false }
        try nest()
        defer { depth -= 1 }
        skipSpace()
        if take(UInt8(ascii: "}")) { return true }
        var seen = 0
        repeat {
            skipSpace()
            guard let member = try memberName() else { return false }
            if member != .other {
                guard seen & (1 << member.rawValue) == 0 else { return false }
                seen |= 1 << member.rawValue
            }
            try colon()
            guard try read(&self, member, &target) else { return false }
        } while try next(closing: UInt8(ascii: "}"), in: "an object")
        return true
    }

    /// The member whose name the reader is on; nil for a name with an escape.
    mutating func memberName() throws -> Member? {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
        let start = i + 1
        let end = plainEnd(from: start)
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return nil }
        i = end + 1
        return Member.named(start..<end, in: self)
    }

    /// Reads a string or null into `field`, taking `known` when the string (without escapes) is the same text; false
    /// for any other value.
    mutating func string(into field: inout String?, known: String? = nil) throws -> Bool {
        guard i < bytes.count else { throw fail("unexpected end") }
        guard bytes[i] == UInt8(ascii: "\"") else { return take("null") }
        if let known, let end = known.utf8.withContiguousStorageIfAvailable({ text -> Int? in
            let end = i + 1 + text.count
            guard end < bytes.count, bytes[end] == UInt8(ascii: "\""), holds(text, at: i + 1),
                  !text.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return nil }
            return end
        }) ?? nil {
            i = end + 1
            field = known
            return true
        }
        field = try parseString()
        return true
    }

    /// Reads `choices`: the first element's `finish_reason` and `delta`, the rest skipped.
    mutating func choices(into scan: inout Scan) throws -> Bool {
        guard take(UInt8(ascii: "[")) else { return false }
        try nest()
        defer { depth -= 1 }
        skipSpace()
        if take(UInt8(ascii: "]")) { return true }
        guard try members(of: &scan, read: { reader, member, scan in
            switch member {
            case .finishReason: return try reader.string(into: &scan.chunk.finishReason)
            case .delta: return try reader.delta(into: &scan)
            default:
                try reader.skipValue()
                return true
            }
        }) else { return false }
        while try next(closing: UInt8(ascii: "]"), in: "an array") {
            skipSpace()
            try skipValue()
        }
        return true
    }

    /// Reads `delta`: its `content` and `reasoning_content`, and where each string lies.
    mutating func delta(into scan: inout Scan) throws -> Bool {
        try members(of: &scan) { reader, member, scan in
            let start = reader.i
            switch member {
            case .content:
                guard try reader.string(into: &scan.chunk.content) else { return false }
                if scan.chunk.content != nil { scan.content = start..<reader.i }
                return true
            case .reasoningContent:
                guard try reader.string(into: &scan.chunk.reasoning) else { return false }
                if scan.chunk.reasoning != nil { scan.reasoning = start..<reader.i }
                return true
            default:
                try reader.skipValue()
                return true
            }
        }
    }
}
