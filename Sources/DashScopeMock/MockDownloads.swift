import Foundation

/// The part of a file a `Range` header asks for.
enum ByteRange: Equatable {
    /// Bytes `lower...upper` of the file, both within it.
    case satisfiable(lower: Int, upper: Int)
    /// A range that starts past the end of the file.
    case unsatisfiable

    /// Reads a single `bytes=N-`, `bytes=N-M` or `bytes=-SUFFIX` range over a file of `total` bytes; nil when the
    /// header is absent or not a single byte range, which HTTP says to ignore by answering the whole file.
    init?(header: String?, total: Int) {
        guard let header, header.lowercased().hasPrefix("bytes=") else {
            return nil
        }
        let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        let bounds = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard bounds.count == 2, bounds.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }) else {
            return nil
        }
        let first = Int(bounds[0])
        let last = Int(bounds[1])
        switch (first, last) {
        case (let lower?, nil) where bounds[1].isEmpty:
            self = lower < total ? .satisfiable(lower: lower, upper: total - 1) : .unsatisfiable
        case (let lower?, let upper?) where upper >= lower:
            self = lower < total ? .satisfiable(lower: lower, upper: min(upper, total - 1)) : .unsatisfiable
        case (nil, let suffix?) where bounds[0].isEmpty:
            self = suffix > 0 && total > 0 ? .satisfiable(lower: max(0, total - suffix), upper: total - 1) : .unsatisfiable
        default:
            return nil
        }
    }
}

/// Answers to `/files/...` downloads.
enum MockDownloads {
    /// The whole file (200), the part a Range asks for (206 with Content-Range), or 416 for a range past its end.
    static func answer(_ file: Data, format: MediaFormat, range header: String?) -> HTTPResponse {
        answer(FileBytes(file), format: format, range: header)
    }

    /// The same answers over a file read piece by piece as it is sent. With an `etag`, the answer carries it and, as
    /// OSS does, a Range whose `If-Range` names another ETag is ignored (the whole file, 200).
    static func answer(
        _ file: FileBytes, format: MediaFormat, range header: String?, etag: String? = nil, ifRange: String? = nil
    ) -> HTTPResponse {
        var headers = [(name: "Content-Type", value: format.contentType), (name: "Accept-Ranges", value: "bytes")]
        if let etag {
            headers.append((name: "ETag", value: etag))
        }
        let rangeApplies = ifRange.map { $0.trimmingCharacters(in: .whitespaces) == etag } ?? true
        switch ByteRange(header: rangeApplies ? header : nil, total: file.count) {
        case nil:
            return HTTPResponse(status: 200, headers: headers, file: file)
        case .satisfiable(let lower, let upper)?:
            headers.append((name: "Content-Range", value: "bytes \(lower)-\(upper)/\(file.count)"))
            return HTTPResponse(status: 206, headers: headers, file: file.slice(lower..<(upper + 1)))
        case .unsatisfiable?:
            return HTTPResponse(
                status: 416, headers: [(name: "Content-Range", value: "bytes */\(file.count)")], body: Data()
            )
        }
    }
}

extension Fault {
    /// Bends a download's answer the way this `download`-role fault says.
    func shape(_ response: inout HTTPResponse) {
        switch kind {
        case .slow:
            response.delivery = .paced(seconds: seconds)
        case .truncate, .dropHalf:
            response.delivery = .truncated
        case .stall:
            response.delivery = .stalled(seconds: seconds)
        case .trickle:
            response.delivery = .trickled(interval: max(seconds, 0.001), limit: 120)
        case .empty:
            response = HTTPResponse(status: 200, headers: response.headers.withoutRange, body: Data())
        case .noContent:
            response = HTTPResponse(status: 204, headers: [], body: Data())
        case .partialContent:
            let half = response.bodyBytes(0..<(response.bodyCount / 2))
            var headers = response.headers.withoutRange
            headers.append((name: "Content-Range", value: "bytes 0-\(half.count - 1)/\(response.bodyCount)"))
            response = HTTPResponse(status: 206, headers: headers, body: half)
        default:
            break
        }
    }
}

private extension [(name: String, value: String)] {
    var withoutRange: Self {
        filter { $0.name != "Content-Range" }
    }
}
