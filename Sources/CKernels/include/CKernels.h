// The hot loops that need instructions or per-CPU code generation Swift cannot give: the int8
// dot products with their fused epilogues, bf16 dot products, fp16 widening, and the fp32 kernels
// that must use the widest vectors the host has (attention, layer norm, activations). Each is
// behind run-time CPU dispatch, so one binary serves every host of its architecture: x86-64 tiers
// in x86/, ARM64 tiers in arm/, the portable versions and the dispatch in the files at the top.
// Docs/kernels.md says why each is C.
#ifndef MB_CKERNELS_H
#define MB_CKERNELS_H

#include <stdint.h>
#include <stddef.h>

/// The best kernel tier this CPU supports. Tiers are numbered per architecture from 0 (portable C)
/// up, ordered by what a CPU can do; mb_tier_name gives their names (x86-64: portable, avx2,
/// avx-vnni, avx512, avx512-vnni; ARM64: portable, neon, neon-dotprod, neon-i8mm).
int mb_best_tier(void);

/// Whether this CPU can run `tier`. Support is not always nested: an x86 CPU with AVX-512 but no
/// VNNI of either kind (Skylake-X) has avx512 and not avx-vnni. Tier 0 is always supported.
int mb_tier_supported(int tier);

/// Limits the kernels to at most `tier` for tests and benchmarks: the active tier becomes the best
/// tier <= `tier` that this CPU supports (so never more than the CPU has); -1 restores the best.
void mb_force_tier(int tier);

/// The kernel tier in use: the best, or the one mb_force_tier resolved to.
int mb_active_tier(void);

/// How many tiers this architecture has (names are defined for 0 ..< count).
int mb_tier_count(void);

/// A tier's name, as reports and `--kernel-tier` spell it; "unknown" out of range.
const char *mb_tier_name(int tier);

/// The CPU features the kernels look at, space-separated (e.g. "x86-64 avx2 fma f16c avx512vnni").
const char *mb_cpu_features_text(void);

/// Quantizes `rows` rows of `cols` floats to unsigned int8 (value + 128) per row, symmetric:
/// q = clamp(round_to_nearest_even(x / scale), -127, 127) + 128, scale = absmax / 127 (0 for a zero row).
void mb_quantize_rows_u8(const float *x, int rows, int cols, int ldx, uint8_t *q, int ldq, float *scales);

/// The same quantization of the smoothed rows x[r][c] * factors[c] (outlier smoothing that could not be
/// folded into the layer before: Formats/model-file.md, quantization 2). Same bytes on every tier.
void mb_quantize_rows_u8_smoothed(const float *x, int rows, int cols, int ldx, const float *factors, uint8_t *q, int ldq,
                                  float *scales);

/// y[i][j] = (sum_p (a[i][p] - 128) * w[j][p]) * a_scale[i] * w_scale[j] + bias[j], for j in [0, n);
/// out[i][j] = y[i][j], or out[i][j] + y[i][j] when `accumulate` is nonzero (a residual add).
///
/// `a` is u8 activations [m, k] (ld lda) from mb_quantize_rows_u8 (so 1...255: the ARM64 NEON tier
/// adds two products in 16 bits, exact for any weight only while no activation byte is 0); `w` is int8 weights [n, k] in
/// the "panels of 16 rows x 4 columns" layout (Formats/model-file.md, layout 1), n % 16 == 0 and
/// k % 4 == 0; `w_sums[j]` = sum_p w[j][p]. `bias` may be NULL. Exact int32 accumulation.
void mb_gemm_u8s8_panels(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w,
                         const int32_t *w_sums, const float *a_scale, const float *w_scale,
                         const float *bias, int accumulate, float *out, int ldo);

/// The product above (no residual add) into column blocks: column c = col0 + j of row i goes to
/// out[(c / block_cols) * block_stride + i * block_cols + c % block_cols]. With block_cols = head_dim
/// that writes q, k, v head-major, each head's rows contiguous for the attention kernel.
/// block_cols % 16 == 0 and col0 % 16 == 0.
void mb_gemm_u8s8_panels_blocked(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w,
                                 const int32_t *w_sums, const float *a_scale, const float *w_scale,
                                 const float *bias, float *out, int col0, int block_cols, size_t block_stride);

/// GeGLU on the product above: out[i][j] = act(y[i][j]) * y[i][j + gate_offset] for j in [0, n),
/// `act` one of MB_ACT_*. `w`, `w_sums`, `w_scale` and `bias` describe columns from 0 on, input
/// and gate halves alike; n and gate_offset are multiples of 16. The [m, 2n] product is never stored.
void mb_gemm_u8s8_panels_gated(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w,
                               const int32_t *w_sums, const float *a_scale, const float *w_scale,
                               const float *bias, int gate_offset, int kind, float *out, int ldo);

/// The same product without the float epilogue, into int32 (for tests): c[i][j] = sum_p (a - 128) * w.
void mb_gemm_u8s8_panels_i32(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w,
                             const int32_t *w_sums, int32_t *c, int ldc);

/// w_sums for the kernels above: sums[j] = sum_p w[j][p] of a panel-ordered int8 matrix [n, k].
void mb_row_sums_i8panels(const int8_t *w, int n, int k, int32_t *sums);

/// Widens rows [first, first + count) of a panel-ordered int8 matrix [*, cols] to fp32 rows scaled
/// by `scales[row]` (row-major output, count x cols). `first` and `count` are multiples of 16.
void mb_widen_panels_i8(const int8_t *w, int cols, const float *scales, int first, int count, float *out);

