import Foundation
import MBFormat

/// Writes a model file whose matrices are stored as a `QuantizationPlan` says: int8 per row
/// (format quantization code 1, f32 scales per output row), fp16, or fp32.
public struct Quantizer {
    public struct Report: Sendable {
        public var config: ModelConfig
        /// What an fp32 model file's tensors would take (the 100% the targets refer to).
        public var fp32Bytes: Int
        /// Bytes of the source's tensors as stored.
        public var sourceBytes: Int
        /// Size of the written file, headers and padding included.
        public var bytesWritten: Int
        /// Tensor count and stored bytes (values plus scales) per precision.
        public var byPrecision: [Precision: (count: Int, bytes: Int)]
    }

    public let source: TensorSource
    public let plan: QuantizationPlan
    /// Written as the file's `QREC` section.
    public var record: QuantizationRecord?

    public init(source: TensorSource, plan: QuantizationPlan, record: QuantizationRecord? = nil) {
        self.source = source
        self.plan = plan
        self.record = record
    }

    public func write(to output: URL, progress: ((Int, Int) -> Void)? = nil) throws -> Report {
        let specs = QuantizationPlan.specs(for: source.config, options: plan.options)
        // The writer asks for each tensor's bytes then its scales, twice (checksum pass, write pass);
        // remembering the last tensor halves the quantization work and keeps one tensor in memory.
        let memo = LastTensorMemo()
        var byPrecision: [Precision: (count: Int, bytes: Int)] = [:]
        var fp32Bytes = 0
        let tensors: [PendingTensor] = specs.map { spec in
            let precision = plan.precision[spec.name] ?? .f32
            let elements = spec.shape.reduce(1, *)
            fp32Bytes += elements * 4
            let factors = precision == .int8 ? source.columnFactors(spec.name) : nil
            let quantization: Quantization = factors == nil ? .int8PerRow : .int8PerRowSmoothed
            let stored = precision == .int8 ? elements + quantization.scaleCount(shape: spec.shape) * 4 : elements * (precision == .f16 ? 2 : 4)
            byPrecision[precision, default: (0, 0)].count += 1
            byPrecision[precision, default: (0, 0)].bytes += stored
            let produce = { () throws -> (bytes: [UInt8], scales: [Float]?) in
                try memo.value(for: spec.name) { try Self.encode(spec, precision, from: source) }
            }
            switch precision {
            case .int8:
                // Matrices that fit the VNNI panel order are stored in it, so the kernels use them from the mapping.
                let layout: TensorLayout = Self.packs(spec) ? .panels16x4 : .rowMajor
                return PendingTensor(record: TensorRecord(name: spec.name, dtype: .i8, shape: spec.shape, layout: layout,
                                                          quantization: quantization),
                                     bytes: { try produce().bytes }, scales: { try produce().scales ?? [] })
            case .f16, .f32:
                return PendingTensor(record: TensorRecord(name: spec.name, dtype: precision == .f16 ? .f16 : .f32, shape: spec.shape),
                                     bytes: { try produce().bytes })
            }
        }
        var metadata = source.metadata
        metadata["weights"] = Self.describe(plan)
        let writer = ModelFileWriter(config: source.config, metadata: metadata, tokenizerJSON: source.tokenizerJSON,
                                     tokenizerConfigJSON: source.tokenizerConfigJSON, tensors: tensors, quantizationRecord: record)
        let written = try writer.write(to: output, refusingInputs: source.inputFiles, progress: progress)
        return Report(config: source.config, fp32Bytes: fp32Bytes, sourceBytes: source.sourceBytes,
                      bytesWritten: written, byPrecision: byPrecision)
    }

    static func encode(_ spec: ModelTensors.Spec, _ precision: Precision, from source: TensorSource) throws -> (bytes: [UInt8], scales: [Float]?) {
        var floats = try source.values(spec)
        let factors = source.columnFactors(spec.name)
        if let factors, precision != .int8 {  // stored as floats: the matrix itself, factors multiplied back
            let cols = spec.shape[1]
            for i in floats.indices { floats[i] *= factors[i % cols] }
        }
        switch precision {
        case .f32: return (FloatEncoding.f32Bytes(floats), nil)
        case .f16: return (FloatEncoding.f16Bytes(floats), nil)
        case .int8:
            let rows = spec.shape[0], cols = floats.count / max(rows, 1)
            let (q, scales) = RowQuantization.quantize(floats, rows: rows, cols: cols)
            let stored = packs(spec) ? PanelLayout.pack(q, rows: rows, cols: cols) : q
            return (stored.withUnsafeBytes { Array($0) }, scales + (factors ?? []))
        }
    }

    static func packs(_ spec: ModelTensors.Spec) -> Bool {
        spec.shape.count == 2 && PanelLayout.fits(rows: spec.shape[0], cols: spec.shape[1])
    }

    /// The `weights` metadata string: target plus exceptions, e.g. "int8 (embeddings int8; 2 kept f16)".
    static func describe(_ plan: QuantizationPlan) -> String {
        let kept = plan.order.filter { plan.precision[$0] == plan.options.keepPrecision && $0.hasSuffix(".weight")
            && !QuantizationPlan.embeddingNames.contains($0) && plan.options.target == .int8 }
        var text = "\(plan.options.target.rawValue) (embeddings \(plan.options.embeddings.rawValue)"
        if !kept.isEmpty { text += "; \(kept.count) kept \(plan.options.keepPrecision.rawValue)" }
        return text + ")"
    }
}

/// Caches the encoding of the most recently requested tensor.
final class LastTensorMemo {
    private var name: String?
    private var value: (bytes: [UInt8], scales: [Float]?)?

    func value(for key: String, _ make: () throws -> (bytes: [UInt8], scales: [Float]?)) throws -> (bytes: [UInt8], scales: [Float]?) {
        if key == name, let value { return value }
        let made = try make()
        name = key; value = made
        return made
    }
}
