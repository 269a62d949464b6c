import ArgumentParser
import Foundation
import MBConverter
import MBFormat
import MBRuntime
import MBTokenizer
import MBValidator

/// Threshold flags shared by `validate` and `quantize --auto` (defaults: `Thresholds()`, see Docs/validation.md).
struct ThresholdOptions: ParsableArguments {
    @Option(help: "Minimum top-1 agreement of logits over all positions (default 0.99).")
    var minTop1: Double?
    @Option(help: "Minimum rate at which the reference top-1 is in the candidate's top 5 (default 0.999).")
    var minTop5: Double?
    @Option(help: "Maximum mean KL(reference || candidate) of the logits, nats (default 0.01).")
    var maxKl: Double?
    @Option(help: "Maximum absolute logit difference (default: not checked).")
    var maxLogitDiff: Double?
    @Option(help: "Minimum top-1 agreement at masked positions (default 0.97).")
    var minMaskedTop1: Double?
    @Option(help: "Minimum per-token cosine of the last hidden state (default 0.99).")
    var minCosine: Double?
    @Option(help: "Minimum mean per-token cosine of the last hidden state (default 0.999).")
    var minCosineMean: Double?
    @Option(help: "Minimum label agreement for classification heads (default 0.99).")
    var minLabelAgreement: Double?
    @Option(help: "Do not check this metric (repeatable), e.g. --ignore max_abs_logit_diff.")
    var ignore: [String] = []

    var thresholds: Thresholds {
        var t = Thresholds()
        if let minTop1 { t.minTop1 = minTop1 }
        if let minTop5 { t.minTop5 = minTop5 }
        if let maxKl { t.maxKL = maxKl }
        if let maxLogitDiff { t.maxAbsLogitDiff = maxLogitDiff }
        if let minMaskedTop1 { t.minMaskedTop1 = minMaskedTop1 }
        if let minCosine { t.minCosine = minCosine }
        if let minCosineMean { t.minCosineMean = minCosineMean }
        if let minLabelAgreement { t.minLabelAgreement = minLabelAgreement }
        for metric in ignore { if let field = Self.checkable[metric] { t[keyPath: field] = nil } }
        return t
    }

    /// The metrics `--ignore` accepts (the report's keys) and the threshold each one controls.
    static let checkable: [String: WritableKeyPath<Thresholds, Double?>] = [
        "logits_top1_agreement": \.minTop1, "logits_top5_contains_reference_top1": \.minTop5,
        "kl_divergence_mean": \.maxKL, "max_abs_logit_diff": \.maxAbsLogitDiff,
        "masked_top1_agreement": \.minMaskedTop1, "hidden_cosine_min": \.minCosine,
        "hidden_cosine_mean": \.minCosineMean, "label_agreement": \.minLabelAgreement,
    ]

    func validate() throws {
        for metric in ignore where Self.checkable[metric] == nil {
            throw ValidationError("--ignore \(metric): unknown metric; one of \(Self.checkable.keys.sorted().joined(separator: ", "))")
        }
    }
}

/// Input flags shared by `validate` and `quantize --auto`.
struct InputOptions: ParsableArguments {
    @Option(help: "JSONL texts (a JSON string or {\"text\": ...} per line); default: the built-in text set.")
    var texts: String?
    @Option(help: "JSONL token ids (one JSON array per line) instead of texts.")
    var input: String?
    @Option(help: "tokenizer.json to use when the model file has none.")
    var tokenizer: String?
    @Option(help: "Fraction of ordinary tokens replaced by [MASK] (deterministic); 0 turns masking off.")
    var maskRate: Double = 0.15
    @Option(help: "Truncate texts to this many tokens.")
    var maxLength: Int = 512
    @Option(help: "Write the token ids actually run (after masking) as JSONL, e.g. for Scripts/ort_int8_compare.py.")
    var writeIds: String?

    func validate() throws {
        if texts != nil && input != nil { throw ValidationError("give --texts or --input, not both") }
        guard (0..<1).contains(maskRate) else { throw ValidationError("--mask-rate must be in [0, 1)") }
    }

    /// Builds the validation input; the tokenizer comes from --tokenizer or the first model file that has one.
    func load(config: ModelConfig, tokenizerFrom files: [ModelFile], fallbackTokenizer: URL?) throws -> ValidationInput {
        let tokenizer = try loadTokenizer(files, fallback: fallbackTokenizer)
        var result: ValidationInput
        if let input {
            result = ValidationInput(sequences: try TokenIdsFile.read(input).0, source: input)
        } else {
            guard let tokenizer else {
                throw ValidationError("no tokenizer: the model file has none; pass --tokenizer tokenizer.json or --input ids.jsonl")
            }
            let texts = try texts.map { try ValidationInput.readTexts(URL(fileURLWithPath: $0)) } ?? DefaultTexts.all
            result = ValidationInput.texts(texts, tokenizer: tokenizer, maxLength: min(maxLength, config.maxPositions),
                                           source: self.texts ?? "built-in text set (\(texts.count) texts)")
        }
        if config.architecture == .maskedLM, let mask = tokenizer?.specialTokens.mask {
            var exclude = Set([config.clsTokenId, config.sepTokenId, config.padTokenId].compactMap { $0.map(Int32.init) })
            for s in result.sequences { for id in s where tokenizer?.isSpecial(id) == true { exclude.insert(id) } }
            result = result.masking(rate: maskRate, maskId: mask, exclude: exclude)
        }
        if let writeIds { try result.writeIds(to: URL(fileURLWithPath: writeIds)) }
        return result
    }

    private func loadTokenizer(_ files: [ModelFile], fallback: URL?) throws -> Tokenizer? {
        if let tokenizer { return try Tokenizer(contentsOf: URL(fileURLWithPath: tokenizer)) }
        for file in files {
            if let json = try file.section(.tokenizer) { return try Tokenizer(jsonData: Data(json), source: file.url.path) }
        }
        if let fallback, FileManager.default.fileExists(atPath: fallback.path) { return try Tokenizer(contentsOf: fallback) }
        return nil
    }
}

/// The fp32 reference: a model file as is, or a Hugging Face directory converted to a temporary fp32 file.
struct ReferenceModel {
    let file: ModelFile
    /// tokenizer.json of a Hugging Face reference directory.
    let tokenizerJSON: URL?
    private let temporary: URL?

    init(_ path: String, progressLabel: String = "converting reference") throws {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ValidationError("\(path): no such file or directory")
        }
        if isDirectory.boolValue {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mbconvert-ref-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let out = dir.appendingPathComponent("reference.mbc")
            let bar = ProgressBar(label: progressLabel)
            _ = try Converter(directory: url).convert(to: out, dtype: .f32) { bar.update($0, of: $1) }
            bar.finish()
            file = try ModelFile(url: out)
            temporary = dir
            tokenizerJSON = url.appendingPathComponent("tokenizer.json")
        } else {
            file = try ModelFile(url: url)
            temporary = nil
            tokenizerJSON = nil
            if let q = file.tensors.first(where: { $0.quantization != .none }) {
                throw ValidationError("\(path): the reference must be a float model, but \(q.name) is quantized")
            }
        }
    }

    /// Removes the temporary conversion (the mapping stays valid until the file object goes away on Linux).
    func cleanUp() {
        if let temporary { try? FileManager.default.removeItem(at: temporary) }
    }
}

extension ExecutionMode: ExpressibleByArgument {}
