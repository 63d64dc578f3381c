#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One cheap, free, idempotent call that tells whether the service takes the key: `GET {base}/tasks?page_no=1&page_size=1`
/// (API.md section 4), sent once without retries. `auth status` and `doctor` read its verdict, latency and `Date` header.
public struct KeyCheck: Sendable {
    /// What the call found.
    public enum Verdict: Sendable {
        /// The service answered 2xx: the key works in this region.
        case accepted
        /// No key is configured: nothing was sent.
        case noKey
        /// The service answered 401 or 403.
        case rejected(DashScopeError)
        /// No answer: DNS, connection, TLS, proxy or libcurl trouble.
        case unreachable(DashScopeError)
        /// Another error answer (429, 5xx, ...): the service is there but did not say yes.
        case failed(DashScopeError)
    }

    /// The verdict.
    public var verdict: Verdict
    /// The HTTP status, when there was an answer.
    public var status: Int?
    /// The server's clock, from the answer's `Date` header.
    public var serverDate: Date?
    /// The local clock when the answer arrived.
    public var localDate: Date
    /// How long the exchange took, in milliseconds.
    public var milliseconds: Int

    /// The endpoint called.
    public static let endpoint = Endpoint(method: "GET", path: "/tasks", query: [("page_no", "1"), ("page_size", "1")], kind: .idempotent)

    /// Seconds the local clock is ahead of the server's (negative: behind), when the answer had a `Date` header.
    public var clockSkew: Double? { serverDate.map { localDate.timeIntervalSince($0) } }

    /// The error to report for a verdict other than `.accepted`.
    public var error: DashScopeError? {
        switch verdict {
        case .accepted: return nil
        case .noKey: return .noKey
        case let .rejected(error), let .unreachable(error), let .failed(error): return error
        }
    }

    /// Sends the call once with the client's key, within `timeout` seconds. Without a key nothing is sent, unless
    /// `reachWithoutKey` asks to send it anyway to learn whether the service answers (its 401 then reads as `.noKey`).
    public static func run(client: APIClient, timeout: TimeInterval = 20, reachWithoutKey: Bool = false) async -> KeyCheck {
        let started = Date()
        let hasKey = client.configuration.apiKey != nil
        guard hasKey || reachWithoutKey else {
            return KeyCheck(verdict: .noKey, status: nil, serverDate: nil, localDate: started, milliseconds: 0)
        }
        let request = client.request(for: endpoint, deadline: started.addingTimeInterval(timeout))
        client.trace(request, key: client.configuration.apiKey)
        let configuration = client.configuration
        do {
            let response = try await client.transport.send(request)
            let now = Date()
            let ms = Int(now.timeIntervalSince(started) * 1000)
            client.logger.trace?("< HTTP \(response.status) (\(ms) ms)")
            let date = response.headers["date"].flatMap(httpDate)
            let region = client.usesRegionHost ? configuration.region : nil
            let verdict: Verdict
            switch response.status {
            case _ where !hasKey: verdict = .noKey
            case 200..<300: verdict = .accepted
            case 401, 403: verdict = .rejected(ServiceError.error(status: response.status, data: response.body, region: region))
            default: verdict = .failed(ServiceError.error(status: response.status, data: response.body, region: region))
            }
            return KeyCheck(verdict: verdict, status: response.status, serverDate: date, localDate: now, milliseconds: ms)
        } catch let error as TransportError {
            let failure = APIClient.networkError(error, kind: .idempotent, host: configuration.apiHost)
            return KeyCheck(verdict: .unreachable(failure), status: nil, serverDate: nil, localDate: Date(),
                            milliseconds: Int(Date().timeIntervalSince(started) * 1000))
        } catch {
            let failure = DashScopeError("could not reach \(configuration.apiHost): \(error)", exit: .unavailable)
            return KeyCheck(verdict: .unreachable(failure), status: nil, serverDate: nil, localDate: Date(),
                            milliseconds: Int(Date().timeIntervalSince(started) * 1000))
        }
    }

    /// Reads an HTTP date (`Thu, 26 Nov 2026 08:09:12 GMT`, RFC 9110's preferred form).
    public static func httpDate(_ text: String) -> Date? {
        CalendarText.parseHTTPDate(text.trimmingBlanks())
    }
}
