#if os(Linux)
import CCurl
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch

/// Where a transfer puts a 2xx body; every other answer is kept in memory, within the request's cap.
enum CurlSink {
    /// Kept in memory, within `maxBodyBytes`.
    case memory
    /// Handed over piece by piece as it arrives, each piece valid only during the call.
    case stream(StreamChunkHandler)
    /// Written to a file.
    case file(DownloadFile)
}

/// One HTTP exchange on a libcurl easy handle, run to the end on the calling thread: it sends the body from memory
/// or disk, collects the status and headers, puts the body where the sink says, and stops early when cancelled,
/// past the deadline, over the memory cap, or stalled.
final class CurlTransfer: @unchecked Sendable {
    private let request: HTTPRequest
    private let trust: TrustStore
    private let sink: CurlSink
    private let stall: StallRule
    private let lock = Lock()
    private var isCancelled = false

    /// The longest wait for a connection: a create that cannot connect is safe to re-send, so fail it early.
    private static let connectSeconds = 30

    // The state below is touched only by `perform` and the libcurl callbacks it runs, one at a time on its thread, so
    // the runtime's check of each access (on every piece of a stream) is left out where a piece passes.
    @exclusivity(unchecked) private var status = 0
    private var headers: [String: String] = [:]
    private var body = Data()
    @exclusivity(unchecked) private var received: Int64 = 0
    private var reader: BodyReader?
    /// A stream's pieces read since the last hand-over, and how many there were (see `StreamPacing`).
    @exclusivity(unchecked) private var gathered: [UInt8] = []
    @exclusivity(unchecked) private var gatheredPieces = 0
    @exclusivity(unchecked) private var pacing = StreamPacing()
    /// Whether a stream's pieces are gathered and handed over pass by pass (libcurl has the multi interface).
    private static let passes = dscurl_has_passes() != 0
    /// What a callback ran into (a full disk, a file that vanished, the cap, the stream consumer's own error).
    private var failure: Error?

    /// Prepares an exchange.
    init(request: HTTPRequest, trust: TrustStore, sink: CurlSink, stall: StallRule) {
        self.request = request
        self.trust = trust
        self.sink = sink
        self.stall = stall
    }

    /// Asks the running exchange to stop at libcurl's next callback.
    func cancel() {
        lock.withLock { isCancelled = true }
    }

    private var cancelled: Bool { lock.withLock { isCancelled } }

