import DashScopeKit

/// The options shared between commands, defined once so every command spells them the same way.
public enum Options {
    /// Accepted by every command.
    public static let global: [OptionSpec] = [
        OptionSpec("api-key", .text, placeholder: "KEY", help: "API key (default: $DASHSCOPE_API_KEY, then the config file); never printed"),
        OptionSpec("region", .choice(Region.allCases.map(\.rawValue)), placeholder: "REGION", default: "cn",
                   help: "cn (beijing, cn-beijing), intl (singapore, ap-southeast-1) or us (virginia, us-east-1), any case; keys work only in their own region"),
        OptionSpec("workspace", .text, placeholder: "ID", help: "send calls to this workspace's own host (cn and intl; default: $DASHSCOPE_WORKSPACE, then the config file)"),
        OptionSpec("base-url", .text, placeholder: "URL", help: "API origin, e.g. http://127.0.0.1:8089 for a dashscope-mock. The origin is the base URL or the workspace host "
                   + "from the highest level (flag > environment > config file) that sets either, a base URL winning within a level; else the region's host"),
        OptionSpec("allow-insecure-http", help: "allow a plain http:// --base-url off this machine (it sends the key in clear text)"),
        OptionSpec("mock", help: "run against a built-in offline mock server: no key, no cost"),
        OptionSpec("verbose", short: "v", help: "show each request and answer on stderr (key redacted)"),
        OptionSpec("quiet", short: "q", help: "print nothing on stderr but errors"),
        OptionSpec("color", .choice(ColorChoice.allCases.map(\.rawValue)), placeholder: "WHEN", default: "auto",
                   help: "colour stderr: auto (a terminal, unless NO_COLOR is set or TERM=dumb), always or never"),
        OptionSpec("any-model", help: "send a -m model the catalogue does not know (limits unchecked) instead of refusing it"),
        OptionSpec("help", short: "h", help: "show help"),
    ]

    /// The global options of commands that reach no service (`config set|unset|path`, `models`, `completions`, `man`,
    /// `version`): quiet, colour and help.
    static let local: [OptionSpec] = global.filter { ["quiet", "color", "help"].contains($0.long) }

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

    /// `-m`, with the family's default model.
    static func model(_ capability: Capability) -> OptionSpec {
        OptionSpec("model", short: "m", .text, placeholder: "MODEL", default: Catalog.defaultModel(for: capability),
                   help: "model name (`dashscope models` lists them)")
    }

    /// The options of the image generating commands, for one family; `edit` has no `--size` and no `--async`/`--sync`
    /// (its models have one mode each).
    static func imageGeneration(_ capability: Capability) -> [OptionSpec] {
        let sized = capability != .imageEdit
        return [model(capability),
                OptionSpec("n", short: "n", .integer, placeholder: "N", default: "1", help: "number of images (billed per image)")]
            + (sized ? [OptionSpec("size", .text, placeholder: "SIZE", help: "WIDTHxHEIGHT (1024x1024, 1024*1024) or a ratio like 16:9")] : [])
            + [OptionSpec("negative", .text, placeholder: "TEXT", help: "negative prompt: what to keep out of the image"),
               OptionSpec("seed", .integer, placeholder: "SEED", help: "random seed, 0 to 2147483647 (images use seed, seed+1, ...)"),
               OptionSpec("no-prompt-extend", help: "send the prompt as written, without the service rewriting it"),
               OptionSpec("watermark", help: "add the service's AI-generated watermark")]
            + (sized ? [OptionSpec("async", help: "run as an async task even where a model also answers at once"),
                        OptionSpec("sync", help: "wait on one request where a model offers it, instead of a task")] : [])
            + [OptionSpec("no-wait", help: "submit, print the task id, and exit; `dashscope task wait ID` collects it"),
               OptionSpec("dry-run", help: "print the request (key redacted) and send nothing")]
    }

    /// `-i` and `--upload`: the images a command starts from.
    static let imageInputs: [OptionSpec] = [
        OptionSpec("image", short: "i", .text, placeholder: "IMAGE", repeatable: true,
                   help: "input image: a file, or an http(s)://, oss:// or data: URL (repeat for several)"),
        OptionSpec("upload", help: "upload local files to DashScope's temporary store (oss://, 48 h) instead of sending them inline"),
    ]

