// Weight-only products for a few activation rows: y = x W^T * scale + bias with fp32 activations
// and int8 / fp16 / bf16 weights converted to fp32 in registers.
//
// With few rows, widening whole weight panels to fp32 and calling sgemm writes and re-reads four
// times the weight bytes for very little arithmetic; here each weight is converted once per tile
// and used for every row of the tile straight from registers.
//
// The bodies are written once with Clang vector extensions (16 x fp32 lanes) and compiled once per
// tier (tiers.h): on x86 AVX-512 (one zmm per vector), AVX2 + FMA + F16C (two ymm) and baseline
// (SSE); on ARM64 NEON. The lane arithmetic is the same on every tier; only the fusing of
// multiply-adds differs, which stays within float rounding.
#include "CKernels.h"
#include "vec16.h"

typedef int8_t v16c __attribute__((vector_size(16)));
typedef uint16_t v16s __attribute__((vector_size(32)));
typedef uint32_t v16u __attribute__((vector_size(64)));
typedef _Float16 v16h __attribute__((vector_size(32)));

// ---------------------------------------------------------------- panel-ordered int8

// One 64-byte panel group holds w[row 0..15][p..p+3], row r in int32 lane r, column p+j in byte j.
// Shifting byte j to the top and arithmetic-shifting back sign-extends it into the lane.
INLINE void panel_group(const int8_t *g, v16f out[4]) {
    v16i raw; memcpy(&raw, g, 64);
    out[0] = __builtin_convertvector((raw << 24) >> 24, v16f);
    out[1] = __builtin_convertvector((raw << 16) >> 24, v16f);
    out[2] = __builtin_convertvector((raw << 8) >> 24, v16f);
    out[3] = __builtin_convertvector(raw >> 24, v16f);
}

// T activation rows x P panels (16 output columns each); T and P are constants after inlining,
// so the T x P accumulators stay in registers.
INLINE void panel_tile(const int T, const int P, int k, const float *x, int ldx, const int8_t *w,
                       const float *scale, const float *bias, float *out, int ldo) {
    v16f acc[8][2];
    for (int t = 0; t < T; t++) for (int q = 0; q < P; q++) acc[t][q] = splat(0);
    for (int p = 0; p < k; p += 4) {
        v16f wv[2][4];
        for (int q = 0; q < P; q++) panel_group(w + (size_t)q * 16 * k + (size_t)p * 16, wv[q]);
        for (int t = 0; t < T; t++) {
            const float *xr = x + (size_t)t * ldx + p;
            for (int j = 0; j < 4; j++) {
                v16f xs = splat(xr[j]);
                for (int q = 0; q < P; q++) acc[t][q] += wv[q][j] * xs;
            }
        }
    }
    for (int q = 0; q < P; q++) {
        v16f s = load_f32(scale + q * 16), b = bias ? load_f32(bias + q * 16) : splat(0);
        for (int t = 0; t < T; t++) store_f32(out + (size_t)t * ldo + q * 16, acc[t][q] * s + b);
    }
}

#define PANEL_ROWS_CASES(P) \
    switch (T) { \
    case 8: panel_tile(8, P, k, xr, ldx, wp, sp, bp, op, ldo); break; \
    case 7: panel_tile(7, P, k, xr, ldx, wp, sp, bp, op, ldo); break; \
    case 6: panel_tile(6, P, k, xr, ldx, wp, sp, bp, op, ldo); break; \
    case 5: panel_tile(5, P, k, xr, ldx, wp, sp, bp, op, ldo); break; \
    case 4: panel_tile(4, P, k, xr, ldx, wp, sp, bp, op, ldo); break; \
    case 3: panel_tile(3, P, k, xr, ldx, wp, sp, bp, op, ldo); break; \
    case 2: panel_tile(2, P, k, xr, ldx, wp, sp, bp, op, ldo); break; \
    default: panel_tile(1, P, k, xr, ldx, wp, sp, bp, op, ldo); break; \
    }

// Up to PMAX panels (16 columns each) at a time; the weight block stays in L1 while every group of
// up to TMAX activation rows passes over it. The limits are per tier: AVX-512 has 32 vector
// registers (8 x 2 accumulators + 8 converted weights fit), AVX2 16 (where a 16-lane vector takes two).
INLINE void panels_body(int m, int n, int k, const float *x, int ldx, const int8_t *w,
                        const float *scale, const float *bias, float *out, int ldo, const int TMAX, const int PMAX) {
    for (int j = 0; j < n; j += 16 * PMAX) {
        const int pair = PMAX == 2 && n - j >= 32;
        const int8_t *wp = w + (size_t)j * k;
        const float *sp = scale + j, *bp = bias ? bias + j : 0;
        for (int i = 0; i < m; i += TMAX) {
            const int T = m - i < TMAX ? m - i : TMAX;
            const float *xr = x + (size_t)i * ldx;
            float *op = out + (size_t)i * ldo + j;
            if (pair) { PANEL_ROWS_CASES(2) } else { PANEL_ROWS_CASES(1) }
        }
    }
}

// Wide tiers: 8 rows x 2 panels; others 4 x 1 (4 accumulators + 4 weights: 16 ymm on AVX2).
TIERS(panels, (int m, int n, int k, const float *x, int ldx, const int8_t *w, const float *scale, const float *bias,
               float *out, int ldo),
      panels_body(m, n, k, x, ldx, w, scale, bias, out, ldo, TIER_WIDE ? 8 : 4, TIER_WIDE ? 2 : 1);)

