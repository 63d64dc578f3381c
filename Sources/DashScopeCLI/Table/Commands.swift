import DashScopeKit

/// The command table: every command as data plus a handler. Parsing and help are driven from it.
public enum Commands {
    /// Every command, in the order help lists them.
    public static let all: [CommandSpec] = [
        CommandSpec("t2i", summary: "Text to image",
                    details: "Generates images from a prompt, waits for them, and saves them. Prints one saved path per line.",
                    positional: PositionalSpec("PROMPT", help: "what to draw; `-` or piped stdin reads it from stdin", fromStdin: true),
                    options: Options.imageGeneration(.textToImage) + Options.job + Options.global,
                    examples: [
                        "dashscope t2i \"一只可爱的猫\" -n 4",
                        "dashscope t2i \"a lighthouse at dusk\" --model wan2.2-t2i-flash --size 16:9 -o pics/",
                        "echo \"a red fox\" | dashscope t2i --json",
                        "dashscope t2i \"a cat\" --mock",
                    ],
                    handler: TextToImageCommand.run),
        CommandSpec("i2i", summary: "Image to image: new images from your reference images",
                    details: "Generates images from a prompt and 1 to 4 reference images (-i, repeatable: a file, an http(s)://, oss:// "
                        + "or data: URL). Local images are checked (format, pixel size, bytes) before anything is sent, then sent "
                        + "inline as data URLs, or with --upload through DashScope's temporary store. Prints one saved path per line.",
                    positional: PositionalSpec("PROMPT", help: "what to make of the images; `-` or piped stdin reads it from stdin", fromStdin: true),
                    options: Options.imageInputs + Options.imageGeneration(.imageToImage) + [
                        OptionSpec("interleave", help: "wan2.6-image: text and images mixed in the answer (the text is saved as a .md file linking the images)"),
                        OptionSpec("max-images", .integer, placeholder: "N", help: "with --interleave: at most this many images"),
                    ] + Options.job + Options.global,
                    examples: [
                        "dashscope i2i \"turn it into an autumn scene\" -i park.jpg",
                        "dashscope i2i \"the cat from image 1 on the sofa of image 2\" -m wan2.6-image -i cat.png -i sofa.jpg -n 2",
                        "dashscope i2i \"watercolour\" -i https://example.com/a.png --upload --no-wait",
                    ],
                    handler: ImageToImageCommand.run),
        CommandSpec("edit", summary: "Edit images with an instruction",
                    details: "Edits 1 to 3 images from an instruction (qwen-image-edit-plus by default, -n 1 to 6; qwen-image-edit makes "
                        + "one). wanx2.1-imageedit (Beijing only) edits one image with one --function, --mask for "
                        + "description_edit_with_mask and the function's own parameters, and takes no --negative. Inputs are checked and sent as for i2i. Prints one saved path per line.",
                    positional: PositionalSpec("PROMPT", help: "the instruction; `-` or piped stdin reads it from stdin", fromStdin: true),
                    options: Options.imageInputs + Options.editFunctions + Options.imageGeneration(.imageEdit) + Options.job + Options.global,
                    examples: [
                        "dashscope edit \"make the sky pink\" -i photo.jpg",
                        "dashscope edit \"a red hat\" -m wanx2.1-imageedit --function description_edit_with_mask -i me.png --mask hat.png",
                        "dashscope edit \"extend the meadow\" -m wanx2.1-imageedit --function expand --top-scale 1.5 -i me.png",
                    ],
                    handler: EditCommand.run),
        CommandSpec("t2v", summary: "Text to video",
                    details: "Generates an MP4 video from a prompt, waits for it (minutes), and saves it. The size is exact W*H "
                        + "(--size 1280*720), or a tier and a shape (--resolution 720P --ratio 16:9); only the sizes and --duration "
                        + "values of the model's tiers are accepted. Models: " + Options.videoModels([.textToVideo])
                        + ". Prints the saved path.",
                    positional: PositionalSpec("PROMPT", help: "what happens in the video; `-` or piped stdin reads it from stdin", fromStdin: true),
                    options: Options.videoGeneration(.textToVideo) + Options.job + Options.global,
                    examples: [
                        "dashscope t2v \"a kitten chasing a butterfly in a meadow\"",
                        "dashscope t2v \"city timelapse\" --resolution 720P --ratio 9:16 --duration 10 -o clips/",
                        "dashscope t2v \"a drummer on stage\" -m wan2.5-t2v-preview --size 832*480 --audio beat.mp3 --no-wait",
                    ],
                    handler: TextToVideoCommand.run),
        CommandSpec("i2v", summary: "Image to video: animate a first frame (or first and last frames)",
                    details: "Makes an MP4 video starting from one image (-i: a file, sent inline, or a URL; sides 360 to 2000 px). "
                        + "With --last-frame it runs a first+last-frame model instead (\(ImageToVideo.keyframeModels.joined(separator: ", "))), "
                        + "on its own path. The shape follows the image; --resolution picks the tier. Models: "
                        + Options.videoModels([.imageToVideo, .keyframesToVideo]) + ". Prints the saved path.",
                    positional: PositionalSpec("PROMPT", help: "what happens (optional with -i alone); `-` or piped stdin reads it from stdin",
                                               required: false, fromStdin: true),
                    options: [Options.firstFrame, Options.lastFrame] + Options.imageInputs.filter { $0.long == "upload" }
                        + Options.videoGeneration(.imageToVideo) + Options.job + Options.global,
                    examples: [
                        "dashscope i2v \"the cat turns its head and blinks\" -i cat.jpg",
                        "dashscope i2v \"the flower opens\" -i bud.png --last-frame bloom.png",
                        "dashscope i2v \"waves roll in\" -i https://example.com/beach.jpg -m wanx2.1-i2v-turbo --resolution 480P --duration 3",
                    ],
                    handler: ImageToVideoCommand.run),
        CommandSpec("r2v", summary: "Reference videos to video: cast the subjects of your clips",
                    details: "Makes an MP4 video from a prompt and 1 to 3 reference videos (--video: mp4/mov files of at most 100 MB and 2 to 30 s, "
                        + "uploaded to DashScope's temporary store, or URLs). The prompt calls the subject of each video by its place: "
                        + "character1, character2, ... (a warning says when it names none). Models: "
                        + Options.videoModels([.referenceToVideo]) + ". Prints the saved path.",
                    positional: PositionalSpec("PROMPT", help: "what character1, character2, ... do; `-` or piped stdin reads it from stdin", fromStdin: true),
                    options: [Options.referenceVideos] + Options.videoGeneration(.referenceToVideo) + Options.job + Options.global,
                    examples: [
                        "dashscope r2v \"character1 dances in the rain\" --video me.mp4",
                        "dashscope r2v \"character1 hands character2 a gift\" --video a.mp4 --video b.mov --size 1280*720 --duration 10",
                    ],
                    handler: ReferenceToVideoCommand.run),
        CommandSpec("tts", summary: "Text to speech: a WAV file, or raw PCM streamed to a player",
                    details: "Synthesises speech and saves it as a WAV file (24 kHz, 16-bit mono). --stream writes the audio as it "
                        + "arrives (a valid WAV once complete; the file gets its name only then); -o - writes raw PCM to stdout "
                        + "instead, for a player. Text over the model's limit (qwen3-tts-flash: 600 characters) is refused unless "
                        + "--split cuts it at sentence boundaries into several calls joined into one WAV. Voices the tool knows: "
                        + Catalog.models(for: .speech).map { "\($0.name): \(($0.voices ?? []).joined(separator: ", "))" }.joined(separator: "; ")
                        + ". Other voices are sent with a warning. Prints the saved path.",
                    positional: PositionalSpec("TEXT", help: "what to say; `-` or piped stdin reads it from stdin", fromStdin: true),
                    options: Options.speech + Options.job + Options.global,
                    examples: [
                        "dashscope tts \"你好，欢迎使用通义千问。\"",
                        "dashscope tts \"Hello there\" --voice Ethan --language english -o hello.wav",
                        "dashscope tts \"你好\" --stream -o - | aplay -f S16_LE -r 24000 -c 1",
                        "dashscope tts --split < chapter.txt -o chapter.wav",
                    ],
                    handler: SpeechCommand.run),
        CommandSpec("chat", summary: "Ask a Qwen model; the answer streams to stdout",
                    details: "Sends the prompt to a chat model (OpenAI-compatible mode) and prints the answer as it arrives: nothing else "
                        + "on stdout, and a final newline only on a terminal. Piped stdin and the argument combine (stdin first, then "
                        + "the argument, a blank line between). Each exchange is kept in $XDG_STATE_HOME/dashscope/conversations "
                        + "(an unnamed one as 'last', until the next unnamed chat): --continue goes on with the newest, "
                        + "--conversation NAME with that one. On Linux, pieces that arrive under 2 ms apart are printed together, about "
                        + "every 2 ms (a very fast answer costs one write per batch, not one per token). A stream that breaks "
                        + "exits 69 with what arrived left printed; it is never re-sent.",
                    positional: PositionalSpec("PROMPT", help: "the question; piped stdin comes first; `-` reads stdin alone", fromStdin: true),
                    options: [Options.model(.chat)] + Options.chatSettings + Options.chatOnly + Options.global,
                    examples: [
                        "dashscope chat \"Explain SSE in one paragraph\"",
                        "git diff | dashscope chat \"Write a commit message for this diff\" -s \"Be brief\"",
                        "dashscope chat \"Is 9973 prime?\" --think -m qwen3-max",
                        "dashscope chat \"And 9967?\" --continue",
                        "dashscope chat \"List three colours as JSON\" --json-object --json",
                    ],
                    handler: ChatCommand.run),
        CommandSpec("vl", summary: "Ask about images or videos; the answer streams to stdout",
                    details: "Sends images (-i: local files are checked, at least 10 px a side and at most 200:1, then sent inline) "
                        + "and videos (--video URL) with the question to a vision model, and prints the answer like chat.",
                    positional: PositionalSpec("QUESTION", help: "what to ask about them; piped stdin comes first; `-` reads stdin alone", fromStdin: true),
                    options: [Options.model(.vision)] + Options.visionInputs + Options.chatSettings + Options.global,
                    examples: [
                        "dashscope vl \"What is in this picture?\" -i photo.jpg",
                        "dashscope vl \"What changed between these?\" -i before.png -i after.png",
                        "dashscope vl \"Summarise this clip\" --video https://example.com/clip.mp4",
                    ],
                    handler: VisionCommand.run),
        CommandSpec("task", summary: "Check, wait for, cancel and list async tasks",
                    details: "Every async job is a task on the service; task ids and result URLs expire after 24 hours.",
                    subcommands: [
                        CommandSpec("status", summary: "Print a task's status",
                                    details: "Prints the status word on stdout (PENDING, RUNNING, SUCCEEDED, FAILED, CANCELED, UNKNOWN); details go to stderr.",
                                    positional: PositionalSpec("TASK_ID", help: "the task id"),
                                    options: [Options.json] + Options.global,
                                    examples: ["dashscope task status 0385dc79-5ff8-4d82-bcb6-xxxxxx"],
                                    handler: TaskCommands.status),
                        CommandSpec("wait", summary: "Wait for a task and download its results",
                                    details: "Waits for the task, then saves whatever it produced. Without an id it resumes the newest unfinished task "
                                        + "in the local journal submitted to the same API origin; --all finishes every one, oldest first, and exits "
                                        + "with the worst status. A task already saved prints where its files are (--force downloads it again).",
                                    positional: PositionalSpec("TASK_ID", help: "the task id (default: the newest unfinished one)", required: false),
                                    options: [OptionSpec("all", help: "wait for every unfinished task of the journal, one after the other (--timeout is per task)")]
                                        + Options.job + Options.global,
                                    examples: ["dashscope task wait 0385dc79-5ff8-4d82-bcb6-xxxxxx -o clips/", "dashscope task wait",
                                               "dashscope task wait --all"],
                                    handler: TaskCommands.wait),
                        CommandSpec("cancel", summary: "Cancel a task that is still PENDING",
                                    positional: PositionalSpec("TASK_ID", help: "the task id"),
                                    options: Options.global,
                                    handler: TaskCommands.cancel),
                        CommandSpec("list", summary: "List recent tasks",
                                    details: "Asks the service for the tasks of the account, or with --local reads the local journal (newest first: "
                                        + "id, state, model, submit time, API origin, prompt). Times are shown in local time (TZ) with the offset; "
                                        + "--since/--until take ISO 8601 with a zone, or a local YYYY-MM-DD[ hh:mm:ss], and are sent to the service "
                                        + "in Beijing time; a date alone is the whole day (--until 2026-11-20 includes that day). With --local, --status PENDING/RUNNING/SUSPENDED picks unfinished tasks, and the journal comes a page at a time too (--page, --page-size).",
                                    options: [
                                        OptionSpec("page", .integer, placeholder: "N", default: "1", help: "page number"),
                                        OptionSpec("page-size", .integer, placeholder: "N", default: "10", help: "tasks per page"),
                                        OptionSpec("status", .choice(["PENDING", "RUNNING", "SUSPENDED", "SUCCEEDED", "FAILED", "CANCELED", "UNKNOWN"]),
                                                   placeholder: "STATUS", help: "only tasks in this status"),
                                        OptionSpec("model", short: "m", .text, placeholder: "MODEL", help: "only tasks of this model"),
                                        OptionSpec("since", .text, placeholder: "TIME", help: "submitted at or after (YYYY-MM-DD[ hh:mm:ss] local, or ISO 8601 with a zone)"),
                                        OptionSpec("until", .text, placeholder: "TIME", help: "submitted at or before (YYYY-MM-DD[ hh:mm:ss] local, or ISO 8601 with a zone); a date alone: the end of that day"),
                                        OptionSpec("local", help: "list the local journal instead of asking the service"),
                                        Options.json,
                                    ] + Options.global,
                                    examples: ["dashscope task list --status running", "dashscope task list --local -m wan2.6-t2i --since 2026-11-23",
                                               "dashscope task list --since 2026-11-23T08:00:00Z --until 2026-11-23T12:00:00Z"],
                                    handler: TaskCommands.list),
                        CommandSpec("forget", summary: "Remove tasks from the local journal",
                                    details: "Removes one task, every finished one (--done), those submitted longer ago than --older-than, or "
                                        + "finished ones older than that when both are given. Nothing is sent to the service; the journal is rewritten atomically.",
                                    positional: PositionalSpec("TASK_ID", help: "the task to forget", required: false),
                                    options: [
                                        OptionSpec("done", help: "forget every finished task (succeeded, failed, canceled, saved)"),
                                        OptionSpec("older-than", .text, placeholder: "AGE", help: "forget tasks submitted longer ago than AGE: 7d, 12h, 30m, 2w "
                                                   + "(unfinished ones less than 24 h old are kept: forget them by id)"),
                                    ] + Options.global,
                                    examples: ["dashscope task forget --done", "dashscope task forget --older-than 7d",
                                               "dashscope task forget 0385dc79-5ff8-4d82-bcb6-xxxxxx"],
                                    handler: TaskCommands.forget),
                    ]),
        CommandSpec("config", summary: "Read and change the config file",
                    details: "The config file ($XDG_CONFIG_HOME/dashscope/config, else ~/.config/dashscope/config) holds `key = value` lines; "
                        + "# starts a comment, at the start of a line or after a value; quote a value to keep a ' #' in it. "
                        + "set and unset rewrite one setting and keep every other line and comment; the file is written with mode 600. "
                        + "Precedence: flag > environment > config file > default. The key is never printed whole. " + ConfigCommands.settingsHelp,
                    subcommands: [
                        CommandSpec("set", summary: "Set a setting in the config file",
                                    details: "Checks the value, then writes it. A VALUE of - reads it from stdin (keeps the key out of shell history).",
                                    positional: PositionalSpec("KEY VALUE", help: "the setting and its value"),
                                    options: Options.local + [OptionSpec("any-model", help: "accept a COMMAND.model the catalogue does not know (newer than this tool)")],
                                    examples: ["dashscope config set region intl", "dashscope config set t2i.model wan2.2-t2i-flash",
                                               "pbpaste | dashscope config set api_key -"],
                                    handler: ConfigCommands.set),
                        CommandSpec("get", summary: "Print a setting's effective value (the key masked)",
                                    details: "Prints the value a command would use (flag > environment > config file > default) on stdout, "
                                        + "and where it comes from on stderr; exits 1 when nothing sets it.",
                                    positional: PositionalSpec("KEY", help: "the setting", values: .words(Settings.keys)),
                                    options: Options.global,
                                    examples: ["dashscope config get region"],
                                    handler: ConfigCommands.get),
                        CommandSpec("unset", summary: "Remove a setting from the config file",
                                    positional: PositionalSpec("KEY", help: "the setting (any key the file holds)", values: .words(Settings.keys)),
                                    options: Options.local,
                                    examples: ["dashscope config unset workspace"],
                                    handler: ConfigCommands.unset),
                        CommandSpec("list", summary: "Print every setting in effect and where it comes from",
                                    details: "One `key = value  # source` line per setting that has a value (the key masked); --json prints "
                                        + "{\"config_file\", \"settings\": [{\"key\", \"value\", \"source\", \"origin\"}]} with source flag, environment, file or default.",
                                    options: [Options.json] + Options.global,
                                    examples: ["dashscope config list", "dashscope config list --json"],
                                    handler: ConfigCommands.list),
                        CommandSpec("path", summary: "Print the config file's path",
                                    options: Options.local,
                                    handler: ConfigCommands.path),
                    ]),
        CommandSpec("auth", summary: "Show which API key is used and check it",
                    subcommands: [
                        CommandSpec("status", summary: "Show the key in use (masked), where it comes from, and whether the service takes it",
                                    details: "Sends one free call (GET /tasks, one entry). Exit 0 accepted, 77 rejected, 78 no key, 69 unreachable.",
                                    options: [Options.json] + Options.global,
                                    examples: ["dashscope auth status", "dashscope auth status --region intl"],
                                    handler: AuthCommand.status),
                    ]),
        CommandSpec("doctor", summary: "Check this machine's setup: key, service, libcurl, CA store, proxy, clock, output, journal",
                    details: "One line per check (ok, warn, fail, skip), with the fix when one fails. Exits 0 when nothing fails, "
                        + "else with the exit code of the first failing check (78 no key, 77 key rejected, 69 unreachable, 73 output not writable, ...). "
                        + "A clock more than 5 minutes off the service's is a warning.",
                    options: [Options.json] + Options.global,
                    examples: ["dashscope doctor", "dashscope doctor --region intl --json"],
                    handler: DoctorCommand.run),
        CommandSpec("models", summary: "List the models the tool knows, with their limits",
                    details: "Without a name: one line per model (sizes as sent, W*H). With a name: every limit of that model. "
                        + "--json prints the same facts as JSON.",
                    positional: PositionalSpec("MODEL", help: "a model name: show all its limits", required: false),
                    options: [OptionSpec("command", .text, placeholder: "COMMAND", values: .words(InfoCommands.modelCommands),
                                         help: "only the models of this command, e.g. t2v"),
                              Options.json] + Options.local,
                    examples: ["dashscope models", "dashscope models wan2.2-t2i-flash", "dashscope models --command t2i --json"],
                    handler: InfoCommands.models),
        CommandSpec("completions", summary: "Print a shell completion script (bash, zsh, fish)",
                    details: "bash: `source <(dashscope completions bash)`; zsh: save as _dashscope on $fpath; fish: save as ~/.config/fish/completions/dashscope.fish.",
                    positional: PositionalSpec("SHELL", help: "bash, zsh or fish"),
                    options: Options.local,
                    examples: ["dashscope completions bash > /etc/bash_completion.d/dashscope"],
                    handler: GeneratedDocs.completions),
        CommandSpec("man", summary: "Print the man page (roff)",
                    positional: PositionalSpec("PAGE", help: "dashscope (default) or dashscope-mock", required: false,
                                               values: .words(["dashscope", "dashscope-mock"])),
                    options: Options.local,
                    examples: ["dashscope man > /usr/local/share/man/man1/dashscope.1", "dashscope man dashscope-mock | man -l -"],
                    handler: GeneratedDocs.man),
        CommandSpec("version", summary: "Print the version",
                    options: Options.local,
                    handler: InfoCommands.version),
        CommandSpec("help", summary: "Show help for a command",
                    details: "--json prints the command table instead: commands, subcommands, options with kinds, defaults, "
                        + "choices and value sources, positionals and examples.",
                    positional: PositionalSpec("COMMAND", help: "a command, e.g. t2i or task wait", required: false),
                    options: [OptionSpec("json", help: "print the command table as JSON")],
                    examples: ["dashscope help task wait", "dashscope help --json"]),
        CommandSpec("__complete", summary: "Internal: values for the completion scripts",
                    details: "Prints value<TAB>description lines for the completion scripts: sizes, voices, resolutions and "
                        + "durations of --model (else the command's default model), or task ids from the journal. Local only.",
                    positional: PositionalSpec("KIND", help: "sizes, voices, resolutions, durations, task-ids, models or commands"),
                    options: [OptionSpec("command", .text, placeholder: "COMMAND", help: "the command on the line, e.g. t2i"),
                              OptionSpec("model", .text, placeholder: "MODEL", help: "the -m on the line, if any")],
                    hidden: true, handler: CompletionValues.run),
    ]
}
