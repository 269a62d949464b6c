import Foundation
import MBFormat

/// The ModernBERT encoder (embeddings, layers, final norm) and its task head, running from a mapped model file.
///
/// Thread safety: a loaded model is immutable; `forward` may be called from many threads at once.
public final class ModernBert: @unchecked Sendable {
    public let file: ModelFile
    public var config: ModelConfig { file.config }
    public let head: TaskHead?
    /// sentence-transformers Dense modules run after pooling (`config.sentenceEmbedding`), in order.
    let sentenceDense: [SentenceDense]

    private let embeddings: EmbeddingTable
    private let embeddingNorm: Norm
    private let layers: [EncoderLayer]
    private let finalNorm: Norm
    private let globalRotary: Rotary
    private let localRotary: Rotary

    /// How int8 layers run (see `ExecutionMode`); irrelevant for files without int8 weights.
    public let mode: ExecutionMode
    /// Kept alive because layers point into its buffers.
    private let overrides: WeightOverrides?

    public convenience init(contentsOf url: URL, mode: ExecutionMode = .w8a32) throws {
        try self.init(file: ModelFile(url: url), mode: mode)
    }

    /// - Parameters:
    ///   - mode: execution of int8 weights.
    ///   - overrides: in-memory replacements for some weight matrices (used to measure one layer's
    ///     quantization sensitivity without writing a file per trial).
    /// - Throws: `ModelError` when the file's tensors do not match its config.
    public init(file: ModelFile, mode: ExecutionMode = .w8a32, overrides: WeightOverrides? = nil) throws {
        Threading.prepare()
        self.file = file
        self.mode = mode
        self.overrides = overrides
        let weights = try WeightLoader(file: file, mode: mode, overrides: overrides)
        let c = file.config
        embeddings = try weights.embeddings("embeddings.tok_embeddings.weight")
        embeddingNorm = try weights.norm("embeddings.norm")
        layers = try (0..<c.numLayers).map { try EncoderLayer(index: $0, weights: weights) }
        finalNorm = try weights.norm("final_norm")
        globalRotary = Rotary(headDim: c.headDim, theta: c.globalRopeTheta)
        localRotary = Rotary(headDim: c.headDim, theta: c.localRopeTheta)
        head = c.hasHead ? try TaskHead(weights: weights, embeddings: embeddings.matrix) : nil
        sentenceDense = try (c.sentenceEmbedding?.dense ?? []).enumerated().map {
            try SentenceDense(index: $0.offset, config: $0.element, weights: weights)
        }
    }

    /// Runs the encoder on a batch of token-id sequences of any lengths (no padding needed).
    public func forward(_ sequences: [[Int32]], outputHiddenStates: Bool = false) throws -> EncoderOutput {
        let batch = try PackedBatch(sequences, vocabSize: config.vocabSize, maxLength: config.maxPositions)
        return forward(batch, outputHiddenStates: outputHiddenStates)
    }

    public func forward(_ batch: PackedBatch, outputHiddenStates: Bool = false) -> EncoderOutput {
        let c = config, tokens = batch.tokenCount, h = c.hiddenSize
        var hidden = [Float](repeating: 0, count: tokens * h)
        var recorded: [[Float]] = []
        let scratch = LayerScratch(tokens: tokens, hidden: h, intermediate: c.intermediateSize)
        let longest = batch.longest
        let globalTable = globalRotary.table(length: longest)
        let localTable = c.localRopeTheta == c.globalRopeTheta ? globalTable : localRotary.table(length: longest)

        hidden.withUnsafeMutableBufferPointer { buffer in
            let x = buffer.baseAddress!
            embeddings.lookup(batch.ids, into: x)
            embeddingNorm(x, rows: tokens, into: x)
            if outputHiddenStates { recorded.append(Array(buffer)) }
            for (index, layer) in layers.enumerated() {
                layer(x, batch: batch, rope: c.layerTypes[index] == .global ? globalTable : localTable, scratch: scratch)
                if outputHiddenStates && index < layers.count - 1 { recorded.append(Array(buffer)) }
            }
            finalNorm(x, rows: tokens, into: x)
        }
        if outputHiddenStates { recorded.append(hidden) }
        return EncoderOutput(hiddenSize: h, ranges: batch.ranges, lastHiddenState: hidden,
                             hiddenStates: outputHiddenStates ? recorded : nil)
    }
}
