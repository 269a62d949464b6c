import ArgumentParser
import Foundation
import MBFormat
import MBRuntime

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Sentence embeddings (CLS or mean pooling, optional L2 normalisation).",
        discussion: """
        Defaults come from the model file: a sentence-transformers directory records its pooling and \
        Normalize module when converted; other models default to mean pooling without normalisation.
        """)

    @Argument(help: "Model file (any ModernBERT architecture; the encoder output is pooled).")
    var file: String

    @Argument(help: "Texts to embed.")
    var texts: [String] = []

    @Option(help: "JSON Lines input: a JSON string or {\"text\": ...} per line.")
    var input: String?

    @Option(name: .shortAndLong, help: "Write a safetensors file with tensor \"embeddings\" [texts, hidden] (F32).")
    var output: String?

    @Option(help: "Pooling: cls or mean (default: the model file's, else mean).")
    var pooling: ModelConfig.Pooling?

    @Flag(inversion: .prefixedNo, help: "L2-normalise the vectors (default: the model file's, else no).")
    var normalize: Bool?

    @Flag(help: "Print JSON: [{\"text\", \"embedding\"}].")
    var json = false

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let model = try runtime.loadModel(file)
        let texts = try TaskCommand.texts(self.texts, input: input)
        let embedder = try Embedder(model: model, pooling: pooling, normalize: normalize)
        let (bar, progress) = TaskCommand.progress("embed", items: texts.count)
        let embeddings = try embedder.embed(texts, progress: progress)
        bar?.finish()
        TaskCommand.warnTruncated(embeddings.map(\.truncated), max: model.config.maxPositions)
        if let output {
            var writer = SafeTensorsWriter(metadata: ["producer": "mbconvert embed", "model": file,
                                                      "pooling": embedder.pooling.rawValue,
                                                      "normalize": String(embedder.normalize)])
            try writer.add(name: "embeddings", dtype: .f32, shape: [texts.count, embedder.dimension],
                           floats: embeddings.flatMap(\.vector))
            try writer.write(to: URL(fileURLWithPath: output), refusingInputs: [URL(fileURLWithPath: file)] + (input.map { [URL(fileURLWithPath: $0)] } ?? []))
        }
        if json {
            try TaskCommand.printJSON(zip(texts, embeddings).map { ["text": $0, "embedding": $1.vector.map(Double.init)] })
        } else if output == nil || texts.count <= 5 {
            print("\(texts.count) embeddings, \(embedder.dimension) dims, pooling \(embedder.pooling.rawValue)\(embedder.normalize ? ", normalized" : "")")
            for (text, e) in zip(texts, embeddings).prefix(20) {
                let head = e.vector.prefix(4).map { String(format: "%+.4f", $0) }.joined(separator: " ")
                print("  [\(head) ...]  \(TaskCommand.quoted(String(text.prefix(60))))")
            }
        } else {
            print("\(texts.count) embeddings of \(embedder.dimension) dims -> \(output!)")
        }
    }
}

extension ModelConfig.Pooling: ExpressibleByArgument {}
