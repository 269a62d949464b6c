import ArgumentParser
import Foundation
import MBRuntime
import MBTokenizer

struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Text classification: a sequence-classification file, or zero-shot with --labels on a masked-LM file.",
        discussion: """
        Zero-shot puts each text into --template (which needs {text} and one [MASK]) and scores every \
        label word as the filler of the mask (mean log-probability of its tokens), softmaxed over the labels. \
        Text pairs (--pair, or "text_pair" in --input) go through the tokenizer's pair template \
        ([CLS] text [SEP] pair [SEP]), truncated as transformers' tokenizer(text, text_pair, truncation=...).
        """)

    @Argument(help: "Model file.")
    var file: String

    @Argument(help: "Texts to classify.")
    var texts: [String] = []

    @Option(help: "JSON Lines input: a JSON string, {\"text\": ...} or {\"text\": ..., \"text_pair\": ...} per line.")
    var input: String?

    @Option(name: .customLong("pair"), help: ArgumentHelp(
        "A second text for each text argument, in order (repeat once per text): classifies (text, pair) through the tokenizer's pair template.",
        valueName: "text"))
    var pairs: [String] = []

    @Option(help: "How an input longer than the model's maximum length is cut: longest_first (transformers' truncation=True), only_first or only_second.")
    var truncation: TruncationStrategy = .longestFirst

    @Option(help: "Zero-shot label words, comma-separated (needs a ModernBertForMaskedLM file).")
    var labels: String?

    @Option(help: "Zero-shot template with {text} and one [MASK].")
    var template = ZeroShotClassifier.defaultTemplate

    @Option(help: "Show this many labels per text (default all).")
    var topK: Int?

    @Flag(help: "Print JSON: per text, [{\"label\", \"score\"}] best first.")
    var json = false

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let model = try runtime.loadModel(file)
        let inputs = try TaskCommand.inputs(self.texts, pairs: pairs, input: input)
        let texts = inputs.map(\.text)
        let (bar, progress) = TaskCommand.progress("classify", items: texts.count)
        var rows: [[(label: String, score: Float)]] = []
        var truncated: [Bool] = []
        if let labels {
            if inputs.contains(where: { $0.pair != nil }) {
                throw ValidationError("zero-shot (--labels) takes single texts, not pairs")
            }
            let names = labels.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let zero = try ZeroShotClassifier(model: model, template: template)
            let results = try zero.classify(texts, labels: names, progress: progress)
            rows = results.map { $0.scores.map { ($0.label, $0.score) } }
            truncated = results.map(\.truncated)
        } else {
            guard model.config.architecture == .sequenceClassification else {
                throw ValidationError("\(file) is a \(model.config.architecture.rawValue): classify needs a ModernBertForSequenceClassification file, or --labels for zero-shot with a masked-LM file")
            }
            let results = try TextClassifier(model: model).classify(inputs, truncation: truncation, progress: progress)
            rows = results.map { $0.scores.map { ($0.label, $0.score) } }
            truncated = results.map(\.truncated)
        }
        bar?.finish()
        TaskCommand.warnTruncated(truncated, max: model.config.maxPositions)
        rows = rows.map { Array($0.prefix(topK ?? $0.count)) }
        if json {
            let objects = rows.map { $0.map { ["label": $0.label, "score": Double($0.score)] as [String: Any] } }
            try TaskCommand.printJSON(objects.count == 1 ? objects[0] : objects)
            return
        }
        for (input, row) in zip(inputs, rows) {
            if inputs.count > 1 || input.pair != nil {
                print(TaskCommand.quoted(input.text) + (input.pair.map { " + " + TaskCommand.quoted($0) } ?? ""))
            }
            for entry in row { print("  \(TaskCommand.format(entry.score))  \(entry.label)") }
        }
    }
}
