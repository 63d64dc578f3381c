#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit

/// Times of tasks as the user reads and writes them: shown in local time with the zone (`TZ` honoured), read as
/// ISO 8601 with a zone or as local `YYYY-MM-DD[ hh:mm[:ss]]`, and sent in the service's own time zone.
enum TaskTimes {
    /// The zone the service reads `start_time`/`end_time` in and writes `submit_time` in. API.md section 4 gives the
    /// format (`YYYYMMDDhhmmss`) but no zone; the assumption is Beijing time (UTC+8), the console's zone, in every region.
    /// A fixed offset (China keeps no summer time), so no time zone database is needed.
    static let serviceZone = ClockZone.fixed(seconds: 8 * 3600)

    /// The user's zone: `TZ` from the run's environment (`Europe/Paris`, `UTC`, `:Asia/Tokyo`), else the system's.
    static func localZone(_ environment: [String: String]) -> ClockZone {
        ClockZone(tz: environment["TZ"])
    }

    /// `2026-11-23 18:04:05 +08:00`: the date in `zone`, the offset written out so the line means one instant.
    static func show(_ date: Date, in zone: ClockZone) -> String {
        zone.format(date, "%Y-%m-%d %H:%M:%S ") + zone.offsetText(at: date)
    }

    /// A journal time (ISO 8601) shown in `zone`; the text unchanged when it is not a time.
    static func show(journal text: String, in zone: ClockZone) -> String {
        CalendarText.parseISO8601(text).map { show($0, in: zone) } ?? text
    }

    /// A time the service wrote (`2026-11-23 10:00:00.123`, Beijing time) shown in `zone`; unchanged when unreadable.
    static func show(service text: String, in zone: ClockZone) -> String {
        let whole = Array(text.prefix(19).utf8)
        let shape = Array("dddd-dd-dd dd:dd:dd".utf8)
        guard whole.count == shape.count,
              zip(whole, shape).allSatisfy({ $1 == UInt8(ascii: "d") ? (48...57).contains($0) : $0 == $1 }) else {
            return text
        }
        let digits = String(decoding: whole.filter { (48...57).contains($0) }, as: UTF8.self)
        return localDate(digits, in: serviceZone).map { show($0, in: zone) } ?? text
    }

    /// `date` as the service's list query takes it: `YYYYMMDDhhmmss` in the service's zone.
    static func serviceStamp(_ date: Date) -> String {
        serviceZone.format(date, "%Y%m%d%H%M%S")
    }

    /// Reads `--since`/`--until`: ISO 8601 with a zone (`2026-11-23T10:00:00+01:00`, `…Z`, a space for the `T`), or a
    /// local time in `zone` as `YYYY-MM-DD`, `YYYY-MM-DD hh:mm[:ss]` or the digits alone (`20261123100000`). A date
    /// alone is the start of that day, or with `endOfDay` (`--until`, inclusive) its last instant, 23:59:59.999.
    static func parse(_ text: String, option: String, zone: ClockZone, endOfDay: Bool = false) throws -> Date {
        let trimmed = text.trimmingBlanks()
        var iso = trimmed
        if iso.count > 10, iso[iso.index(iso.startIndex, offsetBy: 10)] == " " {
            iso.replaceSubrange(iso.index(iso.startIndex, offsetBy: 10)...iso.index(iso.startIndex, offsetBy: 10), with: "T")
        }
        if let date = CalendarText.parseISO8601(iso, fractionalSeconds: true) { return date }
        let digits = trimmed.filter(\.isNumber)
        let shapeIsLocal = trimmed.allSatisfy { $0.isNumber || "-: T".contains($0) }
        guard shapeIsLocal, [8, 10, 12, 14].contains(digits.count) else {
            throw DashScopeError.usage("\(option) '\(TerminalText.line(String(text.prefix(60))))' is not a time",
                                       hint: "write YYYY-MM-DD, \"YYYY-MM-DD hh:mm:ss\" (local time) or ISO 8601 with a zone, e.g. 2026-11-23T10:00:00+08:00")
        }
        let wholeDay = endOfDay && digits.count == 8
        let padded = digits + (wholeDay ? "235959" : String(repeating: "0", count: 14 - digits.count))
        guard let date = localDate(padded, in: zone).map({ wholeDay ? $0.addingTimeInterval(0.999) : $0 }) else {
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

    /// The instant of 14 ASCII digits `YYYYMMDDhhmmss` read in `zone`, or nil when they name no real time.
    private static func localDate(_ digits: String, in zone: ClockZone) -> Date? {
        let bytes = Array(digits.utf8)
        guard bytes.count == 14, bytes.allSatisfy({ (48...57).contains($0) }) else { return nil }
        func number(_ start: Int, _ length: Int) -> Int { bytes[start..<(start + length)].reduce(0) { $0 * 10 + Int($1 - 48) } }
        return zone.date(year: number(0, 4), month: number(4, 2), day: number(6, 2),
                         hour: number(8, 2), minute: number(10, 2), second: number(12, 2))
    }
}
