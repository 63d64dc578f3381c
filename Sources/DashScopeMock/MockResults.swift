import Foundation

/// The result shapes of a finished image job: `choices` for the messages protocol, `results` for the prompt protocol.
extension ImageJob {
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

    /// The `output` fields and `usage` of a succeeded job; with `lastFailed` its last image carries an error, not a URL.
    func finishedOutput(origin: String, id: String, lastFailed: Bool) -> (output: [String: Any], usage: [String: Any]) {
        let delivered = lastFailed ? count - 1 : count
        if route.usesMessages {
            let usage: [String: Any] = ["image_count": delivered, "width": size.width, "height": size.height]
            return (["choices": choices(origin: origin, id: id, lastFailed: lastFailed)], usage)
        }
        let metrics = ["TOTAL": count, "SUCCEEDED": delivered, "FAILED": count - delivered]
        let results = results(origin: origin, id: id, lastFailed: lastFailed)
        return (["results": results, model.metricsKey: metrics], ["image_count": delivered])
    }

    /// One assistant choice whose content lists every image, as the messages protocol answers.
    func choices(origin: String, id: String, lastFailed: Bool) -> [[String: Any]] {
        let content: [[String: Any]] = (0..<count).map { index in
            if lastFailed, index == count - 1 {
                return Self.refusedImage.merging(["type": "image"]) { current, _ in current }
            }
            return ["type": "image", "image": Self.imageURL(origin: origin, id: id, index: index)]
        }
        return [["finish_reason": "stop", "message": ["role": "assistant", "content": content]]]
    }

    private func results(origin: String, id: String, lastFailed: Bool) -> [[String: Any]] {
        (0..<count).map { index in
            if lastFailed, index == count - 1 {
                return Self.refusedImage
            }
            var entry: [String: Any] = [
                "url": Self.imageURL(origin: origin, id: id, index: index), "orig_prompt": prompt,
            ]
            if promptExtend {
                entry["actual_prompt"] = "\(prompt), richly detailed, soft natural light"
            }
            return entry
        }
    }
}