void mb_gemv_f32_i8panels(int m, int n, int k, const float *x, int ldx, const int8_t *w,
                          const float *scale, const float *bias, float *out, int ldo) {
    TIER_DISPATCH(panels, (m, n, k, x, ldx, w, scale, bias, out, ldo));
}

// ---------------------------------------------------------------- row-major int8 / fp16 / bf16

enum { W_I8, W_F16, W_BF16 };

// Sixteen consecutive weights of one row as fp32 (unscaled).
INLINE v16f load_w(const int kind, const void *w, size_t i) {
    if (kind == W_I8) { v16c v; memcpy(&v, (const int8_t *)w + i, 16); return __builtin_convertvector(v, v16f); }
    if (kind == W_F16) { v16h v; memcpy(&v, (const uint16_t *)w + i, 32); return __builtin_convertvector(v, v16f); }
    v16s v; memcpy(&v, (const uint16_t *)w + i, 32);
    v16u bits = __builtin_convertvector(v, v16u) << 16;
    v16f f; memcpy(&f, &bits, 64); return f;
}

INLINE float load_w1(const int kind, const void *w, size_t i) {
    if (kind == W_I8) return ((const int8_t *)w)[i];
    if (kind == W_F16) return (float)((const _Float16 *)w)[i];
    uint32_t bits = (uint32_t)((const uint16_t *)w)[i] << 16;
    float f; memcpy(&f, &bits, 4); return f;
}

// R weight rows x T activation rows of dot products along k, reduced at the end. At most 4 x 4 on
// AVX-512 and 2 x 2 on AVX2, whose 16 registers hold a 16-lane vector in two (4 x 4 spilled: 2x slower).
INLINE void rows_tile(const int kind, const int R, const int T, int k, const float *x, int ldx,
                      const void *w, size_t row0, const float *scale, const float *bias, float *out, int ldo) {
    const char *w_bytes = (const char *)w;
    const size_t elem = kind == W_I8 ? 1 : 2;
    v16f acc[4][4];
    for (int r = 0; r < R; r++) for (int t = 0; t < T; t++) acc[r][t] = splat(0);
    int p = 0;
    for (; p + 16 <= k; p += 16) {
        v16f xv[4];
        for (int t = 0; t < T; t++) xv[t] = load_f32(x + (size_t)t * ldx + p);
        for (int r = 0; r < R; r++) {
            v16f wv = load_w(kind, w, (row0 + r) * (size_t)k + p);
            for (int t = 0; t < T; t++) acc[r][t] += wv * xv[t];
            // The next rows' bytes at this depth: rows are short streams (k elements) that the
            // hardware prefetcher picks up too late; measured 2-3x on weights streamed from DRAM.
            __builtin_prefetch(w_bytes + ((row0 + R + r) * (size_t)k + p) * elem, 0, 0);
        }
    }
    for (int r = 0; r < R; r++) {
        float s = scale ? scale[row0 + r] : 1.0f, b = bias ? bias[row0 + r] : 0.0f;
        for (int t = 0; t < T; t++) {
            float sum = hsum(acc[r][t]);
            for (int q = p; q < k; q++) sum += load_w1(kind, w, (row0 + r) * (size_t)k + q) * x[(size_t)t * ldx + q];
            out[(size_t)t * ldo + row0 + r] = sum * s + b;
        }
    }
}

#define ROWS_T_CASES(kind, R) \
    switch (T) { \
    case 4: rows_tile(kind, R, 4, k, xr, ldx, w, j, scale, bias, op, ldo); break; \
    case 3: rows_tile(kind, R, 3, k, xr, ldx, w, j, scale, bias, op, ldo); break; \
    case 2: rows_tile(kind, R, 2, k, xr, ldx, w, j, scale, bias, op, ldo); break; \
    default: rows_tile(kind, R, 1, k, xr, ldx, w, j, scale, bias, op, ldo); break; \
    }

INLINE void rows_body(const int kind, int m, int n, int k, const float *x, int ldx, const void *w,
                      const float *scale, const float *bias, float *out, int ldo, const int RMAX, const int TMAX) {
    for (size_t j = 0; j < (size_t)n; j += RMAX) {
        const int R = n - (int)j < RMAX ? n - (int)j : RMAX;
        for (int i = 0; i < m; i += TMAX) {
            const int T = m - i < TMAX ? m - i : TMAX;
            const float *xr = x + (size_t)i * ldx;
            float *op = out + (size_t)i * ldo;
            if (R == 4) { ROWS_T_CASES(kind, 4) }
            else if (R == 3) { ROWS_T_CASES(kind, 3) }
            else if (R == 2) { ROWS_T_CASES(kind, 2) }
            else { ROWS_T_CASES(kind, 1) }
        }
    }
}

#define ROWS_ENTRY(name, kind, wtype) \
    TIERS(name, (int m, int n, int k, const float *x, int ldx, const wtype *w, const float *scale, const float *bias, \
                 float *out, int ldo), \
          rows_body(kind, m, n, k, x, ldx, w, scale, bias, out, ldo, TIER_WIDE ? 4 : 2, TIER_WIDE ? 4 : 2);) \
    void name(int m, int n, int k, const float *x, int ldx, const wtype *w, const float *scale, \
              const float *bias, float *out, int ldo) { \
        TIER_DISPATCH(name, (m, n, k, x, ldx, w, scale, bias, out, ldo)); \
    }

ROWS_ENTRY(mb_gemv_f32_i8rows, W_I8, int8_t)
ROWS_ENTRY(mb_gemv_f32_f16rows, W_F16, uint16_t)
ROWS_ENTRY(mb_gemv_f32_bf16rows, W_BF16, uint16_t)
