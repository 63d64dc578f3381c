import Foundation

/// The result shapes of a finished image job: `choices` for the messages protocol, `results` for the prompt protocol.
extension ImageJob: TaskJob {
    var modelName: String {
        model.name
    }

    var product: String {
        "image"
    }

    var marksFinished: Bool {
        route.usesMessages
    }

    /// The code and message the service gives an image it refused to deliver.
    static var refusedImage: [String: Any] {
        [
            "code": "DataInspectionFailed",
            "message": "Output data may contain inappropriate content.",
        ]
    }

    /// The download URL of image `index` of the job or request `id`.
    static func imageURL(origin: String, id: String, index: Int) -> String {
        "\(origin)/files/\(id)/\(index).png"
    }

    /// The `output` fields and `usage` of a succeeded job, as `bends` change them: a `partial` outcome puts an error
    /// in place of the last image, `resultURL` replaces every URL, `bigNumbers` puts unholdable numbers in `usage`.
    func finishedOutput(origin: String, id: String, bends: TaskBends) -> (output: [String: Any], usage: [String: Any]) {
        let lastFailed = bends.outcome == .partial
        let delivered = lastFailed ? count - 1 : count
        let url = { (index: Int) in bends.resultURL ?? Self.imageURL(origin: origin, id: id, index: index) }
        var output: [String: Any]
        var usage: [String: Any] = ["image_count": delivered]
        if route.usesMessages {
            usage["width"] = size.width
            usage["height"] = size.height
            output = ["choices": choices(url: url, lastFailed: lastFailed)]
        } else {
            let metrics = ["TOTAL": count, "SUCCEEDED": delivered, "FAILED": count - delivered]
            output = ["results": results(url: url, lastFailed: lastFailed), model.metricsKey: metrics]
        }
        if bends.bigNumbers {
            usage["image_count"] = MockJSON.raw("9007199254740993")
            usage["duration"] = MockJSON.raw("1e999")
        }
        return (output, usage)
    }

    /// One assistant choice whose content lists every image, as the messages protocol answers; an interleaved
    /// answer (wan2.6-image with `enable_interleave`) puts a text item before each image.
    private func choices(url: (Int) -> String, lastFailed: Bool) -> [[String: Any]] {
        let images: [[String: Any]] = (0..<count).map { index in
            if lastFailed, index == count - 1 {
                return Self.refusedImage.merging(["type": "image"]) { current, _ in current }
            }
            return ["type": "image", "image": url(index)]
        }
        let content = interleave
            ? images.enumerated().flatMap { index, image in
                [["type": "text", "text": "Step \(index + 1) of \(prompt)"], image]
            }
            : images
        return [["finish_reason": "stop", "message": ["role": "assistant", "content": content]]]
    }

    private func results(url: (Int) -> String, lastFailed: Bool) -> [[String: Any]] {
        (0..<count).map { index in
            if lastFailed, index == count - 1 {
                return Self.refusedImage
            }
            var entry: [String: Any] = ["url": url(index), "orig_prompt": prompt]
            if promptExtend {
                entry["actual_prompt"] = "\(prompt), richly detailed, soft natural light"
            }
            return entry
        }
    }
}
