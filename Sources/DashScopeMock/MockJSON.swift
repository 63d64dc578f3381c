import Foundation

/// JSON helpers shared by the routes: encoding answers and reading loosely typed request fields.
enum MockJSON {
    /// Encodes a JSON object with sorted keys and unescaped slashes, so answers are stable and readable.
    static func encode(_ object: [String: Any]) -> Data {
        let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return data ?? Data("{}".utf8)
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