    /// The options of `edit` beyond the image ones: wanx2.1-imageedit's function, mask and function parameters.
    static let editFunctions: [OptionSpec] = [
        OptionSpec("function", .choice(EditFunction.allCases.map(\.rawValue)), placeholder: "FUNCTION",
                   help: "wanx2.1-imageedit's editing function"),
        OptionSpec("mask", .text, placeholder: "IMAGE",
                   help: "mask for description_edit_with_mask: white marks what to edit, same size as the image"),
    ] + EditParameter.allCases.map { parameter in
        let owners = EditFunction.allCases.filter { $0.parameters.contains(parameter) }.map(\.rawValue).joined(separator: ", ")
        let range = parameter.range.map { "\(JSON.number($0.lowerBound).compact) to \(JSON.number($0.upperBound).compact)" } ?? ""
        switch parameter {
        case .isSketch: return OptionSpec(parameter.long, help: "the input is already a sketch (with \(owners))")
        case .upscaleFactor: return OptionSpec(parameter.long, .integer, placeholder: "N", help: "\(range) (with \(owners))")
        default: return OptionSpec(parameter.long, .number, placeholder: "X", help: "\(range) (with \(owners))")
        }
    }

    // MARK: Video (t2v, i2v, r2v)

    /// The options of one video family, in help order: model, the clip's shape, length and sound, then the prompt options
    /// (`i2v` takes its shape from the image; `r2v` sends no prompt extension and no sound track).
    static func videoGeneration(_ capability: Capability) -> [OptionSpec] {
        let sized = capability != .imageToVideo
        let tiers = VideoTier.allCases.map(\.rawValue)
        return [model(capability)]
            + (sized ? [OptionSpec("size", .text, placeholder: "SIZE",
                                   help: "exact size WIDTH*HEIGHT (1280*720 or 1280x720) of the model's tiers, or a ratio like 16:9"),
                        OptionSpec("ratio", .text, placeholder: "RATIO", values: .words(["16:9", "9:16", "1:1", "4:3", "3:4"]), help: "16:9, 9:16, 1:1, 4:3 or 3:4: that shape's size in the --resolution tier")]
                : [])
            + [OptionSpec("resolution", .choice(tiers), placeholder: "TIER",
                          help: "480P, 720P or 1080P: " + (sized ? "the tier of --ratio (default: the model's; alone: its 16:9 size)"
                                                                 : "the shape follows the image (default: the model's)")),
               OptionSpec("duration", .integer, placeholder: "SECONDS", help: "clip length in seconds, one the model offers (default: 5)")]
            + (capability == .referenceToVideo ? [] : [OptionSpec("audio", .text, placeholder: "AUDIO",
                help: "sound track for models that take one: a wav or mp3 file (at most 15 MB, 3 to 30 s, uploaded) or an http(s)://, oss:// URL")])
            + [OptionSpec("shot-type", .choice(ShotType.allCases.map(\.rawValue)), placeholder: "TYPE",
                          help: "one continuous shot or several (multi needs prompt extension)")]
            + (capability == .imageToVideo ? [OptionSpec("template", .text, placeholder: "NAME", help: "one of the service's effect templates (first-frame models)")] : [])
            + [OptionSpec("negative", .text, placeholder: "TEXT", help: "negative prompt: what to keep out of the video"),
               OptionSpec("seed", .integer, placeholder: "SEED", help: "random seed, 0 to 2147483647")]
            + (capability == .referenceToVideo ? [] : [OptionSpec("no-prompt-extend", help: "send the prompt as written, without the service rewriting it")])
            + [OptionSpec("watermark", help: "add the service's AI-generated watermark"),
               OptionSpec("no-wait", help: "submit, print the task id, and exit; `dashscope task wait ID` downloads the video later"),
               OptionSpec("dry-run", help: "print the request (key redacted) and send nothing; local files are neither read in full nor uploaded")]
    }

    /// `-i` of `i2v`: the first frame (given twice, it is refused with the count rule).
    static let firstFrame = OptionSpec("image", short: "i", .text, placeholder: "IMAGE", repeatable: true,
                                       help: "first frame: a file (sent inline, or with --upload), or an http(s)://, oss:// or data: URL")

    /// `--last-frame` of `i2v`: switches to the first+last-frame models.
    static let lastFrame = OptionSpec("last-frame", .text, placeholder: "IMAGE",
                                      help: "last frame (a file or URL, like -i): uses a first+last-frame model, \(Catalog.defaultModel(for: .keyframesToVideo)) by default")

    /// `--video` of `r2v`.
    static let referenceVideos = OptionSpec("video", .text, placeholder: "VIDEO", repeatable: true,
                                            help: "reference video, 1 to 3 times: an mp4/mov file (at most 100 MB, 2 to 30 s, uploaded) or an http(s)://, oss:// URL")

