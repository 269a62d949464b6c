/// The parsed and validated header of a safetensors file.
///
/// Kept separate from the file so the rules can be applied to any bytes (tests build bad
/// headers byte by byte) and so every rule lives in one place. The rules follow the
/// reference Rust implementation (`huggingface/safetensors`, `Metadata::validate` and
/// `SafeTensors::read_metadata`): tensors sorted by offsets must tile the data buffer
/// from 0 to its end with no gaps and no overlaps, and each byte range must be exactly
/// `product(shape) * dtype size` long (computed with overflow checks).
struct SafeTensorsHeader {
    /// Same cap as the reference implementation (100 MB): headers of real checkpoints are
    /// a few hundred KB, and the cap stops a corrupt length from causing a huge allocation.
    static let maxHeaderLength = 100_000_000

    static let metadataKey = "__metadata__"

    var metadata: [String: String]
    /// Tensors in data-buffer order.
    var tensors: [SafeTensorInfo]

    /// Parses `headerBytes` (the JSON, without the 8-byte length) and checks every entry
    /// against a data buffer of `dataLength` bytes. `path` is only used in errors.
    static func parse(headerBytes: [UInt8], dataLength: Int, path: String) throws -> SafeTensorsHeader {
        guard String(validating: headerBytes, as: UTF8.self) != nil else {
            throw SafeTensorsError.headerNotUTF8(path: path)
        }
        let root: JSONValue
        do {
            root = try HeaderJSONParser.parse(headerBytes)
        } catch let failure as JSONParseFailure {
            throw SafeTensorsError.headerNotJSON(path: path, problem: failure.message, offset: failure.offset)
        }
        guard case .object(let members) = root else {
            throw SafeTensorsError.headerNotObject(path: path, found: root.typeDescription)
        }

        var seen = Set<String>()
        var metadata: [String: String] = [:]
        var tensors: [SafeTensorInfo] = []
        tensors.reserveCapacity(members.count)
        for (key, value) in members {
            guard seen.insert(key).inserted else {
                throw SafeTensorsError.duplicateTensor(path: path, tensor: key)
            }
            if key == metadataKey {
                metadata = try parseMetadata(value, path: path)
            } else {
                tensors.append(try parseEntry(name: key, value: value, dataLength: dataLength, path: path))
            }
        }
        try checkLayout(tensors: &tensors, dataLength: dataLength, path: path)
        return SafeTensorsHeader(metadata: metadata, tensors: tensors)
    }

    private static func parseMetadata(_ value: JSONValue, path: String) throws -> [String: String] {
        // The reference implementation accepts `null` as "no metadata".
        if case .null = value { return [:] }
        guard case .object(let members) = value else {
            throw SafeTensorsError.invalidMetadata(path: path, problem: "must be an object of strings, found \(value.typeDescription)")
        }
        var metadata: [String: String] = [:]
        for (key, item) in members {
            guard case .string(let text) = item else {
                throw SafeTensorsError.invalidMetadata(path: path, problem: "key '\(key)' must map to a string, found \(item.typeDescription)")
            }
            guard metadata.updateValue(text, forKey: key) == nil else {
                throw SafeTensorsError.invalidMetadata(path: path, problem: "key '\(key)' appears more than once")
            }
        }
        return metadata
    }

