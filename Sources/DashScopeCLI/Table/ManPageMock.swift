import DashScopeKit
import DashScopeMock

/// Writes dashscope-mock(1) from the mock's own flag and fault tables (`dashscope man dashscope-mock`).
public enum MockManPage {
    /// The whole `dashscope-mock.1` page.
    public static func render() -> String {
        let synopsis = MockCommand.flags.map { flag in
            let name = flag.names.components(separatedBy: ", ").last ?? flag.names
            return "[\\fB\(ManPage.escape(name))\\fR" + (flag.value.map { " \\fI\($0)\\fR" } ?? "") + "]"
        }
        var out = [".TH DASHSCOPE-MOCK 1 \"\" \"dashscope \(Version.current)\" \"User Commands\"",
                   ".SH NAME", "dashscope\\-mock \\- an offline DashScope server for trying dashscope and testing scripts",
                   ".SH SYNOPSIS", ".B dashscope\\-mock", synopsis.joined(separator: " "),
                   ".SH DESCRIPTION",
                   ManPage.roff("Serves the routes of the DashScope API on 127.0.0.1 with the same shapes, status codes and error "
                       + "bodies as the real service: async tasks go PENDING, RUNNING, SUCCEEDED; results are deterministic PNG, MP4 "
                       + "and WAV files served from its own /files/ path; uploads, streaming and the OSS form upload are emulated. "
                       + "It needs no key (any key starting with sk- is accepted) and no network. It prints its origin "
                       + "(http://ADDR:PORT) on stdout, then serves until SIGINT or SIGTERM. Point dashscope at it with "
                       + "DASHSCOPE_BASE_URL, or run `dashscope ... --mock` for an in-process one."),
                   ".SH OPTIONS"]
        for flag in MockCommand.flags {
            let help = flag.names == "--fault" ? flag.help[0] + "; the kinds are listed under FAULTS." : flag.help.joined(separator: " ")
            out += [".TP", ".B " + ManPage.escape(flag.names) + (flag.value.map { " \\fI\($0)\\fR" } ?? ""), ManPage.roff(help)]
        }
        out += [".SH FAULTS",
                ManPage.roff("SPEC is KIND[=VALUE][@ROUTE][*COUNT][:SECONDS]. ROUTE is one of create, task, cancel, list, file, "
                    + "policy, oss or any (default any): create is any POST that creates or generates, task a task query, cancel "
                    + "and list the task routes, file the downloads, policy GET /api/v1/uploads, oss the form upload POST /oss. "
                    + "COUNT is how many requests the fault applies to (default 1). VALUE runs to the end of SPEC, less a "
                    + "trailing valid @ROUTE, *COUNT and :SECONDS, in that order.")]
        for (spec, help) in MockCommand.faultHelp { out += [".TP", ".B " + ManPage.escape(spec), ManPage.roff(help)] }
        out += [".SH ENDPOINTS",
                ManPage.roff("GET /api/v1/uploads?action=getPolicy&model=M issues an upload policy whose upload_host is "
                    + "http://ADDR:PORT/oss; that endpoint takes the OSS form POST and keeps the file until the mock stops, so oss:// "
                    + "URLs resolve. GET /mock/stats answers JSON for benchmarks: connections accepted, file_bytes, and per task its seconds, "
                    + "polls and lag_seconds."),
                ".SH EXIT STATUS", ".TP", ".B 0", "stopped by SIGINT or SIGTERM", ".TP", ".B 64", "bad arguments",
                ".TP", ".B 69", "cannot listen",
                ".SH EXAMPLES", ".nf",
                "  dashscope\\-mock \\-\\-task\\-seconds 2 \\-\\-fault fail &",
                "  DASHSCOPE_BASE_URL=http://127.0.0.1:PORT DASHSCOPE_API_KEY=sk\\-test dashscope t2i \"a cat\"",
                "  dashscope\\-mock \\-\\-fault 429@create*2:1 \\-\\-fault slow@file:3", ".fi",
                ".SH SEE ALSO", ".BR dashscope (1)"]
        return out.joined(separator: "\n") + "\n"
    }
}
