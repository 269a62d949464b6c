import MBFormat

/// The token embedding lookup: row `id` of the table, widened to fp32.
///
/// Rows are read with pread rather than through the mapping. A forward pass reads one scattered
/// row per token, and every fault in a file mapping maps up to 16 neighbouring cached pages, so
/// a batch of ~1,000 tokens would make most of a 50k-row table resident (39 MB at int8 for the base
/// shape) to use 0.7 MB of it. Heads that need the whole table (a tied MLM decoder) still map it.
struct EmbeddingTable: @unchecked Sendable {
    let matrix: WeightMatrix
    /// The file and record to read rows from; nil when the table is an in-memory override.
    private let source: (file: ModelFile, record: TensorRecord)?

    init(matrix: WeightMatrix, file: ModelFile, name: String, overridden: Bool) {
        self.matrix = matrix
        source = overridden ? nil : file.record(name).map { (file, $0) }
    }

    /// Writes the fp32 embedding of each id to consecutive rows of `x` ([ids.count, cols]).
    func lookup(_ ids: [Int32], into x: UnsafeMutablePointer<Float>) {
        let cols = matrix.cols
        guard let source else {
            for (row, id) in ids.enumerated() { matrix.widenRows(Int(id), count: 1, into: x + row * cols) }
            return
        }
        // A row is read with the rows it is stored with: itself, or its 16-row panel (whose bytes
        // interleave the rows).
        let (blockRows, elementSize) = Self.block(matrix.storage)
        let blockBytes = blockRows * cols * elementSize
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: blockBytes, alignment: 64)
        defer { buffer.deallocate() }
        for (row, id) in ids.enumerated() {
            let first = Int(id) / blockRows * blockRows
            source.file.copyBytes(of: source.record, byteOffset: first * cols * elementSize, count: blockBytes, into: buffer)
            let block: WeightMatrix.Storage
            switch matrix.storage {
            case .f32: block = .f32(UnsafePointer(buffer.assumingMemoryBound(to: Float.self)))
            case .f16: block = .f16(UnsafePointer(buffer.assumingMemoryBound(to: UInt16.self)))
            case .bf16: block = .bf16(UnsafePointer(buffer.assumingMemoryBound(to: UInt16.self)))
            case .int8(_, let scales): block = .int8(UnsafePointer(buffer.assumingMemoryBound(to: Int8.self)), scales: scales + first)
            case .int8Panels(_, let scales):
                block = .int8Panels(UnsafePointer(buffer.assumingMemoryBound(to: Int8.self)), scales: scales + first)
            }
            WeightMatrix(storage: block, rows: blockRows, cols: cols, columnFactors: matrix.columnFactors)
                .widenRows(Int(id) - first, count: 1, into: x + row * cols)
        }
    }

    /// Rows stored together and bytes per element.
    private static func block(_ storage: WeightMatrix.Storage) -> (rows: Int, elementSize: Int) {
        switch storage {
        case .f32: return (1, 4)
        case .f16, .bf16: return (1, 2)
        case .int8: return (1, 1)
        case .int8Panels: return (PanelLayout.rows, 1)
        }
    }
}
