// Which x86 kernel serves which tier (tiers in cpu_features.c).
#if defined(__x86_64__)
#include "x86.h"

mb_gemm_u8s8_fn mb_arch_gemm_u8s8(int tier) {
    switch (tier) {
    case 4: return mb_gemm_u8s8_vnni;
    case 3: case 1: return mb_gemm_u8s8_avx2;
    case 2: return (mb_x86_features() & MB_X86_AVX_VNNI) ? mb_gemm_u8s8_avxvnni_vex : mb_gemm_u8s8_avxvnni_evex;
    default: return 0;
    }
}

int mb_arch_row_sums_i8panels(int tier, const int8_t *w, int n, int k, int32_t *sums) {
    if (tier < 1) return 0;
    mb_row_sums_i8panels_avx2(w, n, k, sums);
    return 1;
}

#endif
