/// Little-endian encoding helpers for the model file's binary header, table and directory.

/// Appends little-endian fields to a byte array.
public struct ByteEncoder {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func u8(_ v: UInt8) { bytes.append(v) }
    public mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func raw(_ v: [UInt8]) { bytes.append(contentsOf: v) }
}

/// Reads little-endian fields from a byte range, throwing (never trapping) when the range runs out.
public struct ByteDecoder {
    private let buffer: UnsafeRawBufferPointer
    public private(set) var position = 0
    private let context: () -> FormatError

    /// - Parameter context: the error to throw when a read runs past the end.
    public init(_ buffer: UnsafeRawBufferPointer, onOverrun context: @escaping () -> FormatError) {
        self.buffer = buffer
        self.context = context
    }

    public var remaining: Int { buffer.count - position }

    private mutating func take(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard n >= 0, n <= remaining else { throw context() }
        defer { position += n }
        return UnsafeRawBufferPointer(rebasing: buffer[position..<(position + n)])
    }

    public mutating func u8() throws -> UInt8 { try take(1)[0] }
    public mutating func u16() throws -> UInt16 { UInt16(littleEndian: try take(2).loadUnaligned(as: UInt16.self)) }
    public mutating func u32() throws -> UInt32 { UInt32(littleEndian: try take(4).loadUnaligned(as: UInt32.self)) }
    public mutating func u64() throws -> UInt64 { UInt64(littleEndian: try take(8).loadUnaligned(as: UInt64.self)) }
    public mutating func bytes(_ n: Int) throws -> [UInt8] { Array(try take(n)) }
}
