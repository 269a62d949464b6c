/// How a model's int8 weights are executed, chosen when the model is loaded (the file is the same).
///
/// - `w8a32`: weight-only. int8 weight rows are widened to fp32 a panel at a time and multiplied
///   with fp32 activations by OpenBLAS. Closest to fp32; the default.
/// - `w8a8`: activations are quantized per token to int8 at run time, multiplied with the int8
///   weights with int32 accumulation, then rescaled by (token scale x weight row scale) and biased.
///   On CPUs with AVX-512 BF16, attention's two products also round their operands (q, k, v, the
///   softmax weights) to bf16, with fp32 sums: Docs/quantization.md measures what that adds.
///
/// Layers stored as fp32/fp16 run in fp32 in both modes; softmax and norms are always fp32, and
/// so is all of attention in w8a32.
public enum ExecutionMode: String, Sendable, CaseIterable {
    case w8a32
    case w8a8
}
