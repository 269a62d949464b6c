/// One tensor's entry in a safetensors header, already validated against its file.
public struct SafeTensorInfo: Hashable, Sendable {
    public let name: String
    public let dtype: DType
    public let shape: [Int]
    /// The tensor's bytes, as offsets into the data buffer that follows the header
    /// (not into the file: add `SafeTensorsFile.dataOffset` for that).
    public let dataRange: Range<Int>

    public init(name: String, dtype: DType, shape: [Int], dataRange: Range<Int>) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.dataRange = dataRange
    }

    /// Number of elements; 1 for a scalar (empty shape), 0 if any dimension is 0.
    ///
    /// Cannot overflow: validation checked `product(shape) * dtype.size` on load.
    public var elementCount: Int { shape.reduce(1, *) }

    public var byteCount: Int { dataRange.count }
}

/// Overflow-checked `product(shape)` and `product(shape) * elementSize`.
///
/// Shapes come from untrusted headers; a wrapped product could make a tiny byte range pass
/// the size check and then let readers index far outside it.
func checkedByteCount(shape: [Int], elementSize: Int) -> (elements: Int, bytes: Int)? {
    var elements = 1
    for dimension in shape {
        guard dimension >= 0 else { return nil }
        let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
        guard !overflow else { return nil }
        elements = product
    }
    let (bytes, overflow) = elements.multipliedReportingOverflow(by: elementSize)
    return overflow ? nil : (elements, bytes)
}
