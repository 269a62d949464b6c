/// SplitMix64, the small deterministic generator behind every reproducible input in the project:
/// benchmark token ids (`mbconvert bench`, mirrored by Benchmarks/compare.py) and the validator's
/// masking of positions. Same seed, same numbers, on every machine.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The first output for `seed`: a well-mixed hash of one 64-bit key.
    public static func mix(_ seed: UInt64) -> UInt64 {
        var generator = SplitMix64(seed: seed)
        return generator.next()
    }
}