    /// Performs the exchange on `handle` (freshly made or reset) and returns the answer or the classified failure; a
    /// stream runs on `multi` (made on first use, kept by the caller with the handle).
    func perform(on handle: LibCurl.Handle, multi: inout UnsafeMutableRawPointer?) -> Result<HTTPResponse, Error> {
        let left = request.deadline.map { $0.timeIntervalSinceNow * 1000 }
        if let left, left < 1 { return .failure(TransportError.deadlineReached(sent: false)) }
        // A deadline further away than libcurl's timeout can count (24 days) is no limit.
        let limit = left.flatMap { $0 < Double(Int32.max) ? Int($0) : nil }
        if case .none = request.content {} else {
            do { reader = try BodyReader(request.content) } catch { return .failure(error) }
        }
        var headerList: UnsafeMutableRawPointer?
        for line in headerLines() { headerList = dscurl_slist_append(headerList, line) }
        defer { dscurl_slist_free_all(headerList) }
        var errorText = [CChar](repeating: 0, count: 256)
        let me = Unmanaged.passUnretained(self).toOpaque()
        let started = DispatchTime.now()
        let code: Int32 = errorText.withUnsafeMutableBufferPointer { errorBuffer in
            var options = Options(handle: handle)
            options.set(LibCurl.Option.noSignal, 1)
            options.set(LibCurl.Option.followLocation, 0)
            options.restrictToHTTP()
            options.set(LibCurl.Option.url, request.url.absoluteString)
            options.set(LibCurl.Option.httpHeader, UnsafeRawPointer(headerList))
            options.set(LibCurl.Option.errorBuffer, UnsafeRawPointer(errorBuffer.baseAddress))
            if let file = trust.file { options.set(LibCurl.Option.caInfo, file) }
            if let directory = trust.directory { options.set(LibCurl.Option.caPath, directory) }
            let seconds = max(1, Int(request.timeout.rounded(.up)))
            options.set(LibCurl.Option.connectTimeout, min(seconds, Self.connectSeconds))
            if let limit { options.set(LibCurl.Option.timeoutMS, limit) }
            options.set(LibCurl.Option.lowSpeedLimit, stall.bytesPerSecond)
            options.set(LibCurl.Option.lowSpeedTime, stall.seconds)
            setMethod(&options, context: me)
            options.set(LibCurl.Option.writeFunction, curlReceiveBody)
            options.set(LibCurl.Option.writeData, UnsafeRawPointer(me))
            options.set(LibCurl.Option.headerFunction, curlReceiveHeader)
            options.set(LibCurl.Option.headerData, UnsafeRawPointer(me))
            options.set(LibCurl.Option.noProgress, 0)
            options.set(curlCheckCancel)
            options.set(LibCurl.Option.xferInfoData, UnsafeRawPointer(me))
            if let refused = options.firstRefusal { return refused }
            if case .stream = sink, Self.passes { return dscurl_perform_passes(handle, &multi, curlEndOfPass, me) }
            return dscurl_easy_perform(handle)
        }
        let elapsed = Int((DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1_000_000)
        let message = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let detail = message.isEmpty ? LibCurl.describe(code) : message
        let deadlineHit = code == LibCurl.Code.timedOut && limit.map { elapsed + 250 >= $0 } == true
        return finish(code: code, detail: detail, handle: handle, deadlineHit: deadlineHit)
    }

    /// The header lines: the request's, the body's type or `Range`, an empty `Expect:` (no 100-continue pause) and,
    /// for bodies without a type, an empty `Content-Type:` so libcurl adds no form type of its own.
    private func headerLines() -> [String] {
        let resumeFrom: Int64 = if case let .file(file) = sink { file.resumeFrom } else { 0 }
        let fields = request.headers(resumeFrom: resumeFrom)
        var lines = fields.map { "\($0.0): \($0.1)" }
        lines.append("Expect:")
        if !fields.contains(where: { $0.0.equalsIgnoringCase("Content-Type") }) { lines.append("Content-Type:") }
        return lines
    }

    private func setMethod(_ options: inout Options, context: UnsafeMutableRawPointer) {
        if request.method == "GET" && reader == nil {
            options.set(LibCurl.Option.httpGet, 1)
            return
        }
        options.set(LibCurl.Option.post, 1)
        options.set(LibCurl.Option.postFieldSizeLarge, offset: reader?.length ?? 0)
        options.set(LibCurl.Option.readFunction, curlSendBody)
        options.set(LibCurl.Option.readData, UnsafeRawPointer(context))
        options.set(curlRewindBody)
        options.set(LibCurl.Option.seekData, UnsafeRawPointer(context))
        if request.method != "POST" { options.set(LibCurl.Option.customRequest, request.method) }
    }

    private func finish(code: Int32, detail: String, handle: LibCurl.Handle, deadlineHit: Bool) -> Result<HTTPResponse, Error> {
        if cancelled && code != LibCurl.Code.ok { return .failure(CancellationError()) }
        if let failure { return .failure(failure) }
        let isSuccess = (200..<300).contains(status)
        switch code {
        case LibCurl.Code.ok:
            if case let .file(file) = sink, isSuccess {
                do { try file.finish(status: status, headers: headers) } catch { return .failure(error) }
            }
            return .success(HTTPResponse(status: status, headers: headers, body: body))
        case LibCurl.Code.partialFile:
            var expected: Int64 = -1
            _ = dscurl_getinfo_off(handle, LibCurl.Info.contentLengthDownload, &expected)
            let base: Int64 = if case let .file(file) = sink, isSuccess { file.base } else { 0 }
            return .failure(TransportError.truncated(expected: base + expected, received: base + received))
        default:
            return .failure(Self.classify(code: code, sent: Self.requestWasSent(handle), detail: detail, deadlineHit: deadlineHit))
        }
    }

    /// Whether any of the request may have reached the server: libcurl counted request bytes, or got as far as
    /// starting the transfer (connected, TLS done, proxy tunnel open). Errs on the side of "sent".
    private static func requestWasSent(_ handle: LibCurl.Handle) -> Bool {
        var size = 0
        var pretransfer = 0.0
        _ = dscurl_getinfo_long(handle, LibCurl.Info.requestSize, &size)
        _ = dscurl_getinfo_double(handle, LibCurl.Info.pretransferTime, &pretransfer)
        return size > 0 || pretransfer > 0
    }

    /// The failure for a libcurl result code, given whether the request may have been sent.
    static func classify(code: Int32, sent: Bool, detail: String, deadlineHit: Bool) -> TransportError {
        if deadlineHit { return .deadlineReached(sent: sent) }
        if LibCurl.Code.trust.contains(code) { return .tlsFailed(detail) }
        let text = code == LibCurl.Code.timedOut ? "timed out (\(detail))" : detail
        if code == LibCurl.Code.couldNotResolveProxy || code == LibCurl.Code.proxyHandshake {
            return .cannotConnect(text + " (check https_proxy/HTTPS_PROXY and NO_PROXY)")
        }
        return sent ? .connectionLost(text) : .cannotConnect(text)
    }

    // MARK: - Callbacks

    /// Takes one header line; a status line starts a new header block (after 100 Continue or a proxy's CONNECT answer).
    fileprivate func receiveHeader(_ line: String) {
        let trimmed = line.trimmingBlanksAndLineBreaks()
        if trimmed.hasPrefix("HTTP/") {
            let parts = trimmed.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = [:]
            body = Data()
            received = 0
        } else if let colon = trimmed.firstIndex(of: ":") {
            let name = trimmed[..<colon].trimmingBlanks().lowercased()
            headers[name] = trimmed[trimmed.index(after: colon)...].trimmingBlanks()
        }
    }

    /// Takes a piece of the body; returning less than its size makes libcurl stop with a write error.
    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        if cancelled { return 0 }
        do {
            if case .stream = sink, (200..<300).contains(status), received + Int64(bytes.count) > Int64(request.maxStreamedBytes) {
                throw TransportError.answerTooLarge(limit: request.maxStreamedBytes)
            }
            switch sink {
            case .stream where (200..<300).contains(status) && Self.passes:
                gathered.append(contentsOf: bytes)
                gatheredPieces += 1
            case let .stream(deliver) where (200..<300).contains(status): try deliver(bytes)
            case let .file(file) where (200..<300).contains(status): try file.write(bytes, status: status, headers: headers)
            default:
                guard body.count + bytes.count <= request.maxBodyBytes else {
                    throw TransportError.answerTooLarge(limit: request.maxBodyBytes)
                }
                body.append(contentsOf: bytes)
            }
        } catch {
            failure = error
            return 0
        }
        received += Int64(bytes.count)
        return bytes.count
    }

