/// Everything that can go wrong reading or writing safetensors files and checkpoints.
///
/// Every case carries the path of the file at fault and, when one is involved, the tensor's
/// name: a user converting a checkpoint with hundreds of tensors across several shards
/// needs to know exactly where to look. `description` is a complete sentence meant to be
/// shown to that user as is.
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A system call failed (open, stat, mmap, read).
    case io(path: String, operation: String, reason: String)
    /// The file cannot even hold the 8-byte header length.
    case fileTooShort(path: String, size: Int)
    /// The declared header length exceeds the sanity cap.
    case headerTooLarge(path: String, declared: UInt64, limit: Int)
    /// The declared header length runs past the end of the file.
    case headerBeyondFile(path: String, declared: UInt64, fileSize: Int)
    case headerNotUTF8(path: String)
    case headerNotJSON(path: String, problem: String, offset: Int)
    case headerNotObject(path: String, found: String)
    case duplicateTensor(path: String, tensor: String)
    /// `__metadata__` is not an object whose values are all strings.
    case invalidMetadata(path: String, problem: String)
    case missingField(path: String, tensor: String, field: String)
    case wrongFieldType(path: String, tensor: String, field: String, expected: String, found: String)
    case unknownDType(path: String, tensor: String, dtype: String)
    case invalidShape(path: String, tensor: String, problem: String)
    case invalidOffsets(path: String, tensor: String, problem: String)
    /// `end - begin` differs from `product(shape) * dtype.size`.
    case sizeMismatch(path: String, tensor: String, shape: [Int], dtype: String, expectedBytes: Int, actualBytes: Int)
    /// The element or byte count of a shape does not fit in `Int`.
    case sizeOverflow(path: String, tensor: String, shape: [Int])
    case overlappingTensors(path: String, tensor: String, other: String)
    /// Bytes of the data buffer that no tensor covers, which the reference implementation rejects.
    case uncoveredBytes(path: String, tensor: String?, range: Range<Int>)
    case tensorNotFound(path: String, tensor: String)
    case notAFloatTensor(path: String, tensor: String, dtype: String)
    /// A tensor handed to the writer is inconsistent (name, shape, byte count).
    case invalidTensorForWriting(path: String, tensor: String, problem: String)
    /// The directory holds neither `model.safetensors` nor `model.safetensors.index.json`.
    case noCheckpoint(directory: String)
    case invalidIndex(path: String, problem: String)
    case shardMissing(indexPath: String, shard: String, tensor: String)
    case tensorMissingFromShard(indexPath: String, shard: String, tensor: String)
    case tensorInTwoShards(tensor: String, first: String, second: String)

    public var description: String {
        switch self {
        case let .io(path, operation, reason):
            return "\(path): cannot \(operation): \(reason)"
        case let .fileTooShort(path, size):
            return "\(path): not a safetensors file: it is \(size) bytes long, shorter than the 8-byte header length"
        case let .headerTooLarge(path, declared, limit):
            return "\(path): header length \(declared) bytes is above the \(limit)-byte limit; the file is corrupt or not safetensors"
        case let .headerBeyondFile(path, declared, fileSize):
            return "\(path): header length \(declared) bytes runs past the end of the \(fileSize)-byte file; the file is truncated or not safetensors"
        case let .headerNotUTF8(path):
            return "\(path): the JSON header is not valid UTF-8"
        case let .headerNotJSON(path, problem, offset):
            return "\(path): the header is not valid JSON (\(problem) at header byte \(offset))"
        case let .headerNotObject(path, found):
            return "\(path): the header must be a JSON object, found \(found)"
        case let .duplicateTensor(path, tensor):
            return "\(path): tensor '\(tensor)' appears more than once in the header"
        case let .invalidMetadata(path, problem):
            return "\(path): __metadata__ \(problem)"
        case let .missingField(path, tensor, field):
            return "\(path): tensor '\(tensor)' has no \"\(field)\" field"
        case let .wrongFieldType(path, tensor, field, expected, found):
            return "\(path): tensor '\(tensor)': \"\(field)\" should be \(expected), found \(found)"
        case let .unknownDType(path, tensor, dtype):
            let known = DType.allCases.map(\.safetensorsName).joined(separator: ", ")
            return "\(path): tensor '\(tensor)' has dtype \"\(dtype)\", which is not supported (supported: \(known))"
        case let .invalidShape(path, tensor, problem):
            return "\(path): tensor '\(tensor)' has an invalid shape: \(problem)"
        case let .invalidOffsets(path, tensor, problem):
            return "\(path): tensor '\(tensor)' has invalid data_offsets: \(problem)"
        case let .sizeMismatch(path, tensor, shape, dtype, expected, actual):
            return "\(path): tensor '\(tensor)' occupies \(actual) bytes but shape \(shape) of \(dtype) needs \(expected)"
        case let .sizeOverflow(path, tensor, shape):
            return "\(path): tensor '\(tensor)' has shape \(shape), whose size overflows a 64-bit integer"
        case let .overlappingTensors(path, tensor, other):
            return "\(path): tensor '\(tensor)' overlaps tensor '\(other)' in the data buffer"
        case let .uncoveredBytes(path, tensor, range):
            let place = tensor.map { "before tensor '\($0)'" } ?? "at the end of the data buffer"
            return "\(path): data bytes \(range.lowerBound)..<\(range.upperBound) \(place) belong to no tensor; safetensors requires tensors to cover the data buffer contiguously"
        case let .tensorNotFound(path, tensor):
            return "\(path): no tensor named '\(tensor)'"
        case let .notAFloatTensor(path, tensor, dtype):
            return "\(path): tensor '\(tensor)' has dtype \(dtype), which cannot be read as floating point (only F32, F16, BF16 can)"
        case let .invalidTensorForWriting(path, tensor, problem):
            return "\(path): cannot write tensor '\(tensor)': \(problem)"
        case let .noCheckpoint(directory):
            return "\(directory): no model.safetensors or model.safetensors.index.json found. "
                + "PyTorch .bin checkpoints are not supported; convert one with Python: "
                + "`from transformers import AutoModel; AutoModel.from_pretrained(dir).save_pretrained(dir, safe_serialization=True)`"
        case let .invalidIndex(path, problem):
            return "\(path): invalid checkpoint index: \(problem)"
        case let .shardMissing(indexPath, shard, tensor):
            return "\(indexPath): shard file '\(shard)' (listed for tensor '\(tensor)') does not exist"
        case let .tensorMissingFromShard(indexPath, shard, tensor):
            return "\(indexPath): tensor '\(tensor)' is listed in shard '\(shard)' but that file does not contain it"
        case let .tensorInTwoShards(tensor, first, second):
            return "tensor '\(tensor)' is stored in two shards: \(first) and \(second)"
        }
    }
}
