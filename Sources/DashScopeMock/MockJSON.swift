import Foundation

/// JSON helpers shared by the routes: encoding answers and reading loosely typed request fields.
enum MockJSON {
    /// Encodes a JSON object with sorted keys and unescaped slashes, so answers are stable and readable;
    /// strings made by `raw(_:)` are written as the bare JSON text they carry.
    static func encode(_ object: [String: Any]) -> Data {
        let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        guard let data, let text = String(data: data, encoding: .utf8), text.contains(rawMarker) else {
            return data ?? Data("{}".utf8)
        }
        let pieces = text.components(separatedBy: "\"" + rawMarker)
        var result = pieces[0]
        for piece in pieces.dropFirst() {
            let close = piece.firstIndex(of: "\"") ?? piece.endIndex
            result += piece[..<close] + piece[close...].dropFirst()
        }
        return Data(result.utf8)
    }

    private static let rawMarker = "@@dashscope-mock-raw@@"

    /// A value `encode` writes as the bare JSON text `text` (e.g. `1e999`), which JSONSerialization cannot produce.
    static func raw(_ text: String) -> String {
        rawMarker + text
    }

    /// Writes a string as a JSON string literal, quotes included.
    static func quoted(_ text: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])
        return String(decoding: (data ?? Data("[\"\"]".utf8)).dropFirst().dropLast(), as: UTF8.self)
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
        guard let number = value as? NSNumber else {
            return nil
        }
        let double = number.doubleValue
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
