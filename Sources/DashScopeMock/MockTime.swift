#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// The service's clock formats: task times in Beijing time, list filters as `YYYYMMDDhhmmss`.
enum MockTime {
    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 8 * 3600) ?? .current
        return calendar
    }()

    /// Formats a date like the service does, e.g. `2025-09-01 12:00:00.123`.
    static func format(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = Date(timeIntervalSince1970: Double(milliseconds.floorDivided(by: 1000)))
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: seconds)
        let day = [parts.year ?? 0, parts.month ?? 0, parts.day ?? 0].enumerated()
            .map { $1.zeroPadded(to: $0 == 0 ? 4 : 2) }.joined(separator: "-")
        let time = [parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0].map { $0.zeroPadded(to: 2) }.joined(separator: ":")
        return day + " " + time + "." + (milliseconds - milliseconds.floorDivided(by: 1000) * 1000).zeroPadded(to: 3)
    }

    /// Parses a `YYYYMMDDhhmmss` list filter, or returns nil when it is not one.
    static func parseCompact(_ text: String) -> Date? {
        guard text.count == 14, text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return nil
        }
        let digits = Array(text)
        func field(_ start: Int, _ length: Int) -> Int {
            Int(String(digits[start..<(start + length)])) ?? 0
        }
        let parts = DateComponents(
            year: field(0, 4), month: field(4, 2), day: field(6, 2),
            hour: field(8, 2), minute: field(10, 2), second: field(12, 2)
        )
        guard parts.isValidDate(in: calendar) else {
            return nil
        }
        return calendar.date(from: parts)
    }
}

private extension Int64 {
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor < 0) ? quotient - 1 : quotient
    }
}
