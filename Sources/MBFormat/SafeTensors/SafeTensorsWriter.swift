import Foundation

/// Builds a safetensors file from an ordered list of tensors and writes it atomically.
///
/// Tensors are laid out contiguously in the order they were added, and the header is padded
/// with spaces to a multiple of 8 bytes as the reference implementation does, so the data
/// buffer starts 8-byte aligned. Data is either held as `Data` or produced on demand by a
/// closure, so a converter can stream hundreds of MB without materializing them first.
///
/// ```swift
/// var writer = SafeTensorsWriter(metadata: ["format": "pt"])
/// try writer.add(name: "w", dtype: .f32, shape: [2], data: bytes)
/// try writer.write(to: url, refusingInputs: [sourceURL])
/// ```
public struct SafeTensorsWriter {
    /// One tensor to write. `produce` must append exactly `byteCount` bytes.
    public struct Entry {
        public let name: String
        public let dtype: DType
        public let shape: [Int]
        public let byteCount: Int
        let produce: (BufferedFileWriter) throws -> Void
    }

    public var metadata: [String: String]
    public private(set) var entries: [Entry] = []
    private var names = Set<String>()

    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Adds a tensor whose bytes are already in memory (little-endian).
    public mutating func add(name: String, dtype: DType, shape: [Int], data: Data) throws {
        let byteCount = try checkedSize(name: name, dtype: dtype, shape: shape)
        guard data.count == byteCount else {
            throw invalid(name, "it has \(data.count) bytes but shape \(shape) of \(dtype.safetensorsName) needs \(byteCount)")
        }
        append(Entry(name: name, dtype: dtype, shape: shape, byteCount: byteCount) { try $0.write(data) })
    }

    /// Adds `Float` values stored as `dtype` (F32, F16 or BF16; BF16 rounds to nearest even).
    public mutating func add(name: String, dtype: DType, shape: [Int], floats: [Float]) throws {
        guard FloatDecoding.isFloat(dtype) else {
            throw invalid(name, "floats can only be stored as F32, F16 or BF16, not \(dtype.safetensorsName)")
        }
        let byteCount = try checkedSize(name: name, dtype: dtype, shape: shape)
        guard floats.count * dtype.size == byteCount else {
            throw invalid(name, "\(floats.count) values do not match shape \(shape)")
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(byteCount)
        for value in floats {
            switch dtype {
            case .f32: withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
            case .f16: withUnsafeBytes(of: value.float16Bits.littleEndian) { bytes.append(contentsOf: $0) }
            default: withUnsafeBytes(of: value.bfloat16Bits.littleEndian) { bytes.append(contentsOf: $0) }
            }
        }
        append(Entry(name: name, dtype: dtype, shape: shape, byteCount: byteCount) { try $0.write(bytes) })
    }

    /// Adds a tensor whose bytes are produced while writing. `produce` must append exactly
    /// `product(shape) * dtype.size` bytes to the writer it is given; `write(to:)` checks.
    public mutating func add(name: String, dtype: DType, shape: [Int],
                             produce: @escaping (BufferedFileWriter) throws -> Void) throws {
        let byteCount = try checkedSize(name: name, dtype: dtype, shape: shape)
        append(Entry(name: name, dtype: dtype, shape: shape, byteCount: byteCount, produce: produce))
    }

    /// The header JSON, padded with spaces to a multiple of 8 bytes (without the length prefix).
    public func headerBytes() -> [UInt8] {
        var json = "{"
        var first = true
        func member(_ key: String, _ value: String) {
            if !first { json += "," }
            first = false
            json += Self.quoted(key) + ":" + value
        }
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { Self.quoted($0) + ":" + Self.quoted(metadata[$0] ?? "") }
            member(SafeTensorsHeader.metadataKey, "{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for entry in entries {
            let shape = entry.shape.map(String.init).joined(separator: ",")
            member(entry.name, "{\"dtype\":\"\(entry.dtype.safetensorsName)\",\"shape\":[\(shape)],"
                + "\"data_offsets\":[\(offset),\(offset + entry.byteCount)]}")
            offset += entry.byteCount
        }
        json += "}"
        var bytes = Array(json.utf8)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - bytes.count % 8) % 8))
        return bytes
    }

    /// Writes the file atomically (see `writeAtomically`), refusing to overwrite any input.
    public func write(to url: URL, refusingInputs inputs: [URL] = []) throws {
        try writeAtomically(to: url, refusingInputs: inputs) { out in
            try write(into: out, path: url.path)
        }
    }

    /// Streams the file into an already open writer (for callers that manage their own output).
    public func write(into out: BufferedFileWriter, path: String) throws {
        let header = headerBytes()
        try out.write(integer: UInt64(header.count).littleEndian)
        try out.write(header)
        for entry in entries {
            let start = out.position
            try entry.produce(out)
            guard out.position - start == entry.byteCount else {
                throw SafeTensorsError.invalidTensorForWriting(
                    path: path, tensor: entry.name,
                    problem: "its producer wrote \(out.position - start) bytes instead of \(entry.byteCount)")
            }
        }
    }

    private mutating func append(_ entry: Entry) {
        names.insert(entry.name)
        entries.append(entry)
    }

    private func checkedSize(name: String, dtype: DType, shape: [Int]) throws -> Int {
        guard name != SafeTensorsHeader.metadataKey else { throw invalid(name, "the name is reserved for metadata") }
        guard !names.contains(name) else { throw invalid(name, "a tensor with this name was already added") }
        guard let size = checkedByteCount(shape: shape, elementSize: dtype.size) else {
            throw invalid(name, "shape \(shape) has a negative dimension or overflows")
        }
        return size.bytes
    }

    private func invalid(_ name: String, _ problem: String) -> SafeTensorsError {
        .invalidTensorForWriting(path: "safetensors writer", tensor: name, problem: problem)
    }

    /// A JSON string literal; escapes quotes, backslashes and control characters.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
