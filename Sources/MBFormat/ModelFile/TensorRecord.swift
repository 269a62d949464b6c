/// How a tensor's values are quantized.
public enum Quantization: UInt8, Sendable, Codable {
    case none = 0
    /// Symmetric int8 per output channel: value[r][c] = Float(q[r][c]) * scale[r], scales are f32[shape[0]].
    case int8PerRow = 1
    /// int8 per output channel of an outlier-smoothed matrix [rows, cols] (since 1.2): the scales block is
    /// rows f32 row scales followed by cols f32 column factors f, and value[r][c] = Float(q[r][c]) * scale[r] * f[c].
    /// A linear layer computes x W^T as ((x * f) Q^T) * scale: the factors multiply the activations before
    /// they are quantized (SmoothQuant's division by s where no earlier layer can absorb it).
    case int8PerRowSmoothed = 2

    /// Number of f32 values in the scales block of a tensor of this shape.
    public func scaleCount(shape: [Int]) -> Int {
        switch self {
        case .none: return 0
        case .int8PerRow: return shape.first ?? 0
        case .int8PerRowSmoothed: return shape.count == 2 ? shape[0] + shape[1] : 0
        }
    }
}

/// Memory order of a tensor's elements. Packed kernel layouts get new codes; readers reject unknown ones.
public enum TensorLayout: UInt8, Sendable, Codable {
    case rowMajor = 0
    /// int8 matrices for the VNNI kernels: see `PanelLayout`.
    case panels16x4 = 1
}

/// One entry of the tensor table: where a tensor's bytes live and how to read them.
public struct TensorRecord: Sendable, Equatable {
    public var name: String
    public var dtype: DType
    public var shape: [Int]
    public var layout: TensorLayout
    public var quantization: Quantization
    /// Byte offset from the start of the data section (multiple of 64).
    public var offset: UInt64
    public var length: UInt64
    public var checksum: UInt64
    /// Per-row scales (f32) for quantized tensors; zero otherwise.
    public var scaleOffset: UInt64
    public var scaleLength: UInt64
    public var scaleChecksum: UInt64

    public init(name: String, dtype: DType, shape: [Int], layout: TensorLayout = .rowMajor,
                quantization: Quantization = .none, offset: UInt64 = 0, length: UInt64 = 0, checksum: UInt64 = 0,
                scaleOffset: UInt64 = 0, scaleLength: UInt64 = 0, scaleChecksum: UInt64 = 0) {
        self.name = name; self.dtype = dtype; self.shape = shape; self.layout = layout
        self.quantization = quantization; self.offset = offset; self.length = length; self.checksum = checksum
        self.scaleOffset = scaleOffset; self.scaleLength = scaleLength; self.scaleChecksum = scaleChecksum
    }

    public var elementCount: Int { shape.reduce(1, *) }

    /// Size in bytes of the record once encoded (fixed for a given name and rank).
    public var encodedSize: Int { 2 + name.utf8.count + 4 + 8 * shape.count + 8 * 6 }

    public func encode(into e: inout ByteEncoder) {
        let nameBytes = Array(name.utf8)
        e.u16(UInt16(nameBytes.count)); e.raw(nameBytes)
        e.u8(dtype.rawValue); e.u8(UInt8(shape.count)); e.u8(layout.rawValue); e.u8(quantization.rawValue)
        for d in shape { e.u64(UInt64(d)) }
        e.u64(offset); e.u64(length); e.u64(checksum)
        e.u64(scaleOffset); e.u64(scaleLength); e.u64(scaleChecksum)
    }

    /// Encodes a whole table: a u32 count, then the records in order.
    public static func encodeTable(_ records: [TensorRecord]) -> [UInt8] {
        var e = ByteEncoder()
        e.u32(UInt32(records.count))
        for r in records { r.encode(into: &e) }
        return e.bytes
    }

    /// Decodes a table, checking every field a reader could trip over.
    public static func decodeTable(_ bytes: UnsafeRawBufferPointer, path: String) throws -> [TensorRecord] {
        var d = ByteDecoder(bytes) { .malformed(path: path, what: "tensor table ends in the middle of a record") }
        let count = Int(try d.u32())
        guard count <= bytes.count / 8 else { throw FormatError.malformed(path: path, what: "tensor table claims \(count) tensors") }
        var records: [TensorRecord] = []
        records.reserveCapacity(count)
        for index in 0..<count {
            let nameLength = Int(try d.u16())
            guard let name = String(validating: try d.bytes(nameLength), as: UTF8.self) else {
                throw FormatError.malformed(path: path, what: "tensor \(index) has a name that is not UTF-8")
            }
            func bad(_ what: String) -> FormatError { .malformed(path: path, what: "tensor \(name): \(what)") }
            let dtypeCode = try d.u8()
            guard let dtype = DType(rawValue: dtypeCode) else { throw bad("unknown dtype code \(dtypeCode)") }
            let rank = Int(try d.u8())
            let layoutCode = try d.u8(), quantCode = try d.u8()
            guard let layout = TensorLayout(rawValue: layoutCode) else { throw bad("unknown layout code \(layoutCode)") }
            guard let quant = Quantization(rawValue: quantCode) else { throw bad("unknown quantization code \(quantCode)") }
            var shape: [Int] = []
            var elements = 1
            for _ in 0..<rank {
                let dim = try d.u64()
                guard dim <= UInt64(Int32.max) else { throw bad("dimension \(dim) is out of range") }
                shape.append(Int(dim))
                let (product, overflow) = elements.multipliedReportingOverflow(by: Int(dim))
                guard !overflow else { throw bad("shape \(shape) overflows") }
                elements = product
            }
            let record = TensorRecord(
                name: name, dtype: dtype, shape: shape, layout: layout, quantization: quant,
                offset: try d.u64(), length: try d.u64(), checksum: try d.u64(),
                scaleOffset: try d.u64(), scaleLength: try d.u64(), scaleChecksum: try d.u64())
            guard record.length == UInt64(elements) * UInt64(dtype.size) else {
                throw bad("byte length \(record.length) does not match shape \(shape) of \(dtype.safetensorsName)")
            }
            guard record.offset % UInt64(ModelFileLayout.tensorAlignment) == 0 else {
                throw bad("offset \(record.offset) is not \(ModelFileLayout.tensorAlignment)-byte aligned")
            }
            if layout == .panels16x4 {
                guard dtype == .i8, rank == 2, PanelLayout.fits(rows: shape[0], cols: shape[1]) else {
                    throw bad("panel layout needs an I8 matrix with rows % 16 == 0 and columns % 4 == 0")
                }
            }
            switch quant {
            case .none:
                guard record.scaleLength == 0 else { throw bad("unquantized tensor has scales") }
            case .int8PerRow:
                guard dtype == .i8, rank >= 1, record.scaleLength == UInt64(shape[0]) * 4 else {
                    throw bad("int8 per-row tensor needs dtype I8 and \(shape.first ?? 0) f32 scales")
                }
            case .int8PerRowSmoothed:
                guard dtype == .i8, rank == 2, record.scaleLength == UInt64(shape[0] + shape[1]) * 4 else {
                    throw bad("smoothed int8 tensor needs an I8 matrix and \(shape.first ?? 0) row scales plus one factor per column")
                }
            }
            records.append(record)
        }
        guard d.remaining == 0 else { throw FormatError.malformed(path: path, what: "\(d.remaining) stray bytes after the tensor table") }
        var seen = Set<String>()
        for r in records where !seen.insert(r.name).inserted {
            throw FormatError.malformed(path: path, what: "tensor \(r.name) appears twice in the table")
        }
        return records
    }
}
