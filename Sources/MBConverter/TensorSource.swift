import Foundation
import MBFormat
import MBRuntime

/// Where the quantizer reads fp32 tensors from: a Hugging Face directory or an existing model file.
///
/// Both expose the same canonical names (`ModelTensors`), so quantization does not care which.
public protocol TensorSource {
    var config: ModelConfig { get }
    var metadata: [String: String] { get }
    var tokenizerJSON: [UInt8]? { get }
    var tokenizerConfigJSON: [UInt8]? { get }
    /// Files read; the output must not replace any of them.
    var inputFiles: [URL] { get }
    /// Bytes of the source's tensors as stored.
    var sourceBytes: Int { get }
    /// One expected tensor's values as fp32.
    func floats(_ spec: ModelTensors.Spec) throws -> [Float]
}

/// Opens either kind of source from a path: a directory is a Hugging Face checkpoint, a file a model file.
public enum TensorSources {
    public static func open(_ url: URL) throws -> TensorSource {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ConversionError.missingFile(path: url.path, hint: "Expected a Hugging Face model directory or an mbconvert model file.")
        }
        return isDirectory.boolValue ? try HFTensorSource(directory: url) : try ModelFileTensorSource(url: url)
    }
}

/// A Hugging Face directory, through the same `ConversionPlan` that `convert` uses.
public struct HFTensorSource: TensorSource {
    public let plan: ConversionPlan

    public init(directory: URL) throws { plan = try ConversionPlan(directory: directory) }

    public var config: ModelConfig { plan.config }
    public var metadata: [String: String] { plan.metadata }
    public var tokenizerJSON: [UInt8]? { plan.tokenizerJSON }
    public var tokenizerConfigJSON: [UInt8]? { plan.tokenizerConfigJSON }
    public var inputFiles: [URL] { plan.inputFiles }
    public var sourceBytes: Int { plan.sourceBytes }

    public func floats(_ spec: ModelTensors.Spec) throws -> [Float] {
        try plan.floats(spec)
    }
}

/// An mbconvert model file with float weights (fp32, fp16 or bf16).
///
/// Re-quantizing an int8 file is refused: the rounding already done cannot be undone, and
/// quantizing twice compounds the error silently.
public struct ModelFileTensorSource: TensorSource {
    public let file: ModelFile

    public init(url: URL) throws { file = try ModelFile(url: url) }
    public init(file: ModelFile) { self.file = file }

    public var config: ModelConfig { file.config }
    public var metadata: [String: String] {
        let decoded = (try? file.section(.metadata)).flatMap { $0 }.flatMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: String] }
        return decoded ?? ["converter": "mbconvert", "source": file.url.lastPathComponent]
    }
    public var tokenizerJSON: [UInt8]? { (try? file.section(.tokenizer)) ?? nil }
    public var tokenizerConfigJSON: [UInt8]? { (try? file.section(.tokenizerConfig)) ?? nil }
    public var inputFiles: [URL] { [file.url] }
    public var sourceBytes: Int { file.tensors.reduce(0) { $0 + Int($1.length + $1.scaleLength) } }

    public func floats(_ spec: ModelTensors.Spec) throws -> [Float] {
        let path = file.url.path
        guard let r = file.record(spec.name) else { throw ConversionError.missingTensor(path: path, tensor: spec.name) }
        guard r.shape == spec.shape else {
            throw ConversionError.shapeMismatch(path: path, tensor: spec.name, expected: spec.shape, actual: r.shape)
        }
        guard r.quantization == .none, let values = FloatDecoding.floats(from: file.bytes(of: r), dtype: r.dtype) else {
            throw ConversionError.unsupportedDType(path: path, tensor: spec.name,
                                                   dtype: "\(r.dtype.safetensorsName), already quantized (quantize from the fp32 model or checkpoint instead)")
        }
        return values
    }
}
