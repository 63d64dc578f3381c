import Foundation

/// A width and height in pixels, written `W*H` on the wire.
public struct ImageSize: Sendable, Equatable, CustomStringConvertible {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int

    /// Creates a size.
    public init(_ width: Int, _ height: Int) {
        self.width = width
        self.height = height
    }

    /// The wire form, `W*H`.
    public var description: String { "\(width)*\(height)" }
    /// Total pixels (`Int.max` when the product does not fit, so an absurd size reads as too large, never a crash).
    public var pixels: Int {
        let (product, overflow) = width.multipliedReportingOverflow(by: height)
        return overflow ? .max : product
    }
    /// Width divided by height.
    public var aspect: Double { Double(width) / Double(height) }
}

/// What the user typed for `--size`: exact dimensions or an aspect ratio to map to the model's recommended size.
public enum SizeRequest: Sendable, Equatable {
    /// `1024x1024`, `1024*1024` or `1024×1024`.
    case exact(ImageSize)
    /// `16:9`.
    case ratio(Int, Int)

    /// The largest side accepted in a size (no model comes near it; it keeps pixel arithmetic far from overflow).
    public static let maxSide = 100_000
    /// The largest term accepted in a ratio.
    public static let maxRatioTerm = 10_000

    /// Parses the user's text; throws a usage error naming the accepted forms, or the limit an absurd number broke.
    public static func parse(_ text: String) throws -> SizeRequest {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let shown = TerminalText.line(String(text.prefix(100)))
        for separator in ["x", "*", "×", ":"] {
            let parts = t.components(separatedBy: separator)
            let numbers = parts.map { Self.number($0.trimmingCharacters(in: .whitespaces)) }
            guard numbers.count == 2, let a = numbers[0], let b = numbers[1], a > 0, b > 0 else { continue }
            let limit = separator == ":" ? maxRatioTerm : maxSide
            guard a <= limit, b <= limit else {
                throw DashScopeError.usage("size '\(shown)' is out of range: each \(separator == ":" ? "term of a ratio" : "side") must be at most \(limit)",
                                           hint: "write a size such as 1024x1024, or a ratio such as 16:9")
            }
            return separator == ":" ? .ratio(a, b) : .exact(ImageSize(a, b))
        }
        throw DashScopeError.usage("cannot read size '\(shown)'",
                                   hint: "write it as WIDTHxHEIGHT (1024x1024 or 1024*1024) or as a ratio such as 16:9")
    }

    /// A whole number of ASCII digits (any length: a value too large for `Int` reads as `Int.max`, refused as out of range).
    private static func number(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int(text) ?? .max
    }
}

/// The sizes a model accepts.
public enum SizeRule: Sendable, Equatable {
    /// Total pixels in `minPixels...maxPixels`, width/height in `minAspect...maxAspect`.
    case pixels(minPixels: Int, maxPixels: Int, minAspect: Double, maxAspect: Double)
    /// Each side in `min...max`.
    case sides(min: Int, max: Int)
    /// Only these sizes.
    case fixed([ImageSize])

    /// Why `size` is not accepted, or nil when it is; the text names `model`.
    public func problem(with size: ImageSize, model: String = "this model") -> String? {
        switch self {
        case let .pixels(minPixels, maxPixels, minAspect, maxAspect):
            if size.pixels < minPixels || size.pixels > maxPixels {
                return "\(size.width)x\(size.height) has \(size.pixels) pixels; \(model) needs between \(minPixels) (\(Self.side(minPixels))²) and \(maxPixels) (\(Self.side(maxPixels))²)"
            }
            if size.aspect < minAspect - 1e-9 || size.aspect > maxAspect + 1e-9 {
                return "\(size.width)x\(size.height) is too narrow or too wide; the aspect ratio must be between 1:4 and 4:1"
            }
            return nil
        case let .sides(min, max):
            guard (min...max).contains(size.width), (min...max).contains(size.height) else {
                return "\(size.width)x\(size.height) is out of range for \(model); each side must be between \(min) and \(max) pixels"
            }
            return nil
        case let .fixed(sizes):
            guard sizes.contains(size) else {
                return "\(size.width)x\(size.height) is not offered; \(model) takes only \(sizes.map { "\($0.width)x\($0.height)" }.joined(separator: ", "))"
            }
            return nil
        }
    }

