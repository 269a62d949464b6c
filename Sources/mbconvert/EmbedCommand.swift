import ArgumentParser
import Foundation
import MBFormat
import MBRuntime

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Sentence embeddings, as sentence-transformers' encode computes them.",
        discussion: """
        Defaults come from the model file: a converted sentence-transformers directory (2.x to 6.x) records \
        its pooling, Dense and Normalize modules, max_seq_length, prompts and default prompt; other models \
        default to mean pooling without normalisation. --prompt-name query prepends the model's query \
        prompt; --dimensions N keeps the first N values (Matryoshka) and renormalises normalised vectors.
        """)

    @Argument(help: "Model file (any ModernBERT architecture; the encoder output is pooled).")
    var file: String

    @Argument(help: "Texts to embed.")
    var texts: [String] = []

    @Option(help: "JSON Lines input: a JSON string or {\"text\": ...} per line.")
    var input: String?

    @Option(name: .shortAndLong, help: "Write a safetensors file with tensor \"embeddings\" [texts, hidden] (F32).")
    var output: String?

    @OptionGroup var embedding: EmbeddingOptions

    @Flag(help: "Print JSON: [{\"text\", \"embedding\"}].")
    var json = false

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let model = try runtime.loadModel(file)
        let texts = try TaskCommand.texts(self.texts, input: input)
        let embedder = try embedding.embedder(model)
        let (bar, progress) = TaskCommand.progress("embed", items: texts.count)
        let embeddings = try embedder.embed(texts, progress: progress)
        bar?.finish()
        TaskCommand.warnTruncated(embeddings.map(\.truncated), max: embedder.maxLength)
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
            let prompt = embedder.prompt.flatMap { $0.isEmpty ? nil : ", prompt \(TaskCommand.quoted($0))" } ?? ""
            print("\(texts.count) embeddings, \(embedder.dimension) dims, pooling \(embedder.pooling.rawValue)"
                + "\(embedder.appliesDense && model.config.sentenceEmbedding?.dense.isEmpty == false ? ", dense" : "")"
                + "\(embedder.normalize ? ", normalized" : "")\(prompt)")
            for (text, e) in zip(texts, embeddings).prefix(20) {
                let head = e.vector.prefix(4).map { String(format: "%+.4f", $0) }.joined(separator: " ")
                print("  [\(head) ...]  \(TaskCommand.quoted(String(text.prefix(60))))")
            }
        } else {
            print("\(texts.count) embeddings of \(embedder.dimension) dims -> \(output!)")
        }
    }
}

