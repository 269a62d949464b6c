/// Why a model file cannot run, or an input cannot be run through it.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case missingTensor(path: String, tensor: String)
    case wrongShape(path: String, tensor: String, expected: [Int], actual: [Int])
    case unsupportedStorage(path: String, tensor: String, what: String)
    case emptySequence(index: Int)
    case sequenceTooLong(index: Int, length: Int, max: Int)
    case tokenOutOfRange(index: Int, position: Int, id: Int, vocabSize: Int)

    public var description: String {
        switch self {
        case let .missingTensor(path, tensor):
            return "\(path): the config needs tensor \(tensor), which the file does not have"
        case let .wrongShape(path, tensor, expected, actual):
            return "\(path): tensor \(tensor) has shape \(actual), the config implies \(expected)"
        case let .unsupportedStorage(path, tensor, what):
            return "\(path): tensor \(tensor): \(what)"
        case let .emptySequence(index):
            return "sequence \(index) is empty"
        case let .sequenceTooLong(index, length, max):
            return "sequence \(index) has \(length) tokens; the model takes at most \(max)"
        case let .tokenOutOfRange(index, position, id, vocab):
            return "sequence \(index), position \(position): token id \(id) is outside the vocabulary (0..<\(vocab))"
        }
    }
}