    /// Ends a pass of a streamed transfer: hands the gathered pieces over when `StreamPacing` says so; returns how many
    /// microseconds to wait before the next poll, or -1 to stop (cancelled, or the consumer threw).
    fileprivate func endOfPass(unread: Int) -> Int {
        if cancelled { return -1 }
        guard case let .stream(deliver) = sink else { return 0 }
        let now = Int(DispatchTime.now().uptimeNanoseconds / 1000)
        let (handOver, wait) = pacing.endOfPass(pieces: gatheredPieces, bytes: gathered.count, unread: unread, now: now)
        guard handOver else { return 0 }
        do {
            try gathered.withUnsafeBytes(deliver)
        } catch {
            failure = error
            return -1
        }
        gathered.removeAll(keepingCapacity: true)
        gatheredPieces = 0
        return wait
    }

    /// Fills libcurl's send buffer from the body; `CURL_READFUNC_ABORT` stops the transfer.
    fileprivate func sendBody(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        if cancelled { return Self.readAbort }
        guard let reader else { return 0 }
        do {
            return try reader.read(into: buffer)
        } catch {
            failure = error
            return Self.readAbort
        }
    }

    /// Goes back to the body's start when libcurl must send it again; other offsets are refused.
    fileprivate func rewindBody(to offset: Int64) -> Int32 {
        guard offset == 0 else { return 2 }
        reader?.rewind()
        return 0
    }

