// int8 x int8 -> int32 matrix products for W8A8 linear layers.
//
// Weights come in "panels": 16 output rows at a time, k in groups of 4, so one 64-byte load
// holds w[j0..j0+15][p..p+3], exactly the operand vpdpbusd multiplies against four broadcast
// activation bytes. Activations are stored as u8 = q + 128 (vpdpbusd multiplies unsigned by
// signed), and the +128 is removed afterwards with the precomputed row sums of the weights:
// sum (q + 128) w = sum q w + 128 sum w. Every tier computes the same exact integers.
//
// This file holds the portable reference and the dispatch; each architecture's kernels live in its
// folder (x86/gemm_u8s8_avx2.c, x86/gemm_u8s8_vnni.c, arm/gemm_i8_neon.c, arm/gemm_i8_dot.c,
// arm/gemm_i8_mm.c) behind mb_arch_gemm_u8s8.
#include "CKernels.h"
#include "arch.h"
#include "gemm_epilogue.h"

static inline const int8_t *panel_ptr(const int8_t *w, int k, int j) { return w + (size_t)(j / PANEL) * PANEL * k; }

// ---------------------------------------------------------------- portable reference (tier 0)

static void gemm_portable(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w,
                          const int32_t *w_sums, int32_t *c, int ldc) {
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
            const int8_t *panel = panel_ptr(w, k, j);
            int r = j % PANEL;
            int32_t acc = 0;
            for (int p = 0; p < k; p += 4) {
                const int8_t *wv = panel + (size_t)(p / 4) * 64 + r * 4;
                const uint8_t *av = a + (size_t)i * lda + p;
                acc += av[0] * wv[0] + av[1] * wv[1] + av[2] * wv[2] + av[3] * wv[3];
            }
            c[(size_t)i * ldc + j] = acc - 128 * w_sums[j];
        }
    }
}

// The portable tier: the exact integer product 64 columns at a time into a stack buffer, then the
// same epilogue code.
static void gemm_rows_then_epilogue(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w,
                                    const epilogue *e, int gated) {
    int32_t input[64], gate[64];
    for (int i = 0; i < m; i++)
        for (int j0 = 0; j0 < n; j0 += 64) {
            int width = n - j0 < 64 ? n - j0 : 64;
            const uint8_t *row = a + (size_t)i * lda;
            gemm_portable(1, width, k, row, lda, w + (size_t)j0 * k, e->w_sums + j0, input, width);
            if (gated)
                gemm_portable(1, width, k, row, lda, w + (size_t)(j0 + e->gate_offset) * k, e->w_sums + j0 + e->gate_offset,
                              gate, width);
            for (int v = 0; v < width; v += 16) {
                float *o = panel_out(e, j0 + v) + (size_t)i * e->ldo;
                if (gated) store_gated(e, i, j0 + v, input + v, gate + v, 0, o);
                else store_plain(e, i, j0 + v, input + v, 0, o);
            }
        }
}

void mb_gemm_u8s8_portable(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w, const epilogue *e,
                           int gated, const int32_t *w_sums, int32_t *c, int ldc) {
    if (e) gemm_rows_then_epilogue(m, n, k, a, lda, w, e, gated);
    else gemm_portable(m, n, k, a, lda, w, w_sums, c, ldc);
}

// ---------------------------------------------------------------- dispatch

static mb_gemm_u8s8_fn active_gemm(void) {
    mb_gemm_u8s8_fn f = mb_arch_gemm_u8s8(mb_active_tier());
    return f ? f : mb_gemm_u8s8_portable;
}

void mb_gemm_u8s8_panels_i32(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w,
                             const int32_t *w_sums, int32_t *c, int ldc) {
    active_gemm()(m, n, k, a, lda, w, NULL, 0, w_sums, c, ldc);
}

void mb_gemm_u8s8_panels(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w,
                         const int32_t *w_sums, const float *a_scale, const float *w_scale,
                         const float *bias, int accumulate, float *out, int ldo) {
    epilogue e = {w_sums, a_scale, w_scale, bias, out, ldo, accumulate, 0, 0, 0, 0, 0};
    active_gemm()(m, n, k, a, lda, w, &e, 0, NULL, NULL, 0);
}

void mb_gemm_u8s8_panels_blocked(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w,
                                 const int32_t *w_sums, const float *a_scale, const float *w_scale,
                                 const float *bias, float *out, int col0, int block_cols, size_t block_stride) {
    epilogue e = {w_sums, a_scale, w_scale, bias, out, block_cols, 0, 0, 0, col0, block_cols, block_stride};
    active_gemm()(m, n, k, a, lda, w, &e, 0, NULL, NULL, 0);
}

void mb_gemm_u8s8_panels_gated(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w,
                               const int32_t *w_sums, const float *a_scale, const float *w_scale,
                               const float *bias, int gate_offset, int kind, float *out, int ldo) {
    epilogue e = {w_sums, a_scale, w_scale, bias, out, ldo, 0, gate_offset, kind, 0, 0, 0};
    active_gemm()(m, n, k, a, lda, w, &e, 1, NULL, NULL, 0);
}

// ---------------------------------------------------------------- weight row sums (computed at load)

void mb_row_sums_i8panels(const int8_t *w, int n, int k, int32_t *sums) {
    if (mb_arch_row_sums_i8panels(mb_active_tier(), w, n, k, sums)) return;
    for (int j0 = 0; j0 < n; j0 += PANEL) {
        const int8_t *panel = w + (size_t)j0 * k;
        for (int r = 0; r < PANEL; r++) sums[j0 + r] = 0;
        for (int p = 0; p < k; p += 4)
            for (int r = 0; r < PANEL; r++) {
                const int8_t *v = panel + (size_t)p * PANEL + r * 4;
                sums[j0 + r] += v[0] + v[1] + v[2] + v[3];
            }
    }
}
