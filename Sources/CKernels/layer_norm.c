// Layer norm over rows, optionally quantizing each normalised row for the W8A8 kernels while it is
// still in L1, so a W8A8 layer's input is never stored in fp32.
//
// Two passes (mean, then squared deviations) keep the variance accurate in fp32; two accumulators
// per pass hide the add latency. Tails go through the same vector code on zero-padded loads.
#include "CKernels.h"
#include "quantize.h"

INLINE void norm_row(const float *x, int cols, const float *w, const float *b, float eps, float *y) {
    const v16i iota = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    v16f s0 = splat(0), s1 = splat(0);
    int i = 0;
    for (; i + 32 <= cols; i += 32) { s0 += load_f32(x + i); s1 += load_f32(x + i + 16); }
    for (; i < cols; i += 16) s0 += load_part(x + i, (size_t)(cols - i));
    const float mean = hsum(s0 + s1) / (float)cols;
    v16f q0 = splat(0), q1 = splat(0);
    for (i = 0; i + 32 <= cols; i += 32) {
        v16f d0 = load_f32(x + i) - mean, d1 = load_f32(x + i + 16) - mean;
        q0 += d0 * d0; q1 += d1 * d1;
    }
    for (; i < cols; i += 16) {
        v16f d = select_f(iota + i < cols, load_part(x + i, (size_t)(cols - i)) - mean, splat(0));
        q0 += d * d;
    }
    const float inv = 1.0f / __builtin_sqrtf(hsum(q0 + q1) / (float)cols + eps);
    for (i = 0; i < cols; i += 16) {
        size_t left = (size_t)(cols - i);
        v16f v = (load_part(x + i, left) - mean) * inv * load_part(w + i, left);
        store_part(y + i, b ? v + load_part(b + i, left) : v, left);
    }
}

INLINE void norm_body(const float *x, int rows, int cols, const float *w, const float *b, float eps, float *y,
                      uint8_t *q, int ldq, float *scales, float *row) {
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * cols;
        if (!q) { norm_row(xr, cols, w, b, eps, y + (size_t)r * cols); continue; }
        norm_row(xr, cols, w, b, eps, row);
        quantize_row(row, NULL, cols, q + (size_t)r * ldq, scales + r);
    }
}

TIERS(norm, (const float *x, int rows, int cols, const float *w, const float *b, float eps, float *y, uint8_t *q,
             int ldq, float *scales, float *row),
      norm_body(x, rows, cols, w, b, eps, y, q, ldq, scales, row);)

void mb_layer_norm(const float *x, int rows, int cols, const float *weight, const float *bias, float eps, float *y) {
    TIER_DISPATCH(norm, (x, rows, cols, weight, bias, eps, y, NULL, 0, NULL, NULL));
}

void mb_layer_norm_quantize_u8(const float *x, int rows, int cols, const float *weight, const float *bias, float eps,
                               float *row, uint8_t *q, int ldq, float *scales) {
    TIER_DISPATCH(norm, (x, rows, cols, weight, bias, eps, NULL, q, ldq, scales, row));
}
