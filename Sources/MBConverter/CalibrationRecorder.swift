import MBRuntime

/// Records what int8 calibration needs from one fp32 forward pass over the calibration texts: per
/// linear layer, the largest |x| of each input channel (over every token) and a sample of input rows
/// (every token up to `maxRows`, else an even stride), keyed by the layer's weight name.
public final class CalibrationRecorder: LinearInputObserver {
    public struct Layer {
        /// max |x[:, c]| per input channel c.
        public var channelMax: [Float]
        /// Sampled rows, packed [rowCount, cols].
        public var rows: [Float]
        public var cols: Int
        public var rowCount: Int { cols > 0 ? rows.count / cols : 0 }
    }

    public private(set) var layers: [String: Layer] = [:]
    /// Rows kept per layer for measuring candidate quantizations (bounds memory on large models).
    public let maxRows: Int

    public init(maxRows: Int = 1024) { self.maxRows = maxRows }

    public func observe(_ name: String, _ x: UnsafePointer<Float>, rows: Int, cols: Int) {
        var layer = layers[name] ?? Layer(channelMax: [Float](repeating: 0, count: cols), rows: [], cols: cols)
        guard layer.cols == cols else { return }
        for r in 0..<rows {
            let row = x + r * cols
            for c in 0..<cols { layer.channelMax[c] = max(layer.channelMax[c], abs(row[c])) }
        }
        let room = maxRows - layer.rowCount
        if room > 0 {
            let stride = max(1, (rows + room - 1) / room)
            for r in Swift.stride(from: 0, to: rows, by: stride) where layer.rowCount < maxRows {
                layer.rows.append(contentsOf: UnsafeBufferPointer(start: x + r * cols, count: cols))
            }
        }
        layers[name] = layer
    }
}
