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

/// A time zone read through the C library, in place of `TimeZone`, whose named zones and `TimeZone.current` need
/// ICU (FoundationEssentials alone knows only fixed offsets and answers GMT for the local zone).
public struct ClockZone: Sendable, Equatable {
    private enum Kind: Sendable, Equatable {
        /// The process's own zone: `TZ` of the process, else `/etc/localtime`.
        case process
        /// A fixed offset east of UTC, in seconds.
        case fixed(Int)
        /// A zone of the system's database (`/usr/share/zoneinfo`, or `TZDIR`), other than the process's.
        case named(String)
    }

    private let kind: Kind

    /// The process's own local zone.
    public static let process = ClockZone(kind: .process)

    /// Coordinated universal time.
    public static let utc = ClockZone(kind: .fixed(0))

    /// A zone `seconds` east of UTC, all year.
    public static func fixed(seconds: Int) -> ClockZone { ClockZone(kind: .fixed(seconds)) }

    private init(kind: Kind) { self.kind = kind }

    /// The zone a `TZ` value names (`Europe/Paris`, `:Asia/Tokyo`, `UTC`); the process's zone for nil, empty, the
    /// process's own `TZ`, or a name the database does not hold (as `TimeZone(identifier:) ?? .current` chose).
    public init(tz value: String?) {
        guard var name = value, !name.isEmpty else { self = .process; return }
        if name.hasPrefix(":") { name.removeFirst() }
        let own = getenv("TZ").map { String(cString: $0) }.map { $0.hasPrefix(":") ? String($0.dropFirst()) : $0 }
        if ["UTC", "UTC0", "GMT", "GMT0", "Z"].contains(name) {
            self = .utc
        } else if name == own {
            self = .process
        } else if !name.hasPrefix("/"), !name.split(separator: "/").contains(".."), Self.databaseHolds(name) {
            self.kind = .named(name)
        } else {
            self = .process
        }
    }

    private static func databaseHolds(_ name: String) -> Bool {
        let directory = getenv("TZDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/share/zoneinfo"
        var info = stat()
        return stat(directory + "/" + name, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// The offset from UTC in seconds at `date` (summer time included).
    public func secondsFromGMT(for date: Date = Date()) -> Int { Int(fields(of: date).tm_gmtoff) }

    /// The broken-down time of `date` in this zone, from its whole seconds (`tm_gmtoff` holds the offset).
    public func fields(of date: Date) -> tm {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var out = tm()
        switch kind {
        case .process:
            tzset()
            localtime_r(&seconds, &out)
        case let .fixed(offset):
            seconds += time_t(offset)
            gmtime_r(&seconds, &out)
            out.tm_gmtoff = offset
        case let .named(name):
            Self.withTZ(name) { _ = localtime_r(&seconds, &out) }
        }
        return out
    }

    /// The instant of a wall-clock time in this zone (`tm_isdst` is worked out), or nil when the fields do not name a
    /// real date and time (`2026-02-30`, `25:00`).
    public func date(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Date? {
        var wanted = tm()
        wanted.tm_year = Int32(year - 1900)
        wanted.tm_mon = Int32(month - 1)
        wanted.tm_mday = Int32(day)
        wanted.tm_hour = Int32(hour)
        wanted.tm_min = Int32(minute)
        wanted.tm_sec = Int32(second)
        wanted.tm_isdst = -1
        var given = wanted
        let seconds: time_t
        switch kind {
        case .process:
            tzset()
            seconds = mktime(&given)
        case let .fixed(offset):
            seconds = timegm(&given) - time_t(offset)
        case let .named(name):
            seconds = Self.withTZ(name) { mktime(&given) }
        }
        guard given.tm_year == wanted.tm_year, given.tm_mon == wanted.tm_mon, given.tm_mday == wanted.tm_mday,
              given.tm_hour == wanted.tm_hour, given.tm_min == wanted.tm_min, given.tm_sec == wanted.tm_sec else {
            return nil
        }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// `date` written with `strftime`'s `pattern` in this zone.
    public func format(_ date: Date, _ pattern: String) -> String {
        var broken = fields(of: date)
        var buffer = [CChar](repeating: 0, count: 128)
        let count = strftime(&buffer, buffer.count, pattern, &broken)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The offset at `date` as `+hh:mm` (`-05:30`, `+00:00`).
    public func offsetText(at date: Date) -> String {
        let offset = secondsFromGMT(for: date)
        let minutes = abs(offset) / 60
        return (offset < 0 ? "-" : "+") + (minutes / 60).zeroPadded(to: 2) + ":" + (minutes % 60).zeroPadded(to: 2)
    }

    /// Only one thread at a time borrows the process's `TZ` for a named zone. The binary never needs to (its run's
    /// `TZ` is the process's own); in-process callers that pass another environment do.
    private static let borrowing = Lock()

    private static func withTZ<Result>(_ name: String, _ body: () -> Result) -> Result {
        borrowing.withLock {
            let saved = getenv("TZ").map { String(cString: $0) }
            setenv("TZ", name, 1)
            tzset()
            defer {
                if let saved { setenv("TZ", saved, 1) } else { unsetenv("TZ") }
                tzset()
            }
            return body()
        }
    }
}
