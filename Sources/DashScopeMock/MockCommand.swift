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
            default:
                throw MockServerError("unknown argument \"\(argument)\" (see dashscope-mock --help)")
            }
        }
        self = .serve(options)
    }

    /// Reads `S` or a comma list `S,S,...` of seconds (0 or more) given to `option`.
    public static func durations(_ text: String, option: String) throws -> [Double] {
        let pieces = text.split(separator: ",", omittingEmptySubsequences: false)
        let durations = pieces.compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }.filter { $0.isFinite && $0 >= 0 }
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
                              [--chat-tokens N] [--chat-delay S] [--help]

        An offline DashScope on 127.0.0.1, to try dashscope or test scripts with no key and no network.
        Prints its origin (http://ADDR:PORT) on stdout, then serves until SIGINT or SIGTERM.

          --bind ADDR        local IPv4 address to listen on (default 127.0.0.1)
          --port N           port to listen on (default 0: any free port)
          --task-seconds S   seconds a task takes from PENDING to SUCCEEDED (default 2); a comma list
                             such as 4,9,17,26 gives each new task the next duration, cycling
          --video-seconds S  the same for video tasks only (default: as --task-seconds)
          --video-bytes N    size of every MP4 served, in bytes (default 1048576); large files are
                             generated piece by piece, so --video-bytes 500000000 costs no memory
          --key KEY          accept only this API key (default: any key starting with sk-)
          --chat-tokens N    stream chat answers of N tokens, each a line "INDEX SENT-AT" (Unix seconds),
                             for benchmarks (default: a short canned answer)
          --chat-delay S     seconds between the events of a streamed chat answer (default 0)
          --fault SPEC       inject a fault; repeatable. SPEC is KIND[=VALUE][@ROUTE][*COUNT][:SECONDS]
                             ROUTE  create task cancel list file policy oss any (default any); COUNT uses
                             (default 1); policy is GET /api/v1/uploads, oss the form upload POST /oss
                             answers:   429[:RETRY-AFTER] 500 503 drop redirect=URL huge:MEGABYTES
                             next task: fail unknown partial message=TEXT code=TEXT result-url=URL
                                        task-id=TEXT status=TEXT (first COUNT polls; empty: no field)
                                        big-numbers  (message, code, result-url, big-numbers: sync answers too)
                             streams:   cut (the next streamed answer, tts --stream, breaks off half-way)
                             answers:   request-id=TEXT  echo-key (error messages quote Authorization)
                             downloads: slow:SECONDS truncate drop-half stall:SECONDS trickle[:SECONDS-PER-BYTE]
                                        empty no-content partial-content
                             uploads:   policy-refused (getPolicy answers 403 AccessDenied)
                                        oss-error (the form upload answers 500 InternalError, XML)
                             chat:      stream-cut[:EVENTS] (the connection closes after EVENTS events)
                                        stream-error[:EVENTS] (an error frame after EVENTS events)
                             VALUE runs to the end, less a trailing valid @ROUTE, *COUNT, :SECONDS in that
                             order: redirect=file:///etc/passwd@file  redirect=http://h:6379@any
                             e.g.   429@create*2:1  drop@create  fail  slow@file:3  huge:64@create
          -h, --help         show this help

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
