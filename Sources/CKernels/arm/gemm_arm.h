// What the three ARM64 int8 GEMMs share (gemm_i8_neon.c, gemm_i8_dot.c, gemm_i8_mm.c): their entry
// points, the signed copy of a block of activation rows, and the hand-over of a finished tile to the
// float epilogue.
//
// All three read the file's weight panels (16 rows x 4 k, layout 1) in place. Stored activations are
// u8 = q + 128; each kernel first copies a block of rows to s8 (XOR 0x80 gives q back exactly), so
// its sums are the exact sums of q w and the epilogue runs with offset 0 (no weight row sums): the
// integers equal the portable reference's, and the floats follow from them by the same epilogue.
#ifndef MB_GEMM_ARM_H
#define MB_GEMM_ARM_H
#if defined(__aarch64__)
#include <arm_neon.h>

#include "../gemm_epilogue.h"
#include "arm.h"

void mb_gemm_i8_neon(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w, const struct epilogue *e,
                     int gated, const int32_t *w_sums, int32_t *c, int ldc);
void mb_gemm_i8_dot(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w, const struct epilogue *e,
                    int gated, const int32_t *w_sums, int32_t *c, int ldc);
void mb_gemm_i8_mm(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w, const struct epilogue *e,
                   int gated, const int32_t *w_sums, int32_t *c, int ldc);
void mb_row_sums_i8panels_neon(const int8_t *w, int n, int k, int32_t *sums);
void mb_row_sums_i8panels_dot(const int8_t *w, int n, int k, int32_t *sums);

// Bytes of signed activations a kernel keeps on its stack for one block of rows (the AVX2 kernel's
// budget too): with MC_ARM rows at most, k = 768 gives 64-row blocks and k = 3072 21-row ones.
#define ACT_BYTES 65536
#define MC_ARM 64

// The rows of a block that fit the buffer for k (at most MC_ARM), rounded down to a multiple of
// `step`; 0 when not even `step` rows fit (the caller then takes a slower path).
INLINE int block_rows(int k, int step) {
    int rows = ACT_BYTES / k < MC_ARM ? ACT_BYTES / k : MC_ARM;
    return rows - rows % step;
}

// dst[r][p] = a[r][p] - 128 as s8 for r < rows, p < k (k % 4 == 0).
INLINE void signed_rows(const uint8_t *a, int lda, int rows, int k, int8_t *dst, int ldd) {
    const uint8x16_t flip = vdupq_n_u8(0x80);
    for (int r = 0; r < rows; r++) {
        const uint8_t *src = a + (size_t)r * lda;
        int8_t *out = dst + (size_t)r * ldd;
        int p = 0;
        for (; p + 16 <= k; p += 16) vst1q_s8(out + p, vreinterpretq_s8_u8(veorq_u8(vld1q_u8(src + p), flip)));
        for (; p < k; p++) out[p] = (int8_t)(src[p] ^ 0x80);
    }
}

// Rows [i, i + mr) of the 16 output columns at j from their exact sums: the float epilogue (plain,
// residual add, column blocks or GeGLU with the gate's sums), or with no epilogue the int32 sums into
// c (ld ldc). `o` is panel_out(e, j).
INLINE void finish_tile(const epilogue *e, int gated, int mr, int i, int j, int32_t (*input)[PANEL],
                        int32_t (*gate)[PANEL], float *o, int32_t *c, int ldc) {
    for (int r = 0; r < mr; r++) {
        if (!e) memcpy(c + (size_t)(i + r) * ldc + j, input[r], PANEL * sizeof(int32_t));
        else if (gated) store_gated(e, i + r, j, input[r], gate[r], 0, o + (size_t)(i + r) * e->ldo);
        else store_plain(e, i + r, j, input[r], 0, o + (size_t)(i + r) * e->ldo);
    }
}

// The epilogue's output lines for rows [i, i + mr), fetched while the tile computes (a residual
// stream larger than L2 would otherwise stall the epilogue).
INLINE void prefetch_out(const epilogue *e, float *o, int i, int mr) {
    if (e)
        for (int r = 0; r < mr; r++) __builtin_prefetch(o + (size_t)(i + r) * e->ldo, 1, 3);
}

// A register tile: exact sums of rows [0, mr) of s8 activations (ld lda) against one weight panel.
typedef void (*arm_tile_fn)(int mr, int k, const int8_t *a, int lda, const int8_t *panel, int32_t (*out)[PANEL]);

// The loop nest of the NEON and dot-product kernels: row blocks of `block` rows, signed once into
// `act` (ACT_BYTES) and kept in L1/L2 while each panel (16 x k bytes, in L1) is read once per block
// and used by every tile of `mr_max` rows.
INLINE void gemm_row_blocks(const int mr_max, arm_tile_fn tile, int block, int8_t *act, int m, int n, int k,
                            const uint8_t *a, int lda, const int8_t *w, const epilogue *e, int gated, int32_t *c,
                            int ldc) {
    int32_t input[8][PANEL], gate[8][PANEL];
    for (int i0 = 0; i0 < m; i0 += block) {
        const int i1 = i0 + block < m ? i0 + block : m;
        signed_rows(a + (size_t)i0 * lda, lda, i1 - i0, k, act, k);
        for (int j = 0; j < n; j += PANEL) {
            const int8_t *panel = w + (size_t)j * k;
            float *o = e ? panel_out(e, j) : NULL;
            for (int i = i0; i < i1; i += mr_max) {
                const int mr = i1 - i < mr_max ? i1 - i : mr_max;
                const int8_t *rows = act + (size_t)(i - i0) * k;
                prefetch_out(e, o, i, mr);
                tile(mr, k, rows, k, panel, input);
                if (gated) tile(mr, k, rows, k, panel + (size_t)e->gate_offset * k, gate);
                finish_tile(e, gated, mr, i, j, input, gate, o, c, ldc);
            }
        }
    }
}

#endif
#endif
