import Foundation
import MBFormat

/// Turns a Hugging Face ModernBERT directory into one model file.
///
/// Reads `config.json` (either dialect), `model.safetensors` or a sharded checkpoint, and
/// `tokenizer.json` / `tokenizer_config.json` when present; writes every tensor the config implies
/// under its canonical name, in the requested storage dtype.
public struct Converter {
    /// Storage for matrices (linear and embedding weights); norms and biases always stay f32.
    public enum WeightDType: String, Sendable, CaseIterable {
        case f32, f16
    }

    public struct Report: Sendable {
        public var config: ModelConfig
        public var tensorCount: Int
        public var bytesWritten: Int
        public var sourceBytes: Int
        /// Checkpoint tensors the model does not use (for example a stored copy of a tied decoder).
        public var ignoredTensors: [String]
        public var hasTokenizer: Bool
    }

    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public func convert(to output: URL, dtype: WeightDType = .f32,
                        progress: ((Int, Int) -> Void)? = nil) throws -> Report {
        let plan = try ConversionPlan(directory: directory)
        let tensors = try plan.tensors { spec, _ in
            let storeAs: DType = (dtype == .f16 && spec.isMatrix) ? .f16 : .f32
            return PendingTensor(record: TensorRecord(name: spec.name, dtype: storeAs, shape: spec.shape)) {
                let floats = try plan.floats(spec)
                return storeAs == .f16 ? FloatEncoding.f16Bytes(floats) : FloatEncoding.f32Bytes(floats)
            }
        }
        var metadata = plan.metadata
        metadata["weights"] = dtype.rawValue
        let writer = ModelFileWriter(config: plan.config, metadata: metadata, tokenizerJSON: plan.tokenizerJSON,
                                     tokenizerConfigJSON: plan.tokenizerConfigJSON, tensors: tensors)
        let written = try writer.write(to: output, refusingInputs: plan.inputFiles, progress: progress)
        return Report(config: plan.config, tensorCount: tensors.count, bytesWritten: written,
                      sourceBytes: plan.sourceBytes, ignoredTensors: plan.ignored, hasTokenizer: plan.tokenizerJSON != nil)
    }
}

/// Raw little-endian bytes of float arrays in the storage dtypes.
public enum FloatEncoding {
    public static func f32Bytes(_ values: [Float]) -> [UInt8] {
        values.withUnsafeBytes { Array($0) }
    }

    public static func f16Bytes(_ values: [Float]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: values.count * 2)
        out.withUnsafeMutableBytes { raw in
            let dst = raw.bindMemory(to: UInt16.self)
            for i in 0..<values.count { dst[i] = Float16(values[i]).bitPattern.littleEndian }
        }
        return out
    }
}
