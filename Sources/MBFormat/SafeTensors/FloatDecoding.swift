/// Widening of stored floating-point tensors to `Float`.
///
/// Checkpoints store weights as F32, F16 or BF16; the converter does its arithmetic in
/// `Float`. Both 16-bit formats widen exactly: F16 through Swift's `Float16`, BF16 by
/// placing its bits in the high half of a `UInt32` (BF16 is a truncated F32).
/// Reads are unaligned and little-endian because safetensors guarantees neither alignment
/// of a tensor's start (headers need not be padded) nor anything but little-endian data.
public enum FloatDecoding {
    /// Whether `floats(from:dtype:)` can decode `dtype`.
    public static func isFloat(_ dtype: DType) -> Bool {
        dtype == .f32 || dtype == .f16 || dtype == .bf16
    }

    /// Decodes `raw` as little-endian elements of `dtype`, or returns nil for a
    /// non-float dtype. Trailing bytes that do not make a whole element are ignored.
    public static func floats(from raw: UnsafeRawBufferPointer, dtype: DType) -> [Float]? {
        guard isFloat(dtype) else { return nil }
        let count = raw.count / dtype.size
        return [Float](unsafeUninitializedCapacity: count) { output, initialized in
            switch dtype {
            case .f32:
                for i in 0..<count {
                    output[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
                }
            case .f16:
                for i in 0..<count {
                    output[i] = Float(float16Bits: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))
                }
            default:
                for i in 0..<count {
                    output[i] = Float(bfloat16Bits: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))
                }
            }
            initialized = count
        }
    }
}

extension Float {
    /// The exact value of an IEEE 754 binary16 bit pattern.
    @inlinable
    public init(float16Bits bits: UInt16) {
        self = Float(Float16(bitPattern: bits))
    }

    /// The exact value of a bfloat16 bit pattern (the high 16 bits of a binary32).
    @inlinable
    public init(bfloat16Bits bits: UInt16) {
        self = Float(bitPattern: UInt32(bits) << 16)
    }

    /// This value rounded to bfloat16 (round to nearest, ties to even; NaN stays NaN).
    public var bfloat16Bits: UInt16 {
        let bits = bitPattern
        if isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        let rounding = UInt32(0x7FFF) + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }

    /// This value rounded to IEEE 754 binary16.
    public var float16Bits: UInt16 { Float16(self).bitPattern }
}
