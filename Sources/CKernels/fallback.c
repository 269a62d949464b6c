// The architecture hooks of arch.h for a target with no folder of its own (neither x86-64 nor
// ARM64): one portable tier, no special kernels. As ggml's arch-fallback.h, so the neutral files
// never test the architecture themselves.
#if !defined(__x86_64__) && !defined(__aarch64__)
#include "arch.h"

int mb_arch_best_tier(void) { return 0; }
int mb_arch_tier_count(void) { return 1; }
const char *mb_arch_tier_name(int tier) { (void)tier; return "portable"; }
const char *mb_arch_features_text(void) { return "generic"; }
mb_gemm_u8s8_fn mb_arch_gemm_u8s8(int tier) { (void)tier; return 0; }
int mb_arch_row_sums_i8panels(int tier, const int8_t *w, int n, int k, int32_t *sums) {
    (void)tier; (void)w; (void)n; (void)k; (void)sums;
    return 0;
}
int64_t mb_arch_int8_peak(int tier, int64_t iterations, const char **instruction) {
    (void)tier; (void)iterations;
    *instruction = "none";
    return 0;
}
mb_attention_fn mb_arch_attention_bf16(int tier) { (void)tier; return 0; }

#endif

// Nested tiers (ARM64 and the generic target): a CPU runs every tier up to its best.
#if !defined(__x86_64__)
#include "arch.h"

int mb_arch_tier_supported(int tier) { return tier >= 0 && tier <= mb_arch_best_tier(); }

#endif
