import ArgumentParser
import Foundation
import MBRuntime

struct NERCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ner",
        abstract: "Token classification grouped into entities with character spans (token-classification files).")

    @Argument(help: "Model file (converted from a ModernBertForTokenClassification checkpoint).")
    var file: String

    @Argument(help: "Texts.")
    var texts: [String] = []

    @Option(help: "JSON Lines input: a JSON string or {\"text\": ...} per line.")
    var input: String?

    @Option(help: "none, simple, first, average or max (as transformers' aggregation_strategy).")
    var aggregation: TokenClassifier.Aggregation = .simple

    @Flag(help: "Print JSON: per text, [{\"entity_group\", \"score\", \"word\", \"start\", \"end\"}].")
    var json = false

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let model = try runtime.loadModel(file)
        let texts = try TaskCommand.texts(self.texts, input: input)
        let ner = try TokenClassifier(model: model, aggregation: aggregation)
        let (bar, progress) = TaskCommand.progress("ner", items: texts.count)
        let results = try ner.recognize(texts, progress: progress)
        bar?.finish()
        TaskCommand.warnTruncated(results.map(\.truncated), max: model.config.maxPositions)
        if json {
            let key = aggregation == .none ? "entity" : "entity_group"
            let objects = results.map { r in r.entities.map { e -> [String: Any] in
                var o: [String: Any] = [key: e.label, "score": Double(e.score), "word": e.word, "start": e.start, "end": e.end]
                if let index = e.index { o["index"] = index }
                return o
            } }
            try TaskCommand.printJSON(objects.count == 1 ? objects[0] : objects)
            return
        }
        for (text, r) in zip(texts, results) {
            if texts.count > 1 { print(TaskCommand.quoted(text)) }
            if r.entities.isEmpty { print("  (no entities)") }
            for e in r.entities {
                print("  \(e.label.padding(toLength: 8, withPad: " ", startingAt: 0)) \(TaskCommand.format(e.score))  [\(e.start), \(e.end))  \(TaskCommand.quoted(e.word))")
            }
        }
    }
}

extension TokenClassifier.Aggregation: ExpressibleByArgument {}
