import CXXHash

/// XXH3-64 (seed 0), the checksum of every section and tensor in the model file.
///
/// Chosen because it runs at memory speed, so verifying a whole file costs little more than reading it.
public enum Checksum {
    public static func xxh3(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        XXH3_64bits(bytes.baseAddress, bytes.count)
    }

    public static func xxh3(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { xxh3($0) }
    }
}
