#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// JSON helpers shared by the routes: encoding answers and reading loosely typed request fields. Documents are read
/// and written by DashScopeKit's `JSON` (no `JSONSerialization` in FoundationEssentials) and handed to the routes as
/// `[String: Any]` trees: objects `[String: Any]`, arrays `[Any]`, strings, `Bool`, whole numbers `Int`, other numbers
/// `Double`, and `MockJSON.null`.
enum MockJSON {
    /// JSON's `null` inside a `[String: Any]` tree.
    struct Null: Sendable {}

    /// The `null` value of a tree.
    static let null = Null()

    /// Parses a JSON object into a tree, or nil when the data is not a JSON object.
    static func object(_ data: Data) -> [String: Any]? {
        guard let json = try? JSON.parse(data), case .object = json else {
            return nil
        }
        return tree(json) as? [String: Any]
    }

    /// A parsed value as a tree value.
    private static func tree(_ json: JSON) -> Any {
        switch json {
        case .null: return null
        case let .bool(value): return value
        case let .number(value): return value
        case let .numberText(text): return Int(text) ?? Double(text) ?? Double.nan
        case let .string(value): return value
        case let .array(items): return items.map(tree)
        case let .object(pairs): return Dictionary(pairs.map { ($0.0, tree($0.1)) }, uniquingKeysWith: { _, last in last })
        }
    }

    /// A tree value as JSON, object keys sorted so answers are stable; a value JSON has no spelling for is `null`.
    private static func json(_ value: Any) -> JSON {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            return mirror.children.first.map { json($0.value) } ?? .null
        }
        switch value {
        case let value as Bool: return .bool(value)
        case let value as String: return .string(value)
        case let value as Int: return .integer(value)
        case let value as any BinaryInteger: return .numberText(String(describing: value))
        case let value as Double: return .number(value)
        case let value as [String: Any]: return .object(value.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) })
        case let value as [Any]: return .array(value.map(json))
        default: return .null
        }
    }

    /// Encodes a JSON object with sorted keys and unescaped slashes, so answers are stable and readable;
    /// strings made by `raw(_:)` are written as the bare JSON text they carry.
    static func encode(_ object: [String: Any]) -> Data {
        let text = json(object).compact
        guard text.contains(rawMarker) else {
            return Data(text.utf8)
        }
        let pieces = text.split(separator: "\"" + rawMarker, omittingEmptySubsequences: false)
        var result = String(pieces[0])
        for piece in pieces.dropFirst() {
            let close = piece.firstIndex(of: "\"") ?? piece.endIndex
            result += piece[..<close] + piece[close...].dropFirst()
        }
        return Data(result.utf8)
    }

    private static let rawMarker = "@@dashscope-mock-raw@@"

    /// A value `encode` writes as the bare JSON text `text` (e.g. `1e999`), which no JSON writer produces.
    static func raw(_ text: String) -> String {
        rawMarker + text
    }

    /// Writes a string as a JSON string literal, quotes included.
    static func quoted(_ text: String) -> String {
        JSON.string(text).compact
    }

    /// A 200 answer whose JSON body is `bytes` long (or the shortest it can be), mostly one long `padding` string,
    /// written in chunks as it is sent rather than built in memory.
    static func padded(bytes: Int, requestID: String) -> HTTPResponse {
        let head = Data((#"{"request_id":"# + quoted(requestID) + #","output":{"task_id":"# + quoted(newID())
            + #","task_status":"PENDING"},"padding":""#).utf8)
        let tail = Data("\"}".utf8)
        let stream = BodyStream { writer in
            var left = max(0, bytes - head.count - tail.count)
            let piece = Data(repeating: UInt8(ascii: "a"), count: min(left, 64 * 1024))
            guard writer.write(head) else {
                return
            }
            while left > 0 {
                guard writer.write(piece.prefix(left)) else {
                    return
                }
                left -= min(left, piece.count)
            }
            writer.write(tail)
        }
        return HTTPResponse(status: 200, headers: [(name: "Content-Type", value: "application/json")], stream: stream)
    }

    /// An HTTP response carrying a JSON object.
    static func response(
        status: Int = 200, _ object: [String: Any], headers: [(name: String, value: String)] = []
    ) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: [(name: "Content-Type", value: "application/json")] + headers,
            body: encode(object)
        )
    }

    /// Reads an integer-valued JSON number (`2` or `2.0`), or nil for anything else, including strings.
    static func integer(_ value: Any?) -> Int? {
        if let value = value as? Int {
            return value
        }
        guard let double = value as? Double else {
            return nil
        }
        guard double.rounded() == double, abs(double) < 1e15 else {
            return nil
        }
        return Int(double)
    }

    /// A fresh lowercase UUID, the shape of DashScope's request and task ids.
    static func newID() -> String {
        UUID().uuidString.lowercased()
    }
}
