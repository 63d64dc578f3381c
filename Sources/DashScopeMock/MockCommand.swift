/// The `dashscope-mock` command line parsed into what to do.
public enum MockCommand: Sendable, Equatable {
    /// Serve with these options until SIGINT or SIGTERM.
    case serve(MockOptions)
    /// Print `usage` and exit.
    case help

    /// Parses the arguments after the program name; throws a `MockServerError` whose message fits on one line.
    public init(arguments: [String]) throws {
        var options = MockOptions()
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            let pieces = argument.split(separator: "=", maxSplits: 1).map(String.init)
            let name = argument.hasPrefix("--") ? pieces[0] : argument
            let inline = argument.hasPrefix("--") && pieces.count == 2 ? pieces[1] : nil
            func value() throws -> String {
                guard let text = inline ?? remaining.popFirst() else {
                    throw MockServerError("option \(name) needs a value (see dashscope-mock --help)")
                }
                return text
            }
            switch name {
            case "-h", "--help":
                self = .help
                return
            case "--port":
                let text = try value()
                guard let port = UInt16(text) else {
                    throw MockServerError("--port takes a port number from 0 to 65535, not \"\(text)\"")
                }
                options.port = port
            case "--bind":
                let text = try value()
                guard let address = Socket.ipv4Address(text), address.s_addr != 0 else {
                    throw MockServerError("--bind takes one local IPv4 address such as 127.0.0.1, not \"\(text)\"")
                }
                options.bindAddress = text
            case "--task-seconds":
                options.taskDurations = try Self.durations(value(), option: name)
            case "--video-seconds":
                options.videoDurations = try Self.durations(value(), option: name)
            case "--video-bytes":
                let text = try value()
                guard let bytes = Int(text), (1...MP4.maxBytes).contains(bytes) else {
                    throw MockServerError("--video-bytes takes a size in bytes from 1 to \(MP4.maxBytes), not \"\(text)\"")
                }
                options.videoBytes = bytes
            case "--key":
                let key = try value()
                guard !key.isEmpty else {
                    throw MockServerError("--key takes a non-empty API key")
                }
                options.acceptedKey = key
            case "--fault":
                options.faults.append(try Fault(spec: value()))
            case "--chat-tokens":
                options.chatTokens = try Self.chatTokens(value())
            case "--chat-delay":
                options.chatDelay = try Self.chatDelay(value())
            case "--chat-idle":
                options.chatIdle = true
            default:
                throw MockServerError("unknown argument \"\(argument)\" (see dashscope-mock --help)")
            }
        }
        self = .serve(options)
    }

    /// One flag of `dashscope-mock`: its spellings, its value's name, and its help (lines as `--help` wraps them).
    public struct Flag: Sendable {
        /// `--port`, or `-h, --help`.
        public var names: String
        /// The value's name (`N`), or nil for a flag without one.
        public var value: String?
        /// The help, one terminal line each.
        public var help: [String]
    }

    /// The flags, as `--help` and dashscope-mock(1) list them.
    public static let flags: [Flag] = [
        Flag(names: "--bind", value: "ADDR", help: ["local IPv4 address to listen on (default 127.0.0.1)"]),
        Flag(names: "--port", value: "N", help: ["port to listen on (default 0: any free port)"]),
        Flag(names: "--task-seconds", value: "S", help: ["seconds a task takes from PENDING to SUCCEEDED (default 2); a comma list",
                                                        "such as 4,9,17,26 gives each new task the next duration, cycling"]),
        Flag(names: "--video-seconds", value: "S", help: ["the same for video tasks only (default: as --task-seconds)"]),
        Flag(names: "--video-bytes", value: "N", help: ["size of every MP4 served, in bytes (default 1048576); large files are",
                                                       "generated piece by piece, so --video-bytes 500000000 costs no memory"]),
        Flag(names: "--key", value: "KEY", help: ["accept only this API key (default: any key starting with sk-)"]),
        Flag(names: "--chat-tokens", value: "N", help: ["stream chat answers of N tokens, each a line \"INDEX SENT-AT\" (Unix seconds),",
                                                       "for benchmarks (default: a short canned answer)"]),
        Flag(names: "--chat-delay", value: "S", help: ["seconds between the events of a streamed chat answer (default 0)"]),
        Flag(names: "--chat-idle", value: nil, help: ["send each token as an SSE comment as long as its event, so the answer",
                                                     "arrives just as paced with no text in it (the waiting alone, for benchmarks)"]),
        Flag(names: "--fault", value: "SPEC", help: [
            "inject a fault; repeatable. SPEC is KIND[=VALUE][@ROUTE][*COUNT][:SECONDS]",
            "ROUTE  create task cancel list file policy oss any (default any); COUNT uses",
            "(default 1); policy is GET /api/v1/uploads, oss the form upload POST /oss",
            "answers:   429[:RETRY-AFTER] 500 503 drop redirect=URL huge:MEGABYTES",
            "next task: fail unknown partial message=TEXT code=TEXT result-url=URL",
            "           task-id=TEXT status=TEXT (first COUNT polls; empty: no field)",
            "           big-numbers  (message, code, result-url, big-numbers: sync answers too)",
            "streams:   cut (the next streamed answer, tts --stream, breaks off half-way)",
            "answers:   request-id=TEXT  echo-key (error messages quote Authorization)",
            "downloads: slow:SECONDS truncate drop-half stall:SECONDS trickle[:SECONDS-PER-BYTE]",
            "           empty no-content partial-content",
            "uploads:   policy-refused (getPolicy answers 403 AccessDenied)",
            "           oss-error (the form upload answers 500 InternalError, XML)",
            "chat:      stream-cut[:EVENTS] (the connection closes after EVENTS events)",
            "           stream-error[:EVENTS] (an error frame after EVENTS events)",
            "VALUE runs to the end, less a trailing valid @ROUTE, *COUNT, :SECONDS in that",
            "order: redirect=file:///etc/passwd@file  redirect=http://h:6379@any",
            "e.g.   429@create*2:1  drop@create  fail  slow@file:3  huge:64@create",
        ]),
        Flag(names: "-h, --help", value: nil, help: ["show this help"]),
    ]

    /// Every fault kind as `--fault` spells it, with what it does (dashscope-mock(1) lists them one by one).
    public static let faultHelp: [(spec: String, help: String)] = [
        ("429[:RETRY-AFTER]", "HTTP 429 Throttling.RateQuota with Retry-After (default 1 s)"),
        ("500", "HTTP 500 InternalError"),
        ("503", "HTTP 503 ServiceUnavailable"),
        ("drop", "the request is read and recorded, then the connection is closed without an answer"),
        ("redirect=URL", "302 Found with Location: URL"),
        ("huge:MEGABYTES", "200 with a JSON body of that many megabytes, sent chunked"),
        ("fail", "the next created task ends FAILED"),
        ("unknown", "queries for the next created task answer UNKNOWN, like an expired task"),
        ("partial", "the next created task succeeds but its last image failed"),
        ("message=TEXT", "the next created task, or sync answer, ends FAILED with TEXT as its message"),
        ("code=TEXT", "the next created task, or sync answer, ends FAILED with TEXT as its code"),
        ("result-url=URL", "the next created task's, or sync answer's, result URLs are all URL"),
        ("task-id=TEXT", "the next created task gets TEXT as its id"),
        ("status=TEXT", "the first COUNT queries of the next created task answer task_status TEXT (empty: no such field)"),
        ("big-numbers", "the next created task's, or sync answer's, usage holds numbers no double can carry exactly"),
        ("cut", "the next streamed answer (tts --stream) breaks off half-way"),
        ("request-id=TEXT", "answers carry TEXT as their request_id"),
        ("echo-key", "error answers quote the request's Authorization header in their message"),
        ("slow:SECONDS", "a file download is sent in small pieces spread over SECONDS"),
        ("truncate", "a file download declares its full Content-Length but sends only half the bytes"),
        ("drop-half", "half of the declared bytes, then the connection closes, so a client can resume with Range"),
        ("stall:SECONDS", "a file download sends half its bytes, then nothing for SECONDS, then closes"),
        ("trickle[:SECONDS-PER-BYTE]", "a file download sends one byte every SECONDS (default 1) until the client leaves (at most 120 s)"),
        ("empty", "a file download answers 200 with an empty body"),
        ("no-content", "a file download answers 204 No Content"),
        ("partial-content", "a file download answers 206 with the first half of the file although no Range was asked"),
        ("policy-refused", "getPolicy (GET /api/v1/uploads) answers 403 AccessDenied"),
        ("oss-error", "the OSS form upload (POST /oss) answers 500 InternalError in XML"),
        ("stream-cut[:EVENTS]", "a streamed chat answer stops after EVENTS events (default 1): the connection closes mid-body"),
        ("stream-error[:EVENTS]", "a streamed chat answer sends an error frame (the content check's) after EVENTS events, then ends"),
    ]

    /// The flag lines of `--help`, from `flags`.
    private static var flagLines: String {
        flags.flatMap { flag -> [String] in
            let head = "  " + flag.names + (flag.value.map { " " + $0 } ?? "")
            let first = head + String(repeating: " ", count: max(2, 21 - head.count)) + flag.help[0]
            return [first] + flag.help.dropFirst().map { String(repeating: " ", count: 21) + $0 }
        }.joined(separator: "\n")
    }

    /// Reads `S` or a comma list `S,S,...` of seconds (0 or more) given to `option`.
    public static func durations(_ text: String, option: String) throws -> [Double] {
        let pieces = text.split(separator: ",", omittingEmptySubsequences: false)
        let durations = pieces.compactMap { Double($0.trimmingBlanks()) }.filter { $0.isFinite && $0 >= 0 }
        guard durations.count == pieces.count else {
            throw MockServerError("\(option) takes seconds (0 or more) or a comma list such as 4,9,17, not \"\(text)\"")
        }
        return durations
    }

    /// Reads `--chat-tokens` (or `DASHSCOPE_MOCK_CHAT_TOKENS`): a whole number from 1 to 10,000,000.
    public static func chatTokens(_ text: String) throws -> Int {
        guard let count = Int(text), (1...10_000_000).contains(count) else {
            throw MockServerError("--chat-tokens takes a whole number from 1 to 10000000, not \"\(text)\"")
        }
        return count
    }

    /// Reads `--chat-delay` (or `DASHSCOPE_MOCK_CHAT_DELAY`): seconds from 0 to 10.
    public static func chatDelay(_ text: String) throws -> Double {
        guard let seconds = Double(text), seconds.isFinite, (0...10).contains(seconds) else {
            throw MockServerError("--chat-delay takes seconds from 0 to 10, not \"\(text)\"")
        }
        return seconds
    }

    /// The `--help` text.
    public static let usage = """
        usage: dashscope-mock [--bind ADDR] [--port N] [--task-seconds S[,S...]] [--video-seconds S[,S...]]
                              [--video-bytes N] [--key KEY] [--fault SPEC]...
                              [--chat-tokens N] [--chat-delay S] [--chat-idle] [--help]

        An offline DashScope on 127.0.0.1, to try dashscope or test scripts with no key and no network.
        Prints its origin (http://ADDR:PORT) on stdout, then serves until SIGINT or SIGTERM.

        \(flagLines)

        Temporary uploads: GET /api/v1/uploads?action=getPolicy&model=M issues a policy whose upload_host is
        http://ADDR:PORT/oss; that endpoint takes the OSS form POST (no Authorization header) and keeps the
        file until the mock stops, so oss:// URLs resolve (with X-DashScope-OssResourceResolve: enable).

        GET /mock/stats answers JSON for benchmarks: connections accepted, file_bytes (body bytes sent for
        /files downloads), and per task its seconds, polls and lag_seconds (from the task's end to the first
        query that answered its final status).

        Exit status: 0 after SIGINT or SIGTERM, 64 bad arguments, 69 cannot listen.

        """

    /// The line printed on stderr once the server listens: where it is and how to point dashscope at it.
    public static func banner(origin: String, options: MockOptions) -> String {
        let key = options.acceptedKey ?? "sk-test"
        let durations = options.taskDurations.map(\.compactText).joined(separator: ",")
        var line = "dashscope-mock listening on \(origin) (tasks take \(durations)s); "
            + "try: DASHSCOPE_BASE_URL=\(origin) DASHSCOPE_API_KEY=\(key) dashscope t2i \"a cat\""
        if !options.faults.isEmpty {
            line += "; faults: " + options.faults.map(\.description).joined(separator: " ")
        }
        return line
    }
}
