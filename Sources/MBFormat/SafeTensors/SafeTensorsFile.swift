import Foundation

/// A safetensors file, memory-mapped read-only and fully validated on open.
///
/// Layout: an 8-byte little-endian header length `N`, `N` bytes of UTF-8 JSON
/// (`{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}`),
/// then the data buffer. Opening checks every rule in `SafeTensorsHeader`, so after `init`
/// succeeds every tensor's bytes are known to lie inside the mapping and match its shape;
/// accessors only fail for unknown names or unsupported conversions.
///
/// `@unchecked Sendable`: all stored properties are immutable after `init` and the mapping
/// is read-only, so sharing across threads is safe.
public final class SafeTensorsFile: @unchecked Sendable {
    public let url: URL
    /// The free-form `__metadata__` map (empty when absent).
    public let metadata: [String: String]
    /// Every tensor, by name.
    public let tensors: [String: SafeTensorInfo]
    /// Every tensor in data-buffer order (the order a streaming reader should visit them).
    public let orderedTensors: [SafeTensorInfo]
    /// Length of the JSON header in bytes (the `N` of the 8-byte prefix).
    public let headerLength: Int

    private let mapping: MappedFile

    /// Opens and validates the file at `url`. Throws `SafeTensorsError`.
    public init(url: URL) throws {
        let path = url.path
        let mapping = try MappedFile(path: path)
        let (headerLength, header) = try Self.validate(mapping.bytes, path: path)
        self.url = url
        self.mapping = mapping
        self.headerLength = headerLength
        self.metadata = header.metadata
        self.orderedTensors = header.tensors
        self.tensors = Dictionary(header.tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Checks a whole safetensors file held in memory: the 8-byte length, the header cap, the JSON and
    /// every tensor entry against the data buffer. `init(url:)` runs exactly this on the mapping (the
    /// fuzz target `Fuzz/SafeTensorsFuzz.swift` runs it on arbitrary bytes).
    /// - Returns: the header length and the parsed header, tensors in data-buffer order.
    static func validate(_ file: UnsafeRawBufferPointer, path: String) throws -> (Int, SafeTensorsHeader) {
        guard file.count >= 8 else { throw SafeTensorsError.fileTooShort(path: path, size: file.count) }
        let declared = UInt64(littleEndian: file.loadUnaligned(as: UInt64.self))
        guard declared <= UInt64(SafeTensorsHeader.maxHeaderLength) else {
            throw SafeTensorsError.headerTooLarge(path: path, declared: declared, limit: SafeTensorsHeader.maxHeaderLength)
        }
        let headerLength = Int(declared)
        guard headerLength <= file.count - 8 else {
            throw SafeTensorsError.headerBeyondFile(path: path, declared: declared, fileSize: file.count)
        }
        let headerBytes = Array(file[8..<(8 + headerLength)])
        let header = try SafeTensorsHeader.parse(headerBytes: headerBytes,
                                                 dataLength: file.count - 8 - headerLength,
                                                 path: path)
        return (headerLength, header)
    }

    /// Offset of the data buffer from the start of the file.
    public var dataOffset: Int { 8 + headerLength }

    /// Tensor names, sorted.
    public var names: [String] { tensors.keys.sorted() }

    public func info(_ name: String) -> SafeTensorInfo? { tensors[name] }

    /// The element count of `name`. Throws `tensorNotFound`.
    public func elementCount(_ name: String) throws -> Int {
        try requireInfo(name).elementCount
    }

    /// Total elements over all tensors (a checkpoint's parameter count).
    public var totalElementCount: Int { orderedTensors.reduce(0) { $0 + $1.elementCount } }

    /// The tensor's bytes inside the mapping, exactly as stored (little-endian).
    ///
    /// The buffer is valid only while this `SafeTensorsFile` is alive: keep a reference to
    /// the file for as long as the pointer is used (`withExtendedLifetime` if in doubt).
    public func rawBytes(_ name: String) throws -> UnsafeRawBufferPointer {
        let info = try requireInfo(name)
        return rawBytes(info)
    }

    /// The tensor's values widened to `Float`. Throws for non-float dtypes.
    public func floats(_ name: String) throws -> [Float] {
        let info = try requireInfo(name)
        guard let values = FloatDecoding.floats(from: rawBytes(info), dtype: info.dtype) else {
            throw SafeTensorsError.notAFloatTensor(path: url.path, tensor: name, dtype: info.dtype.safetensorsName)
        }
        return values
    }

    private func rawBytes(_ info: SafeTensorInfo) -> UnsafeRawBufferPointer {
        // Validated on open: dataRange lies inside the data buffer, which lies inside the mapping.
        let start = dataOffset + info.dataRange.lowerBound
        return UnsafeRawBufferPointer(rebasing: mapping.bytes[start..<(start + info.dataRange.count)])
    }

    private func requireInfo(_ name: String) throws -> SafeTensorInfo {
        guard let info = tensors[name] else { throw SafeTensorsError.tensorNotFound(path: url.path, tensor: name) }
        return info
    }
}
