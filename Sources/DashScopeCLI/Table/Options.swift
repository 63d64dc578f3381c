import DashScopeKit

/// The options shared between commands, defined once so every command spells them the same way.
public enum Options {
    /// Accepted by every command.
    public static let global: [OptionSpec] = [
        OptionSpec("api-key", .text, placeholder: "KEY", help: "API key (default: $DASHSCOPE_API_KEY, then the config file); never printed"),
        OptionSpec("region", .choice(Region.allCases.map(\.rawValue)), placeholder: "REGION", default: "cn",
                   help: "cn (Beijing), intl (Singapore) or us (Virginia); keys work only in their own region"),
        OptionSpec("base-url", .text, placeholder: "URL", help: "API origin, e.g. http://127.0.0.1:8089 for a dashscope-mock"),
        OptionSpec("allow-insecure-http", help: "allow a plain http:// --base-url off this machine (it sends the key in clear text)"),
        OptionSpec("mock", help: "run against a built-in offline mock server: no key, no cost"),
        OptionSpec("verbose", short: "v", help: "show each request and answer on stderr (key redacted)"),
        OptionSpec("quiet", short: "q", help: "print nothing on stderr but errors"),
        OptionSpec("help", short: "h", help: "show help"),
    ]

    /// `--json`.
    public static let json = OptionSpec("json", help: "print one JSON document on stdout instead of lines")

    /// Options of every command that waits for a job and saves its results.
    public static let job: [OptionSpec] = [
        OptionSpec("output", short: "o", .text, placeholder: "PATH",
                   help: "directory, file name, or template with {date} {time} {model} {slug} {index} {ext} {task}"),
        OptionSpec("force", help: "overwrite existing files instead of adding -2, -3, ..."),
        OptionSpec("timeout", .number, placeholder: "SECONDS", help: "bound the whole job (create, polls, downloads) to this long; the task keeps running (exit 75)"),
        json,
    ]

    /// Options of the image generating commands.
    public static let imageGeneration: [OptionSpec] = [
        OptionSpec("model", short: "m", .text, placeholder: "MODEL", default: Catalog.defaultModel(for: .textToImage),
                   help: "model name (`dashscope models` lists them)"),
        OptionSpec("n", short: "n", .integer, placeholder: "N", default: "1", help: "number of images (billed per image)"),
        OptionSpec("size", .text, placeholder: "SIZE", help: "WIDTHxHEIGHT (1024x1024, 1024*1024) or a ratio like 16:9"),
        OptionSpec("negative", .text, placeholder: "TEXT", help: "negative prompt: what to keep out of the image"),
        OptionSpec("seed", .integer, placeholder: "SEED", help: "random seed, 0 to 2147483647 (images use seed, seed+1, ...)"),
        OptionSpec("no-prompt-extend", help: "send the prompt as written, without the service rewriting it"),
        OptionSpec("watermark", help: "add the service's AI-generated watermark"),
        OptionSpec("async", help: "run as an async task even where a model also answers at once"),
        OptionSpec("sync", help: "wait on one request where a model offers it, instead of a task"),
        OptionSpec("no-wait", help: "submit, print the task id, and exit; `dashscope task wait ID` collects it"),
        OptionSpec("dry-run", help: "print the request (key redacted) and send nothing"),
    ]
}
