import ArgumentParser
import Foundation
import MBRuntime
import MBTokenizer

struct RerankCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerank",
        abstract: "Rank documents against a query with a cross-encoder (a one- or two-label sequence-classification file).",
        discussion: """
        Each document is paired with the query ([CLS] query [SEP] document [SEP]) and scored: the sigmoid of \
        the logit for a one-label model, the softmax probability of label 1 for a two-label model, or the raw \
        logit (log-odds) with --raw-scores. Documents are printed best first; --json prints \
        text-embeddings-inference's /rerank shape, [{"index": i, "score": s}]. A pair longer than the model \
        takes loses tokens from the end of the document (only_second), with a warning.
        """)

    @Argument(help: "Model file (ModernBertForSequenceClassification, num_labels 1 or 2).")
    var file: String

    @Option(help: "The query every document is scored against.")
    var query: String

    @Argument(help: "Documents to rank.")
    var documents: [String] = []

    @Option(help: "JSON Lines input: one document per line, a JSON string or {\"text\": ...}.")
    var input: String?

    @Option(help: "Show only the best N documents.")
    var topK: Int?

    @Flag(help: "Scores without the sigmoid/softmax: the logit, or logit[1] - logit[0] for two labels.")
    var rawScores = false

    @Flag(help: "Include each document's text in the output.")
    var returnText = false

    @Option(help: "How a pair longer than the model's maximum length is cut: only_second (the document; default), longest_first (sentence-transformers' CrossEncoder) or only_first.")
    var truncation: TruncationStrategy = .onlySecond

    @Flag(help: "Print JSON: [{\"index\", \"score\"}] best first (plus \"text\" with --return-text).")
    var json = false

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if let topK, topK < 1 { throw ValidationError("--top-k must be at least 1") }
    }

    func run() throws {
        let model = try runtime.loadModel(file)
        let documents = try TaskCommand.texts(self.documents, input: input)
        var reranker = try Reranker(model: model, rawScores: rawScores)
        reranker.truncation = truncation
        let (bar, progress) = TaskCommand.progress("rerank", items: documents.count)
        let result = try reranker.rerank(query: query, documents: documents, topK: topK, returnText: returnText,
                                         progress: progress)
        bar?.finish()
        if !result.truncated.isEmpty {
            let which = result.truncated.prefix(5).map { String($0 + 1) }.joined(separator: ", ")
                + (result.truncated.count > 5 ? ", ..." : "")
            let cut = truncation == .onlySecond ? "document(s) were cut" : "pair(s) were cut (\(truncation.rawValue))"
            FileHandle.standardError.write(Data(
                "warning: \(result.truncated.count) \(cut) to fit \(reranker.maxLength) tokens with the query (\(which))\n".utf8))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(result.ranked), as: UTF8.self))
            return
        }
        print("query: \(TaskCommand.quoted(query))")
        for r in result.ranked {
            let text = String(documents[r.index].prefix(returnText ? Int.max : 70))
            print("  \(TaskCommand.format(r.score))  [\(r.index)]  \(TaskCommand.quoted(text))")
        }
    }
}

extension TruncationStrategy: ExpressibleByArgument {}
