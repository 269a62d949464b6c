import ArgumentParser
import Foundation
import MBFormat
import MBRuntime

struct SimilarityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similarity",
        abstract: "Cosine similarity of sentence embeddings (like sentence-transformers' model.similarity).",
        discussion: """
        With text arguments the first is the query and the rest are ranked against it. With --input, \
        every text is compared with every other (a square matrix).
        """)

    @Argument(help: "Model file.")
    var file: String

    @Argument(help: "A query, then the texts to compare it with.")
    var texts: [String] = []

    @Option(help: "JSON Lines input: all texts, compared pairwise.")
    var input: String?

    @OptionGroup var embedding: EmbeddingOptions

    @Option(help: "With a query: prepend the model's prompt of this name to the texts compared with it instead (e.g. document); --prompt-name then applies to the query only.")
    var documentPromptName: String?

    @Flag(help: "Print JSON: {\"queries\", \"documents\", \"scores\": [[...]]}.")
    var json = false

    func validate() throws {
        if input == nil && texts.count < 2 { throw ValidationError("give a query and at least one text to compare it with") }
        if documentPromptName != nil && input != nil { throw ValidationError("--document-prompt-name needs a query argument (not --input)") }
    }

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let model = try runtime.loadModel(file)
        let texts = try TaskCommand.texts(self.texts, input: input)
        let embedder = try embedding.embedder(model)
        let (bar, progress) = TaskCommand.progress("embed", items: texts.count)
        var embeddings: [Embedder.Embedding]
        if let documentPromptName, input == nil {
            embeddings = try embedder.embed([texts[0]])
            embeddings += try embedding.embedder(model, promptName: documentPromptName).embed(Array(texts.dropFirst()), progress: progress)
        } else {
            embeddings = try embedder.embed(texts, progress: progress)
        }
        bar?.finish()
        TaskCommand.warnTruncated(embeddings.map(\.truncated), max: embedder.maxLength)
        let vectors = embeddings.map(\.vector)
        let queries = input == nil ? [texts[0]] : texts
        let documents = input == nil ? Array(texts.dropFirst()) : texts
        let matrix = SimilarityMatrix(input == nil ? [vectors[0]] : vectors, input == nil ? Array(vectors.dropFirst()) : vectors)
        if json {
            try TaskCommand.printJSON(["queries": queries, "documents": documents,
                                       "scores": matrix.scores.map { $0.map(Double.init) }])
            return
        }
        if input == nil {
            print("query: \(TaskCommand.quoted(queries[0]))")
            for j in matrix.ranking(row: 0) {
                print("  \(TaskCommand.format(matrix[0, j]))  \(TaskCommand.quoted(documents[j]))")
            }
            return
        }
        for (i, row) in matrix.scores.enumerated() {
            print(row.map { String(format: "%7.4f", $0) }.joined(separator: " ") + "  \(i + 1)")
        }
    }
}
