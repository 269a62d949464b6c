import ArgumentParser
import Foundation
import MBRuntime
import MBTokenizer

struct FillMaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fill-mask",
        abstract: "Predict the words hidden behind [MASK] tokens (masked-language-model files).")

    @Argument(help: "Model file (converted from a ModernBertForMaskedLM checkpoint).")
    var file: String

    @Argument(help: "Text containing one or more mask tokens, e.g. \"A list is a mutable [MASK].\"")
    var text: String

    @Option(help: "Predictions per mask.")
    var topK = 5

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(name: .customLong("no-truncate"), help: "Make a text longer than the model's max positions an error instead of truncating it.")
    var noTruncate = false

    func run() throws {
        let model = try ModernBert(contentsOf: URL(fileURLWithPath: file))
        guard let head = model.head, model.config.architecture == .maskedLM else {
            throw ValidationError("\(file) is a \(model.config.architecture.rawValue); fill-mask needs a ModernBertForMaskedLM file")
        }
        guard let tokenizer = try model.file.tokenizer() else {
            throw ValidationError("\(file) was converted without tokenizer.json; fill-mask needs it")
        }
        guard let maskId = tokenizer.specialTokens.mask else { throw ValidationError("\(file): the tokenizer has no mask token") }
        var encoding = tokenizer.encode(text)
        let limit = model.config.maxPositions
        if encoding.count > limit {
            if noTruncate {
                throw ValidationError("the text has \(encoding.count) tokens; the model takes at most \(limit) (--no-truncate)")
            }
            FileHandle.standardError.write(Data("warning: the text has \(encoding.count) tokens; truncated to the model's \(limit) positions (--no-truncate makes this an error)\n".utf8))
            encoding = tokenizer.encode(text, maxLength: limit)
        }
        let positions = encoding.ids.indices.filter { encoding.ids[$0] == maskId }
        guard !positions.isEmpty else {
            let cut = encoding.count == limit ? " within the first \(limit) tokens the model reads" : ""
            throw ValidationError("the text has no mask token\(cut); write [MASK] where a word is missing")
        }

        let output = try model.forward([encoding.ids])
        let logits = head.logits(output, sequence: 0, positions: positions)
        var results: [[[String: Any]]] = []
        for (k, position) in positions.enumerated() {
            let row = logits[(k * head.width)..<((k + 1) * head.width)]
            let probabilities = softmax(row)
            let best = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }.prefix(max(1, topK))
            results.append(best.map { id in
                var filled = encoding.ids
                filled[position] = Int32(id)
                // Keep any other masks visible, drop only the [CLS]/[SEP] frame.
                filled.removeAll { $0 == tokenizer.specialTokens.cls || $0 == tokenizer.specialTokens.sep }
                return ["score": Double(probabilities[id]), "token": id,
                        "token_str": tokenizer.decode([Int32(id)]).trimmingCharacters(in: .whitespaces),
                        "sequence": tokenizer.decode(filled, skipSpecialTokens: false)]
            })
        }
        if json {
            let object: Any = results.count == 1 ? results[0] : results
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        for (k, predictions) in results.enumerated() {
            if results.count > 1 { print("mask \(k + 1):") }
            for p in predictions {
                print(String(format: "  %.4f  %@", p["score"] as! Double, (p["token_str"] as! String).padding(toLength: 16, withPad: " ", startingAt: 0)) + "  " + (p["sequence"] as! String))
            }
        }
    }

    private func softmax(_ row: ArraySlice<Float>) -> [Float] {
        let peak = row.max() ?? 0
        var exps = row.map { expf($0 - peak) }
        let sum = exps.reduce(0, +)
        for i in exps.indices { exps[i] /= sum }
        return exps
    }
}
