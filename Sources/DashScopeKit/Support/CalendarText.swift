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

/// Dates as text through the C library's calendar, in place of `DateFormatter` and `ISO8601DateFormatter`, which
/// FoundationEssentials lacks (writing a date in a zone is `ClockZone.format`).
public enum CalendarText {
    /// The date as ISO 8601 internet time in UTC, `2026-11-26T08:35:45Z` (what `ISO8601DateFormatter` writes).
    public static func iso8601(_ date: Date) -> String {
        ClockZone.utc.format(date, "%Y-%m-%dT%H:%M:%SZ")
    }

    /// Reads an HTTP date in RFC 9110's preferred form, `Thu, 26 Nov 2026 08:09:12 GMT`; nil for anything else.
    public static func parseHTTPDate(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        let weekdays = ["Mon,", "Tue,", "Wed,", "Thu,", "Fri,", "Sat,", "Sun,"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, weekdays.contains(String(parts[0])), parts[1].count == 2, let day = Int(parts[1]),
              let month = months.firstIndex(of: String(parts[2])), parts[3].count == 4, let year = Int(parts[3]),
              parts[5] == "GMT" else {
            return nil
        }
        let time = parts[4].split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 3, time.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
              let hour = Int(time[0]), let minute = Int(time[1]), let second = Int(time[2]) else {
            return nil
        }
        return ClockZone.utc.date(year: year, month: month + 1, day: day, hour: hour, minute: minute, second: second)
    }

    /// Reads ISO 8601 internet time with a zone, `2026-11-26T08:35:45Z` or `...+08:00` (what `ISO8601DateFormatter`
    /// reads by default), with `fractionalSeconds` also `08:35:45.250Z`; nil for anything else.
    public static func parseISO8601(_ text: String, fractionalSeconds: Bool = false) -> Date? {
        var bytes = Array(text.utf8)
        var fraction = 0.0
        if fractionalSeconds, bytes.count > 20, bytes[19] == UInt8(ascii: ".") {
            let digits = bytes[20...].prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
            guard !digits.isEmpty, let value = Double("0." + String(decoding: digits, as: UTF8.self)) else { return nil }
            fraction = value
            bytes.removeSubrange(19..<(20 + digits.count))
        }
        func number(_ start: Int, _ length: Int) -> Int? {
            guard start + length <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<(start + length)] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        func byte(_ index: Int, is character: Character) -> Bool {
            index < bytes.count && bytes[index] == character.asciiValue
        }
        guard let year = number(0, 4), byte(4, is: "-"), let month = number(5, 2), byte(7, is: "-"), let day = number(8, 2),
              byte(10, is: "T"), let hour = number(11, 2), byte(13, is: ":"), let minute = number(14, 2), byte(16, is: ":"),
              let second = number(17, 2), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
              second < 61 else {
            return nil
        }
        var offset = 0
        if byte(19, is: "Z") && bytes.count == 20 {
            offset = 0
        } else if (byte(19, is: "+") || byte(19, is: "-")), bytes.count == 25, let zoneHour = number(20, 2), byte(22, is: ":"),
                  let zoneMinute = number(23, 2), zoneHour < 24, zoneMinute < 60 {
            offset = (zoneHour * 3600 + zoneMinute * 60) * (byte(19, is: "-") ? -1 : 1)
        } else {
            return nil
        }
        var fields = tm()
        fields.tm_year = Int32(year - 1900)
        fields.tm_mon = Int32(month - 1)
        fields.tm_mday = Int32(day)
        fields.tm_hour = Int32(hour)
        fields.tm_min = Int32(minute)
        fields.tm_sec = Int32(second)
        return Date(timeIntervalSince1970: TimeInterval(timegm(&fields) - offset) + fraction)
    }
}
