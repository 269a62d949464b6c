// Which ARM64 kernel serves which tier (tiers in cpu_features.c): tier 1 plain NEON
// (gemm_i8_neon.c), 2 SDOT (gemm_i8_dot.c), 3 SMMLA (gemm_i8_mm.c); tier 0 the portable C of
// gemm_u8s8.c. The peak probes are in peak_arm.c.
#if defined(__aarch64__)
#include "gemm_arm.h"

mb_gemm_u8s8_fn mb_arch_gemm_u8s8(int tier) {
    const int f = mb_arm_features();
    if (tier >= 3 && (f & MB_ARM_I8MM)) return mb_gemm_i8_mm;
    if (tier >= 2 && (f & MB_ARM_DOTPROD)) return mb_gemm_i8_dot;
    if (tier >= 1) return mb_gemm_i8_neon;
    return 0;
}

int mb_arch_row_sums_i8panels(int tier, const int8_t *w, int n, int k, int32_t *sums) {
    if (tier >= 2 && (mb_arm_features() & MB_ARM_DOTPROD)) mb_row_sums_i8panels_dot(w, n, k, sums);
    else if (tier >= 1) mb_row_sums_i8panels_neon(w, n, k, sums);
    else return 0;
    return 1;
}

// No bf16 attention kernel on ARM64 yet (FEAT_BF16's BFDOT/BFMMLA would be the instructions).
mb_attention_fn mb_arch_attention_bf16(int tier) {
    (void)tier;
    return 0;
}

#endif
