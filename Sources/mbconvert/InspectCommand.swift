import ArgumentParser
import Foundation
import MBFormat
import MBRuntime

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a model file's config, tensors, sizes and checksum status.")

    @Argument(help: "Model file.")
    var file: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Flag(help: "Also hash every tensor (reads the whole file); exit 1 if any is corrupted.")
    var verify = false

    func run() throws {
        let model = try ModelFile(url: URL(fileURLWithPath: file))
        let corrupted = verify ? model.verify() : []
        let metadata = try model.section(.metadata).flatMap { try JSONSerialization.jsonObject(with: Data($0)) as? [String: String] } ?? [:]
        if json {
            try printJSON(model, metadata: metadata, corrupted: corrupted)
        } else {
            printText(model, metadata: metadata, corrupted: corrupted)
        }
        if !corrupted.isEmpty { throw ExitCode(1) }
    }

    private func printText(_ model: ModelFile, metadata: [String: String], corrupted: [String]) {
        let c = model.config
        print("\(file): mbconvert model file v\(ModelFileLayout.versionMajor).\(model.header.versionMinor), \(ByteCount.format(model.fileSize))")
        print("architecture  \(c.architecture.rawValue)")
        print("shape         \(c.numLayers) layers, hidden \(c.hiddenSize), \(c.numHeads) heads, intermediate \(c.intermediateSize), vocab \(c.vocabSize)")
        let globals = c.layerTypes.enumerated().filter { $0.element == .global }.map { String($0.offset) }
        print("attention     global on layers [\(globals.joined(separator: ","))], sliding window \(c.localAttention) elsewhere")
        print("rope theta    global \(c.globalRopeTheta), local \(c.localRopeTheta)")
        print("activation    \(c.hiddenActivation.rawValue); max positions \(c.maxPositions)")
        if c.hasHead { print("head          \(c.logitsWidth) outputs\(c.labels.map { ": " + $0.prefix(8).joined(separator: ", ") } ?? "")") }
        print("tokenizer     \(tokenizerStatus(model))")
        if let record = model.quantizationRecord { printRecord(record) }
        for (k, v) in metadata.sorted(by: { $0.key < $1.key }) { print("meta          \(k) = \(v)") }
        print("checksums     header and table ok" + (verify ? (corrupted.isEmpty ? "; all \(model.tensors.count) tensors ok" : "; CORRUPTED: \(corrupted.joined(separator: ", "))") : " (tensors not checked; use --verify)"))
        print("tensors (\(model.tensors.count)):")
        for t in model.tensors {
            let quant = t.quantization == .none ? "" : " \(t.quantization)"
            print("  \(t.name.padding(toLength: 34, withPad: " ", startingAt: 0)) \(t.dtype.safetensorsName.padding(toLength: 5, withPad: " ", startingAt: 0)) \(t.shape)\(quant)  \(ByteCount.format(Int(t.length + t.scaleLength)))")
        }
    }

    /// The default mode the file records, why, and what was measured.
    private func printRecord(_ r: QuantizationRecord) {
        let weightOnly = r.weightOnly.isEmpty ? "" : " (weight-only: \(r.weightOnly.joined(separator: ", ")))"
        print("default mode  \(r.defaultMode)\(weightOnly): \(r.reason)")
        print("calibration   \(r.calibration.sequences) sequences, \(r.calibration.tokens) tokens, \(r.calibration.maskedPositions) masked (\(r.calibration.source))")
        for c in r.candidates {
            let m = c.metrics
            func f(_ key: String, _ format: String) -> String { m[key].map { String(format: format, $0) } ?? "-" }
            print("  \(c.chosen ? "->" : "  ") \(c.name.padding(toLength: 40, withPad: " ", startingAt: 0)) \(c.passes ? "pass" : "FAIL")  top1 \(f("logits_top1_agreement", "%.4f"))  masked \(f("masked_top1_agreement", "%.4f"))  KL \(f("kl_divergence_mean", "%.2e"))  cos \(f("hidden_cosine_mean", "%.6f"))")
        }
        let smoothed = r.smoothing.filter { $0.alpha != nil }
        print("smoothing     \(smoothed.count) of \(r.smoothing.count) int8 matrices (\(r.smoothing.filter { $0.appliedIn == "activation quantizer" }.count) in the activation quantizer)")
    }

    /// Whether the tokenizer loads from its compiled section (fast) or must parse tokenizer.json.
    private func tokenizerStatus(_ model: ModelFile) -> String {
        guard model.header.section(.tokenizer) != nil else { return "none" }
        guard let compiled = model.header.section(.compiledTokenizer) else { return "included (tokenizer.json only)" }
        return "included, compiled (\(ByteCount.format(Int(compiled.storedLength)))\(compiled.encoding == .zstd ? " zstd, \(ByteCount.format(Int(compiled.decodedLength))) decoded" : ""))"
    }

    private func printJSON(_ model: ModelFile, metadata: [String: String], corrupted: [String]) throws {
        let configJSON = try JSONSerialization.jsonObject(with: JSONEncoder().encode(model.config))
        let tensors: [[String: Any]] = model.tensors.map {
            ["name": $0.name, "dtype": $0.dtype.safetensorsName, "shape": $0.shape,
             "quantization": "\($0.quantization)", "bytes": Int($0.length + $0.scaleLength),
             "checksum": String(format: "%016llx", $0.checksum)]
        }
        var object: [String: Any] = [
            "file": file, "format_version": "\(ModelFileLayout.versionMajor).\(model.header.versionMinor)",
            "file_bytes": model.fileSize, "config": configJSON, "metadata": metadata, "tensors": tensors,
            "has_tokenizer": model.header.section(.tokenizer) != nil,
            "has_compiled_tokenizer": model.header.section(.compiledTokenizer) != nil, "header_checksums_ok": true,
        ]
        if let record = try model.section(.quantizationRecord) { object["quantization_record"] = try JSONSerialization.jsonObject(with: Data(record)) }
        if verify { object["tensor_checksums_ok"] = corrupted.isEmpty; object["corrupted_tensors"] = corrupted }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
