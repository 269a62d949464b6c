// Which ARM64 kernel serves which tier (tiers in cpu_features.c). Until a tier has its own int8
// GEMM, the portable one runs (NULL / 0 below).
#if defined(__aarch64__)
#include "arm.h"

mb_gemm_u8s8_fn mb_arch_gemm_u8s8(int tier) {
    (void)tier;
    return 0;
}

int mb_arch_row_sums_i8panels(int tier, const int8_t *w, int n, int k, int32_t *sums) {
    (void)tier; (void)w; (void)n; (void)k; (void)sums;
    return 0;
}

int64_t mb_arch_int8_peak(int tier, int64_t iterations, const char **instruction) {
    (void)tier; (void)iterations;
    *instruction = "none";
    return 0;
}

mb_attention_fn mb_arch_attention_bf16(int tier) {
    (void)tier;
    return 0;
}

#endif
