/// One output of a job: a URL to fetch, or the service's reason it failed.
public struct ResultItem: Sendable, Equatable {
    /// Where to fetch the output (valid 24 h).
    public var url: String?
    /// The service's code when this output failed.
    public var code: String?
    /// The service's message when this output failed.
    public var message: String?
    /// The prompt as the service rewrote it, if it says.
    public var actualPrompt: String?
    /// The prompt as sent, if the service echoes it.
    public var originalPrompt: String?
    /// A text part of the answer (wan2.6-image's interleaved mode mixes text and images).
    public var text: String?
}

/// Finds the outputs in any answer shape of API.md: `results[]`, `choices[].message.content[]`, `video_url`, `audio.url`.
public enum ResultParser {
    /// Every output listed in `output`, in order.
    public static func items(from output: JSON) -> [ResultItem] {
        var items: [ResultItem] = []
        for result in output["results"]?.items ?? [] {
            items.append(ResultItem(url: result["url"]?.string, code: result["code"]?.string,
                                    message: result["message"]?.string ?? (result["url"] == nil ? "no URL" : nil),
                                    actualPrompt: result["actual_prompt"]?.string, originalPrompt: result["orig_prompt"]?.string))
        }
        for choice in output["choices"]?.items ?? [] {
            for content in choice["message"]?["content"]?.items ?? [] {
                if let url = content["image"]?.string {
                    items.append(ResultItem(url: url))
                } else if let text = content["text"]?.string, content["code"] == nil {
                    items.append(ResultItem(text: text))
                } else if content["type"]?.string == "image" || content["code"] != nil {
                    items.append(ResultItem(code: content["code"]?.string, message: content["message"]?.string ?? "no image URL"))
                }
            }
        }
        if let url = output["video_url"]?.string {
            items.append(ResultItem(url: url, actualPrompt: output["actual_prompt"]?.string, originalPrompt: output["orig_prompt"]?.string))
        }
        if let url = output["audio"]?["url"]?.string, !url.isEmpty { items.append(ResultItem(url: url)) }
        return items
    }
}
