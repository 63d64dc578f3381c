#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the chunks of one stream as `ChatChunk.scan` does, faster: a model's chunks repeat one another byte for byte
/// but for the text (or thinking) string, so a chunk that matches the last scanned one around that string is read by
/// comparing bytes and reading the new string alone. Any other chunk is scanned and becomes the one to compare with.
struct ChatChunkReader {
    /// What a chunk read as.
    enum Reading: Equatable {
        /// A chunk scanned whole.
        case chunk(ChatChunk)
        /// A chunk that is the one handed out before it but for its text (or thinking) string, which is all it adds.
        case repeated(String, isReasoning: Bool)
    }

    /// The bytes of the last chunk scanned, what they read as, and where their text string lies.
    private var shape: [UInt8] = []
    private var last: ChatChunk?
    private var text: ChatChunkText?

    /// Creates the reader of one stream.
    init() {}

    /// The chunk in `bytes`, or nil where `ChatChunk.scan` gives nil (the caller reads those as a tree, and the next
    /// chunk is scanned whole: `repeated` always follows the chunk it repeats, or another repeat of it).
    mutating func read(_ bytes: UnsafeRawBufferPointer) -> Reading? {
        if let text, let string = repeated(bytes, around: text.range) { return .repeated(string, isReasoning: text.isReasoning) }
        guard let (chunk, text) = ChatChunk.scan(bytes, known: (last?.id, last?.model)) else {
            text = nil
            return nil
        }
        shape = Array(bytes)
        last = chunk
        self.text = text
        return .chunk(chunk)
    }

    /// The string in `bytes` where the last scanned chunk had `range`, when everything before and after it is that
    /// chunk's bytes; nil otherwise. Scanning such bytes would read them as that chunk with this string: what lies
    /// around a string does not depend on the string, once its end (the first quote not escaped) is where it was.
    private func repeated(_ bytes: UnsafeRawBufferPointer, around range: Range<Int>) -> String? {
        let before = range.lowerBound
        let after = shape.count - range.upperBound
        guard bytes.count >= before + after + 2, let base = bytes.baseAddress else { return nil }
        let same = shape.withUnsafeBytes { old in
            memcmp(base, old.baseAddress!, before) == 0
                && memcmp(base + bytes.count - after, old.baseAddress! + range.upperBound, after) == 0
        }
        guard same, bytes[before] == UInt8(ascii: "\"") else { return nil }
        var reader = JSONParser(bytes: bytes)
        reader.i = before
        guard let string = try? reader.parseString(), reader.i == bytes.count - after else { return nil }
        return string
    }
}
