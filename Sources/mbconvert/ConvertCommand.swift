import ArgumentParser
import Foundation
import MBConverter
import MBFormat

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a Hugging Face ModernBERT directory into one memory-mappable model file.")

    @Argument(help: "Hugging Face model directory (config.json, model.safetensors or shards, tokenizer.json).")
    var source: String

    @Option(name: .shortAndLong, help: "Output model file.")
    var output: String

    @Option(help: "Storage for weight matrices: f32 or f16 (norms and biases stay f32).")
    var dtype: Converter.WeightDType = .f32

    func run() throws {
        let start = Date()
        let progress = ProgressBar(label: "writing")
        let report = try Converter(directory: URL(fileURLWithPath: source))
            .convert(to: URL(fileURLWithPath: output), dtype: dtype) { done, total in progress.update(done, of: total) }
        progress.finish()
        let c = report.config
        print("converted \(c.architecture.rawValue): \(c.numLayers) layers, hidden \(c.hiddenSize), \(c.numHeads) heads, vocab \(c.vocabSize)")
        print("  \(report.tensorCount) tensors, weights \(dtype.rawValue), tokenizer \(report.hasTokenizer ? "included" : "not found (text commands unavailable)")")
        print("  \(ByteCount.format(report.sourceBytes)) -> \(ByteCount.format(report.bytesWritten)) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s: \(output)")
        if !report.ignoredTensors.isEmpty {
            print("  ignored \(report.ignoredTensors.count) checkpoint tensors the model does not use: \(report.ignoredTensors.prefix(5).joined(separator: ", "))")
        }
    }
}

extension Converter.WeightDType: ExpressibleByArgument {}

/// Human-readable byte counts.
enum ByteCount {
    static func format(_ bytes: Int) -> String {
        let mb = Double(bytes) / 1_048_576
        return mb >= 1 ? String(format: "%.1f MiB", mb) : String(format: "%.1f KiB", Double(bytes) / 1024)
    }
}