    private static func parseEntry(name: String, value: JSONValue, dataLength: Int, path: String) throws -> SafeTensorInfo {
        guard case .object(let fields) = value else {
            throw SafeTensorsError.wrongFieldType(path: path, tensor: name, field: "(entry)",
                                                  expected: "an object with dtype, shape and data_offsets",
                                                  found: value.typeDescription)
        }
        func field(_ key: String) throws -> JSONValue {
            let matches = fields.filter { $0.key == key }
            guard let match = matches.first else {
                throw SafeTensorsError.missingField(path: path, tensor: name, field: key)
            }
            // serde (the reference reader) rejects a repeated field; so do we, rather than guess.
            guard matches.count == 1 else {
                throw SafeTensorsError.wrongFieldType(path: path, tensor: name, field: key,
                                                      expected: "given once", found: "\(matches.count) times")
            }
            return match.value
        }

        let dtypeValue = try field("dtype")
        guard case .string(let dtypeName) = dtypeValue else {
            throw SafeTensorsError.wrongFieldType(path: path, tensor: name, field: "dtype",
                                                  expected: "a string", found: dtypeValue.typeDescription)
        }
        guard let dtype = DType(safetensorsName: dtypeName) else {
            throw SafeTensorsError.unknownDType(path: path, tensor: name, dtype: dtypeName)
        }

        let shapeValue = try field("shape")
        guard case .array(let dimensions) = shapeValue else {
            throw SafeTensorsError.wrongFieldType(path: path, tensor: name, field: "shape",
                                                  expected: "an array of integers", found: shapeValue.typeDescription)
        }
        var shape: [Int] = []
        for (axis, dimension) in dimensions.enumerated() {
            guard let size = dimension.integerValue else {
                throw SafeTensorsError.invalidShape(path: path, tensor: name,
                                                    problem: "dimension \(axis) is \(dimension.typeDescription), not an integer that fits in 64 bits")
            }
            guard size >= 0 else {
                throw SafeTensorsError.invalidShape(path: path, tensor: name, problem: "dimension \(axis) is negative (\(size))")
            }
            shape.append(size)
        }

        let offsetsValue = try field("data_offsets")
        guard case .array(let offsets) = offsetsValue, offsets.count == 2 else {
            throw SafeTensorsError.wrongFieldType(path: path, tensor: name, field: "data_offsets",
                                                  expected: "an array of two integers [begin, end]",
                                                  found: offsetsValue.typeDescription)
        }
        guard let begin = offsets[0].integerValue, let end = offsets[1].integerValue, begin >= 0, end >= 0 else {
            throw SafeTensorsError.invalidOffsets(path: path, tensor: name,
                                                  problem: "[\(offsets[0].typeDescription), \(offsets[1].typeDescription)] are not two non-negative integers")
        }
        guard begin <= end else {
            throw SafeTensorsError.invalidOffsets(path: path, tensor: name, problem: "begin \(begin) is after end \(end)")
        }
        guard end <= dataLength else {
            throw SafeTensorsError.invalidOffsets(path: path, tensor: name,
                                                  problem: "[\(begin), \(end)] runs past the end of the \(dataLength)-byte data buffer")
        }

        guard let size = checkedByteCount(shape: shape, elementSize: dtype.size) else {
            throw SafeTensorsError.sizeOverflow(path: path, tensor: name, shape: shape)
        }
        guard size.bytes == end - begin else {
            throw SafeTensorsError.sizeMismatch(path: path, tensor: name, shape: shape, dtype: dtype.safetensorsName,
                                                expectedBytes: size.bytes, actualBytes: end - begin)
        }
        return SafeTensorInfo(name: name, dtype: dtype, shape: shape, dataRange: begin..<end)
    }

    /// Sorts `tensors` by offsets and checks they tile `0..<dataLength` exactly.
    private static func checkLayout(tensors: inout [SafeTensorInfo], dataLength: Int, path: String) throws {
        tensors.sort { ($0.dataRange.lowerBound, $0.dataRange.upperBound) < ($1.dataRange.lowerBound, $1.dataRange.upperBound) }
        var covered = 0
        var previous: SafeTensorInfo?
        for tensor in tensors {
            let range = tensor.dataRange
            if range.lowerBound < covered, let previous {
                throw SafeTensorsError.overlappingTensors(path: path, tensor: tensor.name, other: previous.name)
            }
            if range.lowerBound > covered {
                throw SafeTensorsError.uncoveredBytes(path: path, tensor: tensor.name, range: covered..<range.lowerBound)
            }
            covered = range.upperBound
            previous = tensor
        }
        if covered < dataLength {
            throw SafeTensorsError.uncoveredBytes(path: path, tensor: nil, range: covered..<dataLength)
        }
    }
}
