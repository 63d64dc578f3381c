#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The ten `input.function` values of wanx2.1-imageedit (API.md §2).
enum EditFunction: String, CaseIterable, Sendable {
    case stylizationAll = "stylization_all"
    case stylizationLocal = "stylization_local"
    case descriptionEdit = "description_edit"
    case descriptionEditWithMask = "description_edit_with_mask"
    case removeWatermark = "remove_watermark"
    case expand
    case superResolution = "super_resolution"
    case colorization
    case doodle
    case controlCartoonFeature = "control_cartoon_feature"

    /// Whether the function reads `input.mask_image_url` (and so requires it).
    var needsMask: Bool {
        self == .descriptionEditWithMask
    }
}

/// One function parameter of wanx2.1-imageedit and the values the service takes (type-checked whenever present).
private struct EditParameter {
    enum Kind {
        case number(ClosedRange<Double>)
        case integer(ClosedRange<Int>)
        case flag
    }

    let name: String
    let kind: Kind

    static let all: [EditParameter] = [
        EditParameter(name: "strength", kind: .number(0...1)),
        EditParameter(name: "top_scale", kind: .number(1...2)),
        EditParameter(name: "bottom_scale", kind: .number(1...2)),
        EditParameter(name: "left_scale", kind: .number(1...2)),
        EditParameter(name: "right_scale", kind: .number(1...2)),
        EditParameter(name: "upscale_factor", kind: .integer(1...4)),
        EditParameter(name: "is_sketch", kind: .flag),
    ]

    func check(_ value: Any) throws(ServiceError) {
        switch kind {
        case .number(let range):
            guard let number = (value as? Double) ?? (value as? Int).map(Double.init), range.contains(number) else {
                throw .invalidParameter(
                    "Field parameters.\(name) must be a number between \(range.lowerBound) and \(range.upperBound)."
                )
            }
        case .integer(let range):
            guard let number = MockJSON.integer(value), range.contains(number) else {
                throw .invalidParameter(
                    "Field parameters.\(name) must be an integer between \(range.lowerBound) and \(range.upperBound)."
                )
            }
        case .flag:
            guard value is Bool else {
                throw .invalidParameter("Field parameters.\(name) must be true or false.")
            }
        }
    }
}

/// The `input` of a wanx2.1-imageedit request once checked: its function and image URLs.
struct EditInput {
    let function: EditFunction
    let prompt: String
    /// `base_image_url`, then `mask_image_url` when the function reads it.
    let images: [String]

    /// Checks `input` and the function parameters of `parameters` the way the service does.
    init(input: [String: Any], parameters: [String: Any], model: String, urls: ImageURLCheck) throws(ServiceError) {
        guard let value = input["function"] else {
            throw .invalidParameter("Missing required field: input.function.")
        }
        guard let name = value as? String, let function = EditFunction(rawValue: name) else {
            let names = EditFunction.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidParameter("Field input.function must be one of \(names).")
        }
        prompt = try ImageJob.promptField(input)
        try urls.check(input["base_image_url"], field: "input.base_image_url", model: model)
        var images = [input["base_image_url"] as? String ?? ""]
        if function.needsMask {
            try urls.check(input["mask_image_url"], field: "input.mask_image_url", model: model)
            images.append(input["mask_image_url"] as? String ?? "")
        }
        for parameter in EditParameter.all {
            if let value = parameters[parameter.name] {
                try parameter.check(value)
            }
        }
        self.function = function
        self.images = images
    }
}
