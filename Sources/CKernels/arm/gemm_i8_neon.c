// The int8 GEMM for every ARM64 core (tier 1: plain NEON, e.g. Cortex-A53/A72 in the Raspberry Pi 3/4).
// See gemm_u8s8.c for the contract, gemm_arm.h for what the ARM kernels share.
//
// Without a dot-product instruction: SMULL multiplies eight s8 pairs into s16, SMLAL adds a second
// eight products into the same s16 lanes, and SADALP adds adjacent s16 pairs into s32 accumulators,
// 16 multiply-adds per three instructions. Two products always fit s16 here: activations are in
// [-127, 127] (mb_quantize_rows_u8 never stores 0), so |a w| <= 127 x 128 and a pair stays below
// 2^15 (ggml's trick, without its sign juggling: both operands are signed).
//
// Panel layout, read in place: the low 8 bytes of a 16-byte quarter group are w[4c][p..p+3] and
// w[4c+1][p..p+3]; against the row's four activation bytes repeated (one LD1R) SMULL gives their 8
// products, the high half (SMULL2) rows 4c+2 and 4c+3. Groups p and p+4 share the s16 lanes, so
// each accumulator lane holds a row's partial sum over (k0 + k1) or (k2 + k3) of each group;
// ADDP folds the pairs once, after the k loop.
#if defined(__aarch64__)
#include "gemm_arm.h"

#define MR 2  // 2 rows x 8 accumulators + 4 activation + 2 weight + 2 product vectors

// Exact sums of rows [0, mr) of s8 activations `a` (ld lda) against one panel, into out[r][column].
INLINE void tile_neon(const int mr, int k, const int8_t *a, int lda, const int8_t *panel, int32_t (*out)[PANEL]) {
    int32x4_t lo[MR][4], hi[MR][4];  // rows 4c, 4c+1 (lo) and 4c+2, 4c+3 (hi) of each quarter c
    for (int r = 0; r < mr; r++)
        for (int c = 0; c < 4; c++) lo[r][c] = hi[r][c] = vdupq_n_s32(0);
    int p = 0;
    for (; p + 8 <= k; p += 8) {
        const int8_t *g0 = panel + (size_t)p * PANEL, *g1 = g0 + 64;
        int8x16_t a0[MR], a1[MR];
        for (int r = 0; r < mr; r++) {
            a0[r] = vreinterpretq_s8_s32(vld1q_dup_s32((const int32_t *)(a + (size_t)r * lda + p)));
            a1[r] = vreinterpretq_s8_s32(vld1q_dup_s32((const int32_t *)(a + (size_t)r * lda + p + 4)));
            // Hides that both halves are equal: otherwise the compiler multiplies the weights' high
            // halves by the low half, one EXT per SMULL2 (24 -> 32 instructions per 128 multiply-adds).
            __asm__("" : "+w"(a0[r]), "+w"(a1[r]));
        }
        for (int c = 0; c < 4; c++) {
            const int8x16_t w0 = vld1q_s8(g0 + 16 * c), w1 = vld1q_s8(g1 + 16 * c);
            for (int r = 0; r < mr; r++) {
                int16x8_t s = vmlal_s8(vmull_s8(vget_low_s8(w0), vget_low_s8(a0[r])), vget_low_s8(w1), vget_low_s8(a1[r]));
                lo[r][c] = vpadalq_s16(lo[r][c], s);
                int16x8_t t = vmlal_high_s8(vmull_high_s8(w0, a0[r]), w1, a1[r]);
                hi[r][c] = vpadalq_s16(hi[r][c], t);
            }
        }
    }
    if (p < k) {  // k % 8 == 4: one group left
        const int8_t *g0 = panel + (size_t)p * PANEL;
        for (int r = 0; r < mr; r++) {
            const int8x16_t a0 = vreinterpretq_s8_s32(vld1q_dup_s32((const int32_t *)(a + (size_t)r * lda + p)));
            for (int c = 0; c < 4; c++) {
                const int8x16_t w0 = vld1q_s8(g0 + 16 * c);
                lo[r][c] = vpadalq_s16(lo[r][c], vmull_s8(vget_low_s8(w0), vget_low_s8(a0)));
                hi[r][c] = vpadalq_s16(hi[r][c], vmull_high_s8(w0, a0));
            }
        }
    }
    for (int r = 0; r < mr; r++)
        for (int c = 0; c < 4; c++) vst1q_s32(out[r] + 4 * c, vpaddq_s32(lo[r][c], hi[r][c]));
}

static void tile_rows(int mr, int k, const int8_t *a, int lda, const int8_t *panel, int32_t (*out)[PANEL]) {
    if (mr == MR) tile_neon(MR, k, a, lda, panel, out);
    else tile_neon(1, k, a, lda, panel, out);
}

void mb_gemm_i8_neon(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w, const epilogue *e, int gated,
                     const int32_t *w_sums, int32_t *c, int ldc) {
    const int block = k > 0 ? block_rows(k, MR) : 0;
    if (block < MR) {  // k > 32,768: no ModernBERT comes near
        mb_gemm_u8s8_portable(m, n, k, a, lda, w, e, gated, w_sums, c, ldc);
        return;
    }
    int8_t act[ACT_BYTES] __attribute__((aligned(16)));
    gemm_row_blocks(MR, tile_rows, block, act, m, n, k, a, lda, w, e, gated, c, ldc);
}

// Weight row sums (at load): SADDLP adds byte pairs of a quarter group (two k of one row), SADALP
// the pairs into that row's int32 lane.
void mb_row_sums_i8panels_neon(const int8_t *w, int n, int k, int32_t *sums) {
    for (int j0 = 0; j0 < n; j0 += PANEL) {
        const int8_t *panel = w + (size_t)j0 * k;
        int32x4_t acc[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
        for (int p = 0; p < k; p += 4)
            for (int c = 0; c < 4; c++) acc[c] = vpadalq_s16(acc[c], vpaddlq_s8(vld1q_s8(panel + (size_t)p * PANEL + 16 * c)));
        for (int c = 0; c < 4; c++) vst1q_s32(sums + j0 + 4 * c, acc[c]);
    }
}

#endif
