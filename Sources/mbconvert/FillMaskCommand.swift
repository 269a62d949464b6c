import ArgumentParser
import Foundation
import MBRuntime

struct FillMaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fill-mask",
        abstract: "Predict the words hidden behind [MASK] tokens (masked-language-model files).")

    @Argument(help: "Model file (converted from a ModernBertForMaskedLM checkpoint).")
    var file: String

    @Argument(help: "Texts containing one or more mask tokens, e.g. \"A list is a mutable [MASK].\"")
    var texts: [String] = []

    @Option(help: "JSON Lines input: a JSON string or {\"text\": ...} per line (instead of text arguments).")
    var input: String?

    @Option(help: "Predictions per mask.")
    var topK = 5

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(name: .customLong("no-truncate"), help: "Make a text longer than the model's max positions an error instead of truncating it.")
    var noTruncate = false

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let model = try runtime.loadModel(file)
        let texts = try TaskCommand.texts(self.texts, input: input)
        let fill = try FillMask(model: model, topK: topK)
        let (bar, progress) = TaskCommand.progress("fill-mask", items: texts.count)
        let results = try fill.predict(texts, progress: progress)
        bar?.finish()
        if noTruncate, let index = results.firstIndex(where: \.truncated) {
            throw ValidationError("text \(index + 1) is longer than the model's \(model.config.maxPositions) positions (--no-truncate)")
        }
        TaskCommand.warnTruncated(results.map(\.truncated), max: model.config.maxPositions)
        if json {
            let objects: [Any] = results.map { r in
                let masks = r.masks.map { $0.map { p in
                    ["score": Double(p.score), "token": Int(p.token), "token_str": p.tokenString, "sequence": p.sequence] as [String: Any]
                } }
                return masks.count == 1 ? masks[0] : masks   // pipeline("fill-mask") shape
            }
            try TaskCommand.printJSON(objects.count == 1 ? objects[0] : objects)
            return
        }
        for r in results {
            if results.count > 1 { print(r.text) }
            for (k, predictions) in r.masks.enumerated() {
                if r.masks.count > 1 { print("mask \(k + 1):") }
                for p in predictions {
                    print("  \(TaskCommand.format(p.score))  \(p.tokenString.padding(toLength: 16, withPad: " ", startingAt: 0))  \(p.sequence)")
                }
            }
        }
    }
}