    /// The models of video families with what each offers, for a command's details.
    static func videoModels(_ capabilities: [Capability]) -> String {
        capabilities.flatMap(Catalog.models(for:)).compactMap { model in
            guard let video = model.video else { return nil }
            let extras = (video.audio ? ", audio" : "") + (video.shotType ? ", multi-shot" : "")
            return "\(model.name) (\(video.tiers.map(\.rawValue).joined(separator: "/")), \(video.durations.map(String.init).joined(separator: "/")) s\(extras))"
        }.joined(separator: "; ")
    }

    /// The options of `tts`: the voice (completions offer every catalogue voice; others are sent with a warning), the
    /// language (any case), streaming and splitting.
    static let speech: [OptionSpec] = [
        model(.speech),
        OptionSpec("voice", .suggested(Speech.knownVoices), placeholder: "VOICE", default: Speech.defaultVoice,
                   help: "voice name (`dashscope help tts` lists each model's voices; others are sent with a warning)"),
        OptionSpec("language", .suggested(SpeechLanguage.allCases.map(\.rawValue)), placeholder: "LANGUAGE", default: SpeechLanguage.auto.rawValue,
                   help: "language_type: \(SpeechLanguage.allCases.map(\.rawValue).joined(separator: ", ")) (any case)"),
        OptionSpec("stream", help: "receive the audio as it is made and write it as it arrives; with -o - raw PCM on stdout"),
        OptionSpec("split", help: "text over the model's limit: synthesise it sentence by sentence and join the audio into one WAV"),
        OptionSpec("dry-run", help: "print the request (key redacted) and send nothing"),
    ]
    // MARK: chat and vl

    /// The settings `chat` and `vl` share: the system prompt, thinking, sampling, output shape.
    static let chatSettings: [OptionSpec] = [
        OptionSpec("system", short: "s", .text, placeholder: "TEXT", help: "system prompt: how the model should behave"),
        OptionSpec("think", help: "let the model think first (enable_thinking); the thinking goes to stderr"),
        OptionSpec("show-reasoning", help: "print the thinking on stderr even when it is not a terminal"),
        OptionSpec("thinking-budget", .integer, placeholder: "TOKENS", help: "at most this many tokens of thinking (implies --think)"),
        OptionSpec("temperature", .number, placeholder: "T", help: "sampling temperature, 0 to 2: higher is more varied"),
        OptionSpec("top-p", .number, placeholder: "P", help: "nucleus sampling, above 0 up to 1"),
        OptionSpec("max-tokens", .integer, placeholder: "N", help: "stop the answer after N tokens"),
        OptionSpec("seed", .integer, placeholder: "SEED", help: "random seed, 0 to 2147483647, for repeatable answers"),
        OptionSpec("stop", .text, placeholder: "TEXT", repeatable: true, help: "stop the answer where this text would come (repeatable)"),
        OptionSpec("json-object", help: "ask for a JSON object as the answer (response_format json_object; say \"JSON\" in the prompt)"),
        OptionSpec("no-stream", help: "wait for the whole answer instead of printing it as it arrives"),
        OptionSpec("timeout", .number, placeholder: "SECONDS", help: "give up on the answer after this long: what arrived stays printed (exit 75)"),
        OptionSpec("json", help: "print one JSON document (model, text, reasoning, usage, request_id, finish_reason) at the end"),
        OptionSpec("dry-run", help: "print the request (key redacted) and send nothing"),
    ]

    /// The options of `chat` beyond the shared ones: web search and stored conversations.
    static let chatOnly: [OptionSpec] = [
        OptionSpec("search", help: "let the model search the web (enable_search)"),
        OptionSpec("continue", short: "c", help: "continue the last conversation (or the one --conversation names)"),
        OptionSpec("conversation", .text, placeholder: "NAME", help: "keep this exchange in the conversation NAME, continuing it if it exists"),
    ]

    /// The inputs of `vl`: images and videos to look at.
    static let visionInputs: [OptionSpec] = [
        OptionSpec("image", short: "i", .text, placeholder: "IMAGE", repeatable: true,
                   help: "image to look at: a file (sent inline), or an http(s)://, oss:// or data: URL (repeatable)"),
        OptionSpec("video", .text, placeholder: "URL", repeatable: true, help: "video to look at: an http(s):// or oss:// URL (repeatable)"),
    ]
}
