import Foundation

/// Byte planes, the array coding of compiled layout version 3: `n` u32 values stored as their `n`
/// lowest bytes, then their `n` second bytes, then the third, then the highest.
///
/// Why: the section is stored zstd-compressed, and interleaved u32s compress badly. Token lengths
/// and ids are small numbers, so their high planes are runs of zeros that cost almost nothing, and
/// each low plane is one kind of data for the compressor to model. For ModernBERT's tokenizer this
/// halves the stored section (727 KB -> ~350 KB, `Docs/tokenizer.md`).
extension CompiledTokenizer {
    /// Appends `values` as four planes of `values.count` bytes each.
    static func appendPlanes(_ values: [UInt32], to out: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) {
            for value in values { out.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
        }
    }

    /// The `count` values stored as planes at `offset`; the caller checked that `4 * count` bytes are there.
    static func planes(_ bytes: UnsafeRawBufferPointer, at offset: Int, count: Int) -> [UInt32] {
        [UInt32](unsafeUninitializedCapacity: count) { values, initialized in
            let plane = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + offset
            for i in 0..<count {
                values[i] = UInt32(plane[i]) | UInt32(plane[count + i]) << 8
                    | UInt32(plane[2 * count + i]) << 16 | UInt32(plane[3 * count + i]) << 24
            }
            initialized = count
        }
    }

    /// Each value minus the one before it (the first minus 0), modulo 2^32. Merged ids are usually
    /// consecutive, which makes their deltas a constant that compresses to a few bytes.
    static func deltas(_ values: [UInt32]) -> [UInt32] {
        var previous: UInt32 = 0
        return values.map { value in
            defer { previous = value }
            return value &- previous
        }
    }

    /// The inverse of `deltas`: running sums modulo 2^32.
    static func runningSums(_ deltas: [UInt32]) -> [UInt32] {
        var sum: UInt32 = 0
        return deltas.map { delta in
            sum &+= delta
            return sum
        }
    }
}
