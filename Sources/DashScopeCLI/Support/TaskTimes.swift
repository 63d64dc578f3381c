import Foundation
import DashScopeKit

/// Times of tasks as the user reads and writes them: shown in local time with the zone (`TZ` honoured), read as
/// ISO 8601 with a zone or as local `YYYY-MM-DD[ hh:mm[:ss]]`, and sent in the service's own time zone.
enum TaskTimes {
    /// The zone the service reads `start_time`/`end_time` in and writes `submit_time` in. API.md section 4 gives the
    /// format (`YYYYMMDDhhmmss`) but no zone; the assumption is Beijing time (UTC+8), the console's zone, in every region.
    /// A fixed offset (China keeps no summer time), so no time zone database is needed.
    static let serviceZone = TimeZone(secondsFromGMT: 8 * 3600)!

    /// The user's zone: `TZ` from the run's environment (`Europe/Paris`, `UTC`, `:Asia/Tokyo`), else the system's.
    static func localZone(_ environment: [String: String]) -> TimeZone {
        guard var name = environment["TZ"], !name.isEmpty else { return TimeZone.current }
        if name.hasPrefix(":") { name.removeFirst() }
        if ["UTC", "UTC0", "GMT", "GMT0", "Z"].contains(name) { return TimeZone(secondsFromGMT: 0)! }
        return TimeZone(identifier: name) ?? TimeZone.current
    }

    /// `2026-11-23 18:04:05 +08:00`: the date in `zone`, the offset written out so the line means one instant.
    static func show(_ date: Date, in zone: TimeZone) -> String {
        formatter("yyyy-MM-dd HH:mm:ss xxx", zone).string(from: date)
    }

    /// A journal time (ISO 8601) shown in `zone`; the text unchanged when it is not a time.
    static func show(journal text: String, in zone: TimeZone) -> String {
        ISO8601DateFormatter().date(from: text).map { show($0, in: zone) } ?? text
    }

    /// A time the service wrote (`2026-11-23 10:00:00.123`, Beijing time) shown in `zone`; unchanged when unreadable.
    static func show(service text: String, in zone: TimeZone) -> String {
        let whole = String(text.prefix(19))
        return formatter("yyyy-MM-dd HH:mm:ss", serviceZone).date(from: whole).map { show($0, in: zone) } ?? text
    }

    /// `date` as the service's list query takes it: `YYYYMMDDhhmmss` in the service's zone.
    static func serviceStamp(_ date: Date) -> String {
        formatter("yyyyMMddHHmmss", serviceZone).string(from: date)
    }

    /// Reads `--since`/`--until`: ISO 8601 with a zone (`2026-11-23T10:00:00+01:00`, `…Z`, a space for the `T`), or a
    /// local time in `zone` as `YYYY-MM-DD`, `YYYY-MM-DD hh:mm[:ss]` or the digits alone (`20261123100000`).
    static func parse(_ text: String, option: String, zone: TimeZone) throws -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var iso = trimmed
        if iso.count > 10, iso[iso.index(iso.startIndex, offsetBy: 10)] == " " {
            iso.replaceSubrange(iso.index(iso.startIndex, offsetBy: 10)...iso.index(iso.startIndex, offsetBy: 10), with: "T")
        }
        for options in [ISO8601DateFormatter.Options.withInternetDateTime, [.withInternetDateTime, .withFractionalSeconds]] {
            let reader = ISO8601DateFormatter()
            reader.formatOptions = options
            if let date = reader.date(from: iso) { return date }
        }
        let digits = trimmed.filter(\.isNumber)
        let shapeIsLocal = trimmed.allSatisfy { $0.isNumber || "-: T".contains($0) }
        guard shapeIsLocal, [8, 10, 12, 14].contains(digits.count) else {
            throw DashScopeError.usage("\(option) '\(TerminalText.line(String(text.prefix(60))))' is not a time",
                                       hint: "write YYYY-MM-DD, \"YYYY-MM-DD hh:mm:ss\" (local time) or ISO 8601 with a zone, e.g. 2026-11-23T10:00:00+08:00")
        }
        let padded = digits + String(repeating: "0", count: 14 - digits.count)
        guard let date = formatter("yyyyMMddHHmmss", zone).date(from: padded) else {
            throw DashScopeError.usage("\(option) '\(TerminalText.line(String(text.prefix(60))))' is not a valid date",
                                       hint: "check the month, day and hour")
        }
        return date
    }

    /// `7d`, `12h`, `30m`, `90s` or `2w` as seconds.
    static func duration(_ text: String, option: String) throws -> TimeInterval {
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        guard let unit = text.last.flatMap({ units[Character($0.lowercased())] }), let count = Int(text.dropLast()), count >= 0 else {
            throw DashScopeError.usage("\(option) '\(TerminalText.line(String(text.prefix(60))))' is not a duration",
                                       hint: "write a number and a unit: 7d, 12h, 30m, 90s or 2w")
        }
        return TimeInterval(count) * unit
    }

    private static func formatter(_ format: String, _ zone: TimeZone) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.timeZone = zone
        formatter.dateFormat = format
        formatter.isLenient = false
        return formatter
    }
}
