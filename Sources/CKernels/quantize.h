// Per-row activation quantization for the W8A8 kernels, shared by mb_quantize_rows_u8 (convert.c)
// and the quantizing layer norm (layer_norm.c), each compiling it for its own tier.
#ifndef MB_QUANTIZE_H
#define MB_QUANTIZE_H

#include "vec16.h"

typedef uint8_t v16u8 __attribute__((vector_size(16)));

// x * inv rounded to the nearest integer (ties to even), clamped to [-127, 127], plus 128, as bytes.
// roundeven is one vrndscaleps / vroundps on the AVX tiers (the baseline tier calls libm per lane).
INLINE v16u8 quantize_vector(v16f x, float inv) {
    v16f v = x * inv;
    v = min_f(max_f(__builtin_elementwise_roundeven(v), splat(-127)), splat(127));
    return __builtin_convertvector(__builtin_convertvector(v, v16i) + 128, v16u8);
}

// Up to 16 values of x from column c on (zero past cols), times the column factors f when given:
// the smoothed activation x[c] * f[c] of an outlier-smoothed layer (Formats/model-file.md,
// quantization 2). One IEEE multiply per value, so every tier computes the same floats.
INLINE v16f load_smoothed(const float *x, const float *f, int c, int cols) {
    const v16f v = load_part(x + c, (size_t)(cols - c));
    return f ? v * load_part(f + c, (size_t)(cols - c)) : v;
}

// The same for a full vector (c + 16 <= cols).
INLINE v16f load_smoothed16(const float *x, const float *f, int c) {
    return f ? load_f32(x + c) * load_f32(f + c) : load_f32(x + c);
}

// One row, symmetric per-row int8: scale = max |x f| / 127, stored as u8 = round(x f / scale) + 128,
// with f the column factors (NULL: all 1). Written once on v16f, so every tier gives the same bytes;
// full vectors first, then one tail. Callers without factors pass a constant NULL and get the plain loop.
INLINE void quantize_row(const float *x, const float *f, int cols, uint8_t *q, float *scale_out) {
    v16f peak0 = splat(0), peak1 = splat(0);  // two chains hide the max latency
    int c = 0;
    for (; c + 32 <= cols; c += 32) {
        peak0 = max_f(peak0, abs_f(load_smoothed16(x, f, c)));
        peak1 = max_f(peak1, abs_f(load_smoothed16(x, f, c + 16)));
    }
    for (; c < cols; c += 16) peak0 = max_f(peak0, abs_f(load_smoothed(x, f, c, cols)));
    const float scale = hmax(max_f(peak0, peak1)) / 127.0f, inv = scale > 0 ? 1.0f / scale : 0.0f;
    *scale_out = scale;
    for (c = 0; c + 16 <= cols; c += 16) {
        v16u8 bytes = quantize_vector(load_smoothed16(x, f, c), inv);
        memcpy(q + c, &bytes, 16);
    }
    if (c < cols) {
        v16u8 bytes = quantize_vector(load_smoothed(x, f, c, cols), inv);
        memcpy(q + c, &bytes, (size_t)(cols - c));
    }
}

#endif