    /// Up to `limit` accepted sizes nearest `size` (by aspect ratio, then pixel count), for "try instead" hints.
    public func nearest(to size: ImageSize, limit: Int = 3) -> [ImageSize] {
        let candidates: [ImageSize]
        switch self {
        case let .fixed(sizes):
            candidates = sizes
        case let .pixels(minPixels, maxPixels, minAspect, maxAspect):
            // The same shape scaled into the pixel range (its aspect clamped), and the square sizes at both ends.
            let aspect = Swift.min(Swift.max(size.aspect, minAspect), maxAspect)
            let area = Double(Swift.min(Swift.max(size.pixels, minPixels), maxPixels))
            let scaled = Self.fit(ratio: aspect, area: area) { s in s.pixels >= minPixels && s.pixels <= maxPixels }
            let smallest = (Self.side(minPixels) + 15) / 16 * 16, largest = Self.side(maxPixels) / 16 * 16
            candidates = [scaled, ImageSize(smallest, smallest), ImageSize(largest, largest)]
        case let .sides(min, max):
            let clamp = { (side: Int) in Swift.min(Swift.max(side, min), max) }
            candidates = [ImageSize(clamp(size.width), clamp(size.height)), ImageSize(min, min), ImageSize(max, max)]
        }
        let distance = { (s: ImageSize) in abs(log(s.aspect / size.aspect)) * 4 + abs(log(Double(s.pixels) / Double(Swift.max(size.pixels, 1)))) }
        var seen: [ImageSize] = []
        for candidate in candidates.filter({ problem(with: $0) == nil }).sorted(by: { distance($0) < distance($1) })
        where !seen.contains(candidate) {
            seen.append(candidate)
        }
        return Array(seen.prefix(limit))
    }

    /// The size this rule recommends for an aspect ratio, near `area` pixels.
    public func size(forRatio w: Int, _ h: Int, area: Int) -> ImageSize {
        let ratio = Double(w) / Double(h)
        switch self {
        case let .fixed(sizes):
            return sizes.min(by: { abs(log($0.aspect / ratio)) < abs(log($1.aspect / ratio)) })!
        case let .pixels(minPixels, maxPixels, _, _):
            return Self.fit(ratio: ratio, area: Double(area)) { s in s.pixels >= minPixels && s.pixels <= maxPixels }
        case let .sides(min, max):
            return Self.fit(ratio: ratio, area: Double(area)) { s in (min...max).contains(s.width) && (min...max).contains(s.height) }
        }
    }

    /// The multiple-of-16 size nearest `ratio` and `area` that `fits`, shrinking or growing the area as needed.
    private static func fit(ratio: Double, area: Double, fits: (ImageSize) -> Bool) -> ImageSize {
        let round16 = { (x: Double) -> Int in
            let steps = (x / 16).rounded()
            return steps.isFinite && abs(steps) < 1e9 ? max(16, Int(steps) * 16) : 16
        }
        var best: ImageSize?
        for step in 0..<40 {
            for factor in [1 + Double(step) * 0.02, 1 - Double(step) * 0.02] where factor > 0 {
                let h = (area * factor / ratio).squareRoot()
                let candidate = ImageSize(round16(h * ratio), round16(h))
                if fits(candidate) { best = candidate; break }
            }
            if best != nil { break }
        }
        return best ?? ImageSize(round16((area / ratio).squareRoot() * ratio), round16((area / ratio).squareRoot()))
    }

    private static func side(_ pixels: Int) -> Int { Int(Double(pixels).squareRoot().rounded()) }
}
