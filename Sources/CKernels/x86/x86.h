// What the x86 files share: the CPU feature bits (cpu_features.c) and the per-tier int8 GEMMs.
#ifndef MB_X86_H
#define MB_X86_H
#if defined(__x86_64__)

#include "../arch.h"

enum {
    MB_X86_AVX2 = 1,          // with FMA and F16C
    MB_X86_AVX512 = 2,        // F, BW, VL
    MB_X86_AVX512_VNNI = 4,
    MB_X86_AVX512_BF16 = 8,
    MB_X86_AVX_VNNI = 16,     // VEX-encoded vpdpbusd (Alder Lake and later, Sierra Forest, Zen 5): tier 2
};

/// The MB_X86_* bits this CPU has.
int mb_x86_features(void);

void mb_gemm_u8s8_avx2(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w, const struct epilogue *e,
                       int gated, const int32_t *w_sums, int32_t *c, int ldc);
void mb_gemm_u8s8_vnni(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w, const struct epilogue *e,
                       int gated, const int32_t *w_sums, int32_t *c, int ldc);
// Tier 2 (gemm_u8s8_avxvnni.c): one source, built with VEX vpdpbusd (AVX-VNNI CPUs) and with EVEX
// vpdpbusd ymm (AVX-512 VNNI CPUs, where it is tested).
void mb_gemm_u8s8_avxvnni_vex(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w, const struct epilogue *e,
                              int gated, const int32_t *w_sums, int32_t *c, int ldc);
void mb_gemm_u8s8_avxvnni_evex(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w, const struct epilogue *e,
                               int gated, const int32_t *w_sums, int32_t *c, int ldc);
void mb_row_sums_i8panels_avx2(const int8_t *w, int n, int k, int32_t *sums);

#endif
#endif
