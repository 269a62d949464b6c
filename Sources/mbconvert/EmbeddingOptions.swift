import ArgumentParser
import Foundation
import MBFormat
import MBRuntime

/// How `embed` and `similarity` make sentence vectors; defaults are the model file's
/// (a converted sentence-transformers directory records its pooling, Dense, Normalize and prompts).
struct EmbeddingOptions: ParsableArguments {
    @Option(help: "Pooling: cls, mean, max, mean_sqrt_len_tokens, weightedmean or lasttoken (default: the model file's, else mean).")
    var pooling: SentencePooling?

    @Flag(inversion: .prefixedNo, help: "L2-normalise the vectors (default: the model file's, else no).")
    var normalize: Bool?

    @Option(help: "Prepend the model's prompt of this name (config_sentence_transformers.json prompts, e.g. query, document).")
    var promptName: String?

    @Option(help: "Prepend this literal prompt instead (\"\" turns off the model's default prompt).")
    var prompt: String?

    @Option(help: "Matryoshka truncation: keep the first N dimensions (renormalised when normalising).")
    var dimensions: Int?

    func validate() throws {
        if promptName != nil && prompt != nil { throw ValidationError("give --prompt-name or --prompt, not both") }
        if let dimensions, dimensions < 1 { throw ValidationError("--dimensions must be at least 1") }
    }

    func embedder(_ model: ModernBert, promptName override: String? = nil) throws -> Embedder {
        try Embedder(model: model, pooling: pooling, normalize: normalize, promptName: override ?? promptName,
                     prompt: override == nil ? prompt : nil, dimensions: dimensions)
    }
}

extension SentencePooling: ExpressibleByArgument {}
