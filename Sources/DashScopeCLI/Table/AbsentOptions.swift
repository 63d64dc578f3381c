/// Why a command lacks an option its siblings take, and what to use instead: an unknown option that another command
/// knows is explained with this rather than matched to a near name of the command's own (`i2v --size` is not `--seed`).
/// Options without a note here are still named as belonging to the commands that take them.
enum AbsentOptions {
    /// Command name → option (long name) → why it has none and what to use instead.
    static let notes: [String: [String: String]] = [
        "i2v": ["size": "the shape follows the image; use --resolution", "ratio": "the shape follows the image; use --resolution"],
        "chat": ["image": "chat models read text only; ask about images with dashscope vl -i IMAGE"],
    ]
}