/// Weight-only products for a few activation rows (gemv_f32.c): out[i][j] = (sum_p x[i][p] * w[j][p]) * scale[j] + bias[j]
/// for i < m, j < n, with fp32 activations `x` [m, k] (ld ldx) and weights converted to fp32 in registers.
/// `bias` may be NULL; so may `scale` for the fp16/bf16 forms (then 1).
///
/// Panel-ordered int8 (layout 1; n % 16 == 0, k % 4 == 0).
void mb_gemv_f32_i8panels(int m, int n, int k, const float *x, int ldx, const int8_t *w,
                          const float *scale, const float *bias, float *out, int ldo);
/// Row-major int8 [n, k] with per-row scales.
void mb_gemv_f32_i8rows(int m, int n, int k, const float *x, int ldx, const int8_t *w,
                        const float *scale, const float *bias, float *out, int ldo);
/// Row-major IEEE fp16 [n, k].
void mb_gemv_f32_f16rows(int m, int n, int k, const float *x, int ldx, const uint16_t *w,
                         const float *scale, const float *bias, float *out, int ldo);
/// Row-major bfloat16 [n, k].
void mb_gemv_f32_bf16rows(int m, int n, int k, const float *x, int ldx, const uint16_t *w,
                          const float *scale, const float *bias, float *out, int ldo);

/// Activation functions (activation.c), as in transformers: GELU with erf, the tanh approximation
/// (gelu_pytorch_tanh, gelu_new, gelu_fast), quick_gelu (x sigmoid(1.702 x)), ReLU, SiLU.
enum { MB_ACT_GELU = 0, MB_ACT_GELU_TANH = 1, MB_ACT_QUICK_GELU = 2, MB_ACT_RELU = 3, MB_ACT_SILU = 4 };

/// x[i] = act(x[i]) for i < count.
void mb_activate(float *x, size_t count, int kind);

/// GeGLU: out[r][c] = act(wi[r][c]) * wi[r][inner + c] for r < rows, c < inner (rows of wi are [input | gate]).
void mb_gated_activation(const float *wi, int rows, int inner, int kind, float *out);

/// Layer norm (layer_norm.c) of `rows` rows of `cols` floats: y = (x - mean) / sqrt(var + eps) * weight + bias,
/// with the biased variance, as torch.nn.LayerNorm; `bias` may be NULL. `y` may be `x`.
void mb_layer_norm(const float *x, int rows, int cols, const float *weight, const float *bias, float eps, float *y);

/// The same layer norm, each row quantized for the W8A8 kernels (as mb_quantize_rows_u8, into `q`
/// with row stride `ldq` and `scales`) instead of stored; `row` is scratch for `cols` floats.
void mb_layer_norm_quantize_u8(const float *x, int rows, int cols, const float *weight, const float *bias, float eps,
                               float *row, uint8_t *q, int ldq, float *scales);

/// Attention of query rows [q0, q1) of one head of one sequence of `n` tokens (attention.c):
/// out[i] = sum_j softmax_j(scale * q[i].k[j]) v[j] over the keys j query i sees: all of them when
/// `half_window` < 0, else |i - j| <= half_window. `q`, `k`, `v` point at this head's slice of the
/// sequence's first token (row stride `stride` floats), `out` at its first output row (stride `ldo`).
/// `scratch` holds at least mb_attention_scratch_floats(n, head_dim, q1 - q0, half_window) floats.
/// With `rope_cos`/`rope_sin` (cos and sin for positions 0..n-1, head_dim / 2 each; NULL: none),
/// queries and keys are rotated ("rotate half") as they are read; q and k themselves are not changed.
/// `bf16` nonzero rounds q, k, v and the softmax weights to bf16 (fp32 sums; x86/attention_bf16_avx512.c) where
/// mb_attention_bf16_available() and head_dim % 32 == 0; otherwise, and when zero, all fp32.
void mb_attention_rows(int n, int head_dim, const float *q, const float *k, const float *v, int stride, int q0,
                       int q1, int half_window, float scale, const float *rope_cos, const float *rope_sin, int bf16,
                       float *scratch, float *out, int ldo);
size_t mb_attention_scratch_floats(int n, int head_dim, int rows, int half_window);
/// Whether the active tier has a bf16 attention kernel on this CPU (x86: AVX-512 BF16, tiers 3-4).
int mb_attention_bf16_available(void);

/// Widens n IEEE fp16 values to fp32.
void mb_f16_to_f32(const uint16_t *src, float *dst, size_t n);

/// Runs fn(ctx, t) for t in [0, tasks) on up to `threads` threads (the caller and pooled workers that
/// spin briefly between loops); returns when all are done. A call made while another loop runs (nested,
/// or from another thread) runs its tasks serially on the calling thread. parallel.c says why.
void mb_parallel_for(int tasks, int threads, void (*fn)(void *ctx, int task), void *ctx);

/// Peak probe of the active tier's int8 dot-product instruction: independent chains of it on this
/// thread for `iterations` rounds, no memory traffic. Returns the int8 operations done (a
/// multiply-add counts 2), or 0 when the tier has no probe; `instruction` (may be NULL) receives the
/// instruction's name.
int64_t mb_int8_peak_probe(int64_t iterations, const char **instruction);

#endif