    private static let readAbort = 0x1000_0000

    /// Says whether to go on: libcurl calls it at least once a second, even while it waits for bytes.
    fileprivate func shouldStop() -> Bool { cancelled }
}

/// The least progress a transfer must make: fewer than `bytesPerSecond` for `seconds` in a row fails it.
public struct StallRule: Sendable, Equatable {
    /// The speed below which the transfer counts as stalled.
    public var bytesPerSecond: Int
    /// How long it may stay that slow.
    public var seconds: Int

    /// Creates a rule.
    public init(bytesPerSecond: Int, seconds: Int) {
        self.bytesPerSecond = bytesPerSecond
        self.seconds = seconds
    }

    /// Downloads: under 1 KiB/s for 30 s is a stalled download.
    public static let downloads = StallRule(bytesPerSecond: 1024, seconds: 30)
}

/// Sets options on one easy handle and remembers the first one libcurl refused.
private struct Options {
    let handle: LibCurl.Handle
    /// The first failing `CURLcode`, if any.
    var firstRefusal: Int32?

    init(handle: LibCurl.Handle) {
        self.handle = handle
    }

    mutating func set(_ option: Int32, _ value: Int) { record(dscurl_setopt_long(handle, option, value)) }

    mutating func set(_ option: Int32, offset value: Int64) { record(dscurl_setopt_off(handle, option, value)) }

    mutating func set(_ option: Int32, _ value: UnsafeRawPointer?) { record(dscurl_setopt_ptr(handle, option, value)) }

    mutating func set(_ option: Int32, _ value: String) { record(value.withCString { dscurl_setopt_ptr(handle, option, $0) }) }

    mutating func set(_ option: Int32, _ value: dscurl_data_func) { record(dscurl_setopt_data_func(handle, option, value)) }

    mutating func set(_ value: dscurl_xferinfo_func) {
        record(dscurl_setopt_xferinfo_func(handle, LibCurl.Option.xferInfoFunction, value))
    }

    mutating func set(_ value: dscurl_seek_func) { record(dscurl_setopt_seek_func(handle, LibCurl.Option.seekFunction, value)) }

    /// Allows only http and https, for the first request and any redirect: the names (libcurl ≥ 7.85), else the bitmasks.
    mutating func restrictToHTTP() {
        for (names, bits) in [(LibCurl.Option.protocolsString, LibCurl.Option.protocols),
                              (LibCurl.Option.redirectProtocolsString, LibCurl.Option.redirectProtocols)] {
            if "http,https".withCString({ dscurl_setopt_ptr(handle, names, $0) }) != LibCurl.Code.ok {
                set(bits, LibCurl.httpProtocolBits)
            }
        }
    }

    private mutating func record(_ code: Int32) {
        if code != LibCurl.Code.ok && firstRefusal == nil { firstRefusal = code }
    }
}

private func transfer(_ context: UnsafeMutableRawPointer?) -> CurlTransfer? {
    context.map { Unmanaged<CurlTransfer>.fromOpaque($0).takeUnretainedValue() }
}

private let curlReceiveBody: dscurl_data_func = { pointer, size, count, context in
    transfer(context)?.receiveBody(UnsafeRawBufferPointer(start: pointer, count: size * count)) ?? 0
}

private let curlReceiveHeader: dscurl_data_func = { pointer, size, count, context in
    let bytes = UnsafeRawBufferPointer(start: pointer, count: size * count)
    transfer(context)?.receiveHeader(String(decoding: bytes, as: UTF8.self))
    return size * count
}

private let curlSendBody: dscurl_data_func = { pointer, size, count, context in
    transfer(context)?.sendBody(UnsafeMutableRawBufferPointer(start: pointer, count: size * count)) ?? 0
}

private let curlRewindBody: dscurl_seek_func = { context, offset, _ in
    transfer(context)?.rewindBody(to: offset) ?? 1
}

private let curlEndOfPass: dscurl_pass_func = { context, unread in
    transfer(context)?.endOfPass(unread: unread) ?? -1
}

private let curlCheckCancel: dscurl_xferinfo_func = { context, _, _, _, _ in
    transfer(context)?.shouldStop() == true ? 1 : 0
}
#endif
