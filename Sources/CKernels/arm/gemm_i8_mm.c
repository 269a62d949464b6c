// The int8 GEMM for ARM64 cores with the int8 matrix-multiply extension (tier 3, FEAT_I8MM:
// Cortex-A510/A710/X2 and later, Neoverse V1/N2, Graviton 3, Apple M2): SMMLA multiplies a 2 x 8 block
// of s8 activations by an 8 x 2 block of s8 weights into a 2 x 2 block of int32, 32 multiply-adds per
// instruction, twice SDOT's. See gemm_u8s8.c for the contract, gemm_arm.h for what the ARM kernels
// share.
//
// SMMLA wants each operand as two rows of 8 consecutive k in one register. Activations are copied
// that way once per row block (rows 2P and 2P+1 interleaved in 8-byte chunks, signed, k padded with
// zeros to a multiple of 8). The file's weight panels hold 4 consecutive k per row (layout 1), and
// one ZIP1/ZIP2 of 32-bit lanes turns two quarter groups (rows 4c..4c+3 at k and at k + 4) into the
// operands of rows (4c, 4c+1) and (4c+2, 4c+3): weights are still read in place from the mapped file,
// at one ZIP per four SMMLA of an 8-row tile (Docs/kernels.md weighs this against a layout of its own).
//
// A register tile is 8 rows (4 row pairs) x 8 columns (4 column pairs): 16 accumulators, each a 2 x 2
// block; a panel's 16 columns are two such tiles over the same activations.
#if defined(__aarch64__)
#include "gemm_arm.h"

#define TARGET_MM __attribute__((target("i8mm")))
#define MR 8

// Rows [i0, i0 + rows) of u8 activations as s8 row pairs: pair P, chunk h at act + P * 2 * kp + 16 h
// holds row 2P's k 8h..8h+7, then row 2P+1's (zero past `rows` and past k).
INLINE void paired_rows(const uint8_t *a, int lda, int rows, int k, int kp, int8_t *act) {
    const uint8x16_t flip = vdupq_n_u8(0x80);
    for (int r = 0; r < rows; r += 2) {
        const uint8_t *r0 = a + (size_t)r * lda, *r1 = r + 1 < rows ? r0 + lda : NULL;
        int8_t *dst = act + (size_t)r * kp;
        int p = 0;
        for (; p + 8 <= k; p += 8) {
            uint8x16_t both = vcombine_u8(vld1_u8(r0 + p), r1 ? vld1_u8(r1 + p) : vdup_n_u8(0x80));
            vst1q_s8(dst + 2 * p, vreinterpretq_s8_u8(veorq_u8(both, flip)));
        }
        if (p < k) {  // k % 8 == 4
            uint8_t last[16];
            memset(last, 0x80, 16);
            memcpy(last, r0 + p, 4);
            if (r1) memcpy(last + 8, r1 + p, 4);
            vst1q_s8(dst + 2 * p, vreinterpretq_s8_u8(veorq_u8(vld1q_u8(last), flip)));
        }
    }
}

// One chunk of 8 k for `np` row pairs and 4 column pairs: x and y are quarters 2 half and 2 half + 1
// of the group at k, x1 and y1 of the group at k + 4.
TARGET_MM INLINE void mm_chunk(const int np, const int8_t *a, int kp, int p, int32x4_t x0, int32x4_t y0,
                               int32x4_t x1, int32x4_t y1, int32x4_t acc[MR / 2][4]) {
    const int8x16_t b[4] = {vreinterpretq_s8_s32(vzip1q_s32(x0, x1)), vreinterpretq_s8_s32(vzip2q_s32(x0, x1)),
                            vreinterpretq_s8_s32(vzip1q_s32(y0, y1)), vreinterpretq_s8_s32(vzip2q_s32(y0, y1))};
    for (int P = 0; P < np; P++) {
        const int8x16_t av = vld1q_s8(a + (size_t)P * 2 * kp + 2 * p);
        for (int q = 0; q < 4; q++) acc[P][q] = vmmlaq_s32(acc[P][q], av, b[q]);
    }
}

