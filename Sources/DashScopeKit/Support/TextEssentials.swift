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

// The few string services of Foundation that FoundationEssentials leaves out (they live in the ICU-backed part),
// written to give the same answers on the text this tool handles.

extension Unicode.Scalar {
    /// Whether Foundation's `CharacterSet.whitespaces` holds the scalar: a space separator (Zs) or a tab.
    public var isBlank: Bool { self == "\t" || properties.generalCategory == .spaceSeparator }

    /// Whether `CharacterSet.newlines` holds the scalar: U+000A–U+000D, U+0085, U+2028 and U+2029.
    public var isLineBreak: Bool {
        ("\n"..."\r").contains(self) || self == "\u{85}" || self == "\u{2028}" || self == "\u{2029}"
    }

    /// Whether `CharacterSet.whitespacesAndNewlines` holds the scalar.
    public var isBlankOrLineBreak: Bool {
        isBlank || isLineBreak || properties.generalCategory == .lineSeparator || properties.generalCategory == .paragraphSeparator
    }

    /// Whether the scalar is an ASCII letter, `A`–`Z` or `a`–`z`.
    public var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }

    /// Whether the scalar is an ASCII letter or digit.
    public var isASCIIAlphanumeric: Bool { isASCIILetter || ("0"..."9").contains(self) }
}

extension StringProtocol {
    /// The text without the leading and trailing scalars for which `drop` holds (Foundation's `trimmingCharacters(in:)`).
    public func trimming(where drop: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !drop($0) }), let last = scalars.lastIndex(where: { !drop($0) }) else {
            return ""
        }
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: scalars[first...last])
        return String(kept)
    }

    /// The text without leading and trailing spaces and tabs (`trimmingCharacters(in: .whitespaces)`).
    public func trimmingBlanks() -> String { trimming(where: \.isBlank) }

    /// The text without leading and trailing white space and line breaks (`.whitespacesAndNewlines`).
    public func trimmingBlanksAndLineBreaks() -> String { trimming(where: \.isBlankOrLineBreak) }

    /// The text with every occurrence of `target` replaced, matched scalar by scalar as Foundation's
    /// `replacingOccurrences(of:with:)` matches ASCII (so `"\n"` is found inside `"\r\n"`, unlike `replacing(_:with:)`).
    public func replacingAll<Target: StringProtocol, Replacement: StringProtocol>(
        _ target: Target, with replacement: Replacement
    ) -> String {
        let needle = Array(target.unicodeScalars)
        let scalars = Array(unicodeScalars)
        guard let head = needle.first, scalars.count >= needle.count else { return String(self) }
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if scalars[index] == head, index + needle.count <= scalars.count,
               scalars[index..<(index + needle.count)].elementsEqual(needle) {
                out.append(contentsOf: replacement.unicodeScalars)
                index += needle.count
            } else {
                out.append(scalars[index])
                index += 1
            }
        }
        return String(out)
    }

    /// The text with each `%XX` escape decoded, or nil when an escape is malformed or the bytes are not UTF-8
    /// (Foundation's `removingPercentEncoding`).
    public func percentDecoded() -> String? {
        var bytes: [UInt8] = []
        var utf8 = self.utf8.makeIterator()
        while let byte = utf8.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = utf8.next().flatMap(Self.hexValue), let low = utf8.next().flatMap(Self.hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        return text.utf8.elementsEqual(bytes) ? text : nil
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The text cut or padded with spaces to `width` characters (`padding(toLength:withPad: " ", startingAt: 0)`).
    public func fitted(to width: Int) -> String {
        count >= width ? String(prefix(width)) : String(self) + String(repeating: " ", count: width - count)
    }

    /// Whether the two texts are equal ignoring case (`caseInsensitiveCompare(_:) == .orderedSame`).
    public func equalsIgnoringCase<Other: StringProtocol>(_ other: Other) -> Bool { lowercased() == other.lowercased() }

    /// Whether `other` occurs in the text ignoring case (`localizedCaseInsensitiveContains`).
    public func containsIgnoringCase<Other: StringProtocol>(_ other: Other) -> Bool {
        other.isEmpty || lowercased().contains(other.lowercased())
    }
}

extension BinaryInteger {
    /// The number in decimal with zeros in front up to `width` characters, the sign included (`printf("%0Nd")`).
    public func zeroPadded(to width: Int) -> String {
        let digits = String(magnitude)
        let sign = self < 0 ? "-" : ""
        return sign + String(repeating: "0", count: max(0, width - sign.count - digits.count)) + digits
    }
}

extension Double {
    /// The number with `places` digits after the point, rounded as C's `printf("%.Nf")` (and `String(format:)`) rounds.
    public func fixed(places: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let count = withVaList([self]) { arguments in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, "%.\(max(0, places))f", arguments) }
        }
        guard count >= 0 else { return String(self) }
        if Int(count) >= buffer.count {
            buffer = [CChar](repeating: 0, count: Int(count) + 1)
            _ = withVaList([self]) { arguments in
                buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, "%.\(max(0, places))f", arguments) }
            }
        }
        return String(decoding: buffer.prefix(Int(count)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
