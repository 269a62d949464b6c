/// Why a Hugging Face directory could not be converted. Each case names the file and, where there is one, the tensor.
public enum ConversionError: Error, CustomStringConvertible, Equatable {
    case missingFile(path: String, hint: String)
    case unreadable(path: String, why: String)
    case badConfig(path: String, why: String)
    case unsupportedArchitecture(path: String, name: String)
    case missingTensor(path: String, tensor: String)
    case shapeMismatch(path: String, tensor: String, expected: [Int], actual: [Int])
    case unsupportedDType(path: String, tensor: String, dtype: String)

    public var description: String {
        switch self {
        case let .missingFile(path, hint): return "\(path): file not found. \(hint)"
        case let .unreadable(path, why): return "\(path): \(why)"
        case let .badConfig(path, why): return "\(path): \(why)"
        case let .unsupportedArchitecture(path, name):
            return "\(path): architecture \(name) is not supported; supported: "
                + ModelConfigArchitectures.supported.joined(separator: ", ")
        case let .missingTensor(path, tensor): return "\(path): tensor \(tensor) is missing from the checkpoint"
        case let .shapeMismatch(path, tensor, expected, actual):
            return "\(path): tensor \(tensor) has shape \(actual), the config implies \(expected)"
        case let .unsupportedDType(path, tensor, dtype):
            return "\(path): tensor \(tensor) has dtype \(dtype); only F32, F16 and BF16 weights can be converted"
        }
    }
}

import MBFormat

enum ModelConfigArchitectures {
    static var supported: [String] { ModelConfig.Architecture.allCases.map(\.rawValue) }
}