INLINE int32x4_t quarter(const int8_t *g) { return vreinterpretq_s32_s8(vld1q_s8(g)); }

// Exact sums of `np` row pairs (pair P at a + P * 2 * kp) against one panel, into out[row][column].
TARGET_MM INLINE void tile_mm(const int np, int k, int kp, const int8_t *a, const int8_t *panel,
                              int32_t (*out)[PANEL]) {
    for (int half = 0; half < 2; half++) {  // columns 8 half .. 8 half + 7: quarters 2 half, 2 half + 1
        int32x4_t acc[MR / 2][4];
        for (int P = 0; P < np; P++)
            for (int q = 0; q < 4; q++) acc[P][q] = vdupq_n_s32(0);
        const int8_t *w = panel + 32 * half;
        int p = 0;
        for (; p + 8 <= k; p += 8) {
            const int8_t *g = w + (size_t)p * PANEL;
            mm_chunk(np, a, kp, p, quarter(g), quarter(g + 16), quarter(g + 64), quarter(g + 80), acc);
        }
        if (p < k) {  // k % 8 == 4: no group at k + 4 (the panel may end here); its activations are zero
            const int8_t *g = w + (size_t)p * PANEL;
            mm_chunk(np, a, kp, p, quarter(g), quarter(g + 16), quarter(g), quarter(g + 16), acc);
        }
        // acc[P][q] = [(2P, 2q) (2P, 2q+1) (2P+1, 2q) (2P+1, 2q+1)]: 64-bit zips give rows.
        for (int P = 0; P < np; P++)
            for (int q = 0; q < 4; q += 2) {
                const int64x2_t u = vreinterpretq_s64_s32(acc[P][q]), v = vreinterpretq_s64_s32(acc[P][q + 1]);
                vst1q_s32(out[2 * P] + 8 * half + 2 * q, vreinterpretq_s32_s64(vzip1q_s64(u, v)));
                vst1q_s32(out[2 * P + 1] + 8 * half + 2 * q, vreinterpretq_s32_s64(vzip2q_s64(u, v)));
            }
    }
}

TARGET_MM static void tile_pairs(int np, int k, int kp, const int8_t *a, const int8_t *panel, int32_t (*out)[PANEL]) {
    switch (np) {
    case 4: tile_mm(4, k, kp, a, panel, out); break;
    case 3: tile_mm(3, k, kp, a, panel, out); break;
    case 2: tile_mm(2, k, kp, a, panel, out); break;
    default: tile_mm(1, k, kp, a, panel, out); break;
    }
}

TARGET_MM void mb_gemm_i8_mm(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w, const epilogue *e,
                             int gated, const int32_t *w_sums, int32_t *c, int ldc) {
    const int kp = (k + 7) & ~7;
    const int block = k > 0 ? block_rows(kp, MR) : 0;
    if (block < MR) {  // k > 8,192: no ModernBERT comes near
        mb_gemm_i8_dot(m, n, k, a, lda, w, e, gated, w_sums, c, ldc);
        return;
    }
    int8_t act[ACT_BYTES] __attribute__((aligned(16)));
    int32_t input[MR][PANEL], gate[MR][PANEL];
    for (int i0 = 0; i0 < m; i0 += block) {
        const int i1 = i0 + block < m ? i0 + block : m;
        paired_rows(a + (size_t)i0 * lda, lda, i1 - i0, k, kp, act);
        for (int j = 0; j < n; j += PANEL) {
            const int8_t *panel = w + (size_t)j * k;
            float *o = e ? panel_out(e, j) : NULL;
            for (int i = i0; i < i1; i += MR) {
                const int mr = i1 - i < MR ? i1 - i : MR;
                const int8_t *pairs = act + (size_t)(i - i0) * kp;
                prefetch_out(e, o, i, mr);
                tile_pairs((mr + 1) / 2, k, kp, pairs, panel, input);
                if (gated) tile_pairs((mr + 1) / 2, k, kp, pairs, panel + (size_t)e->gate_offset * k, gate);
                finish_tile(e, gated, mr, i, j, input, gate, o, c, ldc);
            }
        }
    }
}

#endif
