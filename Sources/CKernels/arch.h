// What each architecture folder (x86/, arm/) provides to the architecture-neutral files, and the
// generic versions (fallback.c) an architecture without them gets, as ggml's arch-fallback.h does.
// Nothing here is public: CKernels.h is the API.
#ifndef MB_ARCH_H
#define MB_ARCH_H

#include <stdint.h>
#include <stddef.h>

// ---- CPU features (x86/cpu_features.c, arm/cpu_features.c)

/// The best kernel tier this CPU supports (0 = portable C).
int mb_arch_best_tier(void);
/// How many tiers the architecture has (names below are for 0 ..< count).
int mb_arch_tier_count(void);
/// Whether this CPU can run `tier` (0 ..< count). Tiers are ordered by capability but need not be
/// nested (x86: avx-vnni needs a VNNI that an avx512 CPU may lack); architectures whose tiers are
/// nested get fallback.c's `tier <= best`.
int mb_arch_tier_supported(int tier);
/// The tier's name as users see it in reports and `--kernel-tier`.
const char *mb_arch_tier_name(int tier);
/// The CPU's features that matter to the kernels, space-separated, e.g. "avx2 fma f16c avx512vnni".
const char *mb_arch_features_text(void);

// ---- int8 GEMM (gemm_u8s8.c dispatches; see gemm_epilogue.h for `epilogue`)

struct epilogue;
/// The portable implementation (gemm_u8s8.c), which arch kernels also fall back to.
void mb_gemm_u8s8_portable(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w, const struct epilogue *e,
                           int gated, const int32_t *w_sums, int32_t *c, int ldc);
/// One int8 GEMM implementation: with `e`, the float epilogue (plain, column blocks or GeGLU when
/// `gated`); without, exact int32 sums of (q)(w) into `c` (ld ldc), from `w_sums`.
typedef void (*mb_gemm_u8s8_fn)(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w,
                               const struct epilogue *e, int gated, const int32_t *w_sums, int32_t *c, int ldc);
/// The architecture's GEMM for `tier`, or NULL for the portable one.
mb_gemm_u8s8_fn mb_arch_gemm_u8s8(int tier);
/// Row sums of a panel-ordered int8 matrix with the tier's instructions; 0 when it has none (the
/// caller then runs the portable loop).
int mb_arch_row_sums_i8panels(int tier, const int8_t *w, int n, int k, int32_t *sums);

// ---- int8 peak probe (peak.c)

/// Runs the tier's int8 dot-product instruction in independent chains for `iterations` rounds and
/// returns the operations done (a multiply-add is 2), or 0 when the tier has no probe. `instruction`
/// receives its name.
int64_t mb_arch_int8_peak(int tier, int64_t iterations, const char **instruction);

// ---- bf16 attention (attention.c)

/// mb_attention_rows with bf16 products (CKernels.h says what is rounded), without the `bf16` flag.
typedef void (*mb_attention_fn)(int n, int head_dim, const float *q, const float *k, const float *v, int stride, int q0,
                                int q1, int half_window, float scale, const float *rope_cos, const float *rope_sin,
                                float *scratch, float *out, int ldo);
/// The architecture's bf16 attention kernel usable at `tier` on this CPU, or NULL.
mb_attention_fn mb_arch_attention_bf16(int tier);

#endif
