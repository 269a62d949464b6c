import ArgumentParser
import Foundation
import MBRuntime
import MBValidator

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Compare a model file with an fp32 reference; exit 0 when every threshold holds, 1 when any fails.",
        discussion: """
        The reference runs in fp32. Metrics: top-1/top-5 agreement, KL divergence and max |diff| of the \
        logits (all positions and, for masked LM, at masked positions), per-token cosine of the last \
        hidden state, label agreement for classifiers, and every layer's cosine and relative error. \
        Exit 2 means validation could not run. Defaults and their measured basis: Docs/validation.md.
        """)

    @Argument(help: "Candidate model file (e.g. the output of mbconvert quantize).")
    var candidate: String

    @Option(help: "fp32 reference: Hugging Face directory or model file.")
    var reference: String

    @Option(help: "How int8 weights run: w8a32 (weight-only) or w8a8 (int8 activations); default: the candidate's recorded mode.")
    var mode: ExecutionMode?

    @Option(help: "Also write the report as JSON to this file.")
    var json: String?

    @OptionGroup var inputs: InputOptions
    @OptionGroup var limits: ThresholdOptions

    func run() throws {
        let report: ValidationReport
        do {
            report = try makeReport()
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        print(report.table)
        if let json { try report.jsonData().write(to: URL(fileURLWithPath: json), options: .atomic) }
        if !report.pass { throw ExitCode(1) }
    }

    func makeReport() throws -> ValidationReport {
        let ref = try ReferenceModel(reference)
        defer { ref.cleanUp() }
        let candidateModel = try ModernBert(contentsOf: URL(fileURLWithPath: candidate), mode: mode)
        let referenceModel = try ModernBert(file: ref.file, mode: .w8a32)
        let input = try inputs.load(config: ref.file.config, tokenizerFrom: [candidateModel.file, ref.file],
                                    fallbackTokenizer: ref.tokenizerJSON)
        let validator = try Validator(reference: referenceModel, input: input)
        let metrics = try validator.compare(candidateModel)
        return ValidationReport(candidate: candidate, reference: reference, mode: Self.describe(candidateModel), input: input,
                                metrics: metrics, thresholds: limits.thresholds)
    }

    /// The mode as run, with any matrices the file keeps weight-only in it.
    static func describe(_ model: ModernBert) -> String {
        model.weightOnly.isEmpty ? model.mode.rawValue : "\(model.mode.rawValue), weight-only \(model.weightOnly.sorted().joined(separator: ", "))"
    }
}
