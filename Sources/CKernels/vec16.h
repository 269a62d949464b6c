// 16 x fp32 lanes in Clang vector extensions, shared by the kernels that are written once and
// compiled per tier (gemv_f32.c, attention.c, activation.c, layer_norm.c, convert.c; the epilogue of
// the int8 GEMMs): on x86 a v16f is one zmm under an AVX-512 target attribute, two ymm under AVX2,
// four xmm at baseline; on ARM64 four NEON q registers. Helpers are always inlined into the tier's
// function, so no vector crosses a call and the -Wpsabi warning does not apply. `tiers.h` says how a
// body becomes one function per tier.
#ifndef MB_VEC16_H
#define MB_VEC16_H

#include <stdint.h>
#include <string.h>

#include "CKernels.h"
#include "tiers.h"

#pragma clang diagnostic ignored "-Wpsabi"

typedef float v16f __attribute__((vector_size(64)));
typedef int32_t v16i __attribute__((vector_size(64)));
typedef float v8f __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));

#define INLINE static inline __attribute__((always_inline))

INLINE v16f splat(float v) { return (v16f){v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v}; }
INLINE v16f load_f32(const float *p) { v16f v; memcpy(&v, p, 64); return v; }
INLINE void store_f32(float *p, v16f v) { memcpy(p, &v, 64); }

// Up to 16 floats, zero past `count`; tails go through the same vector arithmetic as full vectors.
INLINE v16f load_part(const float *p, size_t count) {
    if (count >= 16) return load_f32(p);
    v16f v = splat(0); memcpy(&v, p, count * 4); return v;
}

INLINE void store_part(float *p, v16f v, size_t count) {
    if (count >= 16) store_f32(p, v); else memcpy(p, &v, count * 4);
}

// Pairwise, so the reduction is short and identical on every tier.
INLINE float hsum(v16f v) {
    v8f a = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) + __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    v4f b = __builtin_shufflevector(a, a, 0, 1, 2, 3) + __builtin_shufflevector(a, a, 4, 5, 6, 7);
    return (b[0] + b[2]) + (b[1] + b[3]);
}

// Lane-wise `mask ? a : b` for a mask of all-ones / all-zeros lanes (what vector compares return).
INLINE v16f select_f(v16i mask, v16f a, v16f b) { return (v16f)(((v16i)a & mask) | ((v16i)b & ~mask)); }
INLINE v16f max_f(v16f a, v16f b) { return select_f(a < b, b, a); }
INLINE v16f min_f(v16f a, v16f b) { return select_f(b < a, b, a); }

// Halving steps, like hsum: four lane-wide maxima instead of a chain of fifteen.
INLINE float hmax(v16f v) {
    v = max_f(v, __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7));
    v = max_f(v, __builtin_shufflevector(v, v, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11));
    v = max_f(v, __builtin_shufflevector(v, v, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13));
    v = max_f(v, __builtin_shufflevector(v, v, 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14));
    return v[0];
}

// e^x per lane: x = n ln2 + r, then a degree-7 polynomial for e^r (relative error below 3e-7). Inputs are clamped to
// [-87.3, 88.3], so the result is never 0 or inf.
INLINE v16f exp_f(v16f x) {
    x = min_f(max_f(x, splat(-87.3f)), splat(88.3f));
    // Adding 1.5 * 2^23 rounds to the nearest integer and leaves it in the low mantissa bits.
    v16f shifted = x * 1.442695040888963f + 12582912.0f;
    v16f n = shifted - 12582912.0f;
    v16f r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    v16f p = splat(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + (r + 1.0f);
    v16i integer = (v16i)shifted - 0x4B400000;
    return p * (v16f)((integer + 127) << 23);
}

INLINE v16f abs_f(v16f x) { return (v16f)((v16i)x & 0x7FFFFFFF); }

// erf(x) per lane: Abramowitz & Stegun 7.1.26, erf(a) = 1 - poly(t) e^{-a^2} with t = 1 / (1 + p a),
// |error| < 6e-7 with float rounding; near 0, where 7.1.26 loses relative accuracy, the series.
INLINE v16f erf_f(v16f x) {
    v16f a = abs_f(x);
    v16f t = 1.0f / (1.0f + 0.3275911f * a);
    v16f poly = splat(1.061405429f);
    poly = poly * t - 1.453152027f;
    poly = poly * t + 1.421413741f;
    poly = poly * t - 0.284496736f;
    poly = poly * t + 0.254829592f;
    v16f y = 1.0f - poly * t * exp_f(-(a * a));
    v16f series = a * (1.1283791670955126f - 0.3761263890318375f * a * a);
    y = select_f(a < 0.05f, series, y);
    return select_f(x < 0.0f, -y, y);
}

// tanh(x) = 1 - 2 / (e^{2x} + 1): exact at the extremes; the odd series near 0.
INLINE v16f tanh_f(v16f x) {
    v16f t = 1.0f - 2.0f / (exp_f(2.0f * x) + 1.0f);
    v16f x2 = x * x;
    v16f series = x * (1.0f - x2 * (0.33333333f - x2 * 0.13333333f));
    return select_f(abs_f(x) < 0.01f, series, t);
}

// The activation functions of CKernels.h (MB_ACT_*), as in transformers. Shared by activation.c
// and the W8A8 kernel's fused GeGLU epilogue, so both compute the same floats.
INLINE v16f activate(const int kind, v16f x) {
    switch (kind) {
    case MB_ACT_GELU: return 0.5f * x * (1.0f + erf_f(x * 0.70710678118654752f));
    case MB_ACT_GELU_TANH: return 0.5f * x * (1.0f + tanh_f(0.79788456080286536f * (x + 0.044715f * x * x * x)));
    case MB_ACT_QUICK_GELU: return x / (1.0f + exp_f(-1.702f * x));
    case MB_ACT_RELU: return select_f(x < 0.0f, splat(0), x);
    default: return x / (1.0f + exp_f(-x));  // MB_ACT_SILU
    }
}

#endif
