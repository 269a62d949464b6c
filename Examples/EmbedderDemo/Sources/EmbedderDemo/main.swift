// Usage: EmbedderDemo <model.mbc>
// Loads a model file (memory-mapped) and prints a sentence embedding and a fill-mask result.
import Foundation
import MBRuntime

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count == 1 else {
    FileHandle.standardError.write(Data("usage: EmbedderDemo <model.mbc>\n".utf8))
    exit(2)
}
do {
    let model = try ModernBert(contentsOf: URL(fileURLWithPath: arguments.first!))

    let text = "A list is a mutable sequence."
    let embedding = try Embedder(model: model, pooling: .mean, normalize: true).embed(text)
    let head = embedding.vector.prefix(4).map { String(format: "%+.4f", $0) }.joined(separator: " ")
    print("embedding: \(embedding.vector.count) dims from \(embedding.tokenCount) tokens, mean pooled, normalized")
    print("  [\(head) ...]  \"\(text)\"")

    let masked = "A list is a mutable [MASK]."
    print("fill-mask: \"\(masked)\"")
    for prediction in try FillMask(model: model, topK: 3)(masked).masks[0] {
        print("  \(String(format: "%.4f", prediction.score))  \(prediction.tokenString)")
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
