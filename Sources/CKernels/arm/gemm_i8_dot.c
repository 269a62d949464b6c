// The int8 GEMM for ARM64 cores with the dot-product extension (tier 2, FEAT_DotProd: Cortex-A55/A76
// and later, Neoverse N1, Graviton 2, Apple M1): SDOT adds four s8 x s8 products into each int32 lane,
// 16 multiply-adds per instruction. See gemm_u8s8.c for the contract, gemm_arm.h for what the ARM
// kernels share.
//
// The panel layout needs no repacking: one 16-byte quarter of a 64-byte group is w[4c..4c+3][p..p+3],
// row 4c+l in int32 lane l, and `vdotq_laneq_s32(acc, wv, av, l)` multiplies each lane's four bytes by
// the four activation bytes of lane l of av. One 16-byte load of an activation row therefore serves
// four groups (k .. k+15); a register tile is MR rows x one panel (MR x 4 accumulators).
#if defined(__aarch64__)
#include "gemm_arm.h"

#define TARGET_DOT __attribute__((target("dotprod")))
#define MR 6  // 6 x 4 accumulators + 6 activation vectors + weights: within the 32 vector registers

// One group of 4 k (its 64 weight bytes at g) for rows [0, mr), activations from lane L of av.
#define DOT_GROUP(L)                                                                     \
    do {                                                                                 \
        const int8_t *g_ = g + (L) * 64;                                                 \
        for (int c_ = 0; c_ < 4; c_++) {                                                 \
            const int8x16_t wv_ = vld1q_s8(g_ + 16 * c_);                                \
            for (int r_ = 0; r_ < mr; r_++) acc[r_][c_] = vdotq_laneq_s32(acc[r_][c_], wv_, av[r_], L); \
        }                                                                                \
    } while (0)

// Exact sums of rows [0, mr) of s8 activations `a` (ld lda) against one panel, into out[r][column].
TARGET_DOT INLINE void tile_dot(const int mr, int k, const int8_t *a, int lda, const int8_t *panel,
                                int32_t (*out)[PANEL]) {
    int32x4_t acc[MR][4];
    for (int r = 0; r < mr; r++)
        for (int c = 0; c < 4; c++) acc[r][c] = vdupq_n_s32(0);
    int p = 0;
    for (; p + 16 <= k; p += 16) {
        int8x16_t av[MR];
        for (int r = 0; r < mr; r++) av[r] = vld1q_s8(a + (size_t)r * lda + p);
        const int8_t *g = panel + (size_t)p * PANEL;
        DOT_GROUP(0); DOT_GROUP(1); DOT_GROUP(2); DOT_GROUP(3);
    }
    for (; p < k; p += 4) {  // k % 16 of 4, 8 or 12: one group at a time, its 4 bytes in every lane
        int8x16_t av[MR];
        for (int r = 0; r < mr; r++) av[r] = vreinterpretq_s8_s32(vld1q_dup_s32((const int32_t *)(a + (size_t)r * lda + p)));
        const int8_t *g = panel + (size_t)p * PANEL;
        DOT_GROUP(0);
    }
    for (int r = 0; r < mr; r++)
        for (int c = 0; c < 4; c++) vst1q_s32(out[r] + 4 * c, acc[r][c]);
}

// The tile for `mr` rows, compiled once per row count so its loops unroll and the accumulators stay
// in registers.
TARGET_DOT static void tile_rows(int mr, int k, const int8_t *a, int lda, const int8_t *panel, int32_t (*out)[PANEL]) {
    switch (mr) {
    case 6: tile_dot(6, k, a, lda, panel, out); break;
    case 5: tile_dot(5, k, a, lda, panel, out); break;
    case 4: tile_dot(4, k, a, lda, panel, out); break;
    case 3: tile_dot(3, k, a, lda, panel, out); break;
    case 2: tile_dot(2, k, a, lda, panel, out); break;
    default: tile_dot(1, k, a, lda, panel, out); break;
    }
}

TARGET_DOT void mb_gemm_i8_dot(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w, const epilogue *e,
                               int gated, const int32_t *w_sums, int32_t *c, int ldc) {
    const int block = k > 0 ? block_rows(k, MR) : 0;
    if (block < MR) {  // k > 10,922: no ModernBERT comes near
        mb_gemm_u8s8_portable(m, n, k, a, lda, w, e, gated, w_sums, c, ldc);
        return;
    }
    int8_t act[ACT_BYTES] __attribute__((aligned(16)));
    gemm_row_blocks(MR, tile_rows, block, act, m, n, k, a, lda, w, e, gated, c, ldc);
}

// Weight row sums (at load): SDOT of each 16-byte quarter group against ones sums each lane's four
// bytes, i.e. four k of one row.
TARGET_DOT void mb_row_sums_i8panels_dot(const int8_t *w, int n, int k, int32_t *sums) {
    const int8x16_t ones = vdupq_n_s8(1);
    for (int j0 = 0; j0 < n; j0 += PANEL) {
        const int8_t *panel = w + (size_t)j0 * k;
        int32x4_t acc[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
        for (int p = 0; p < k; p += 4)
            for (int c = 0; c < 4; c++) acc[c] = vdotq_s32(acc[c], vld1q_s8(panel + (size_t)p * PANEL + 16 * c), ones);
        for (int c = 0; c < 4; c++) vst1q_s32(sums + j0 + 4 * c, acc[c]);
    }
}

#endif
