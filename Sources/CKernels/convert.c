// Activation quantization and fp16 widening, dispatched like the GEMMs.
#include "CKernels.h"
#include <immintrin.h>
#include <math.h>

// Round to nearest, ties to even: the rule the vector conversions use, so every tier agrees.
static inline int32_t round_even(float x) { return (int32_t)nearbyintf(x); }

static void quantize_portable(const float *x, int cols, uint8_t *q, float *scale_out) {
    float peak = 0;
    for (int c = 0; c < cols; c++) { float v = fabsf(x[c]); if (v > peak) peak = v; }
    float scale = peak / 127.0f, inv = scale > 0 ? 1.0f / scale : 0.0f;
    *scale_out = scale;
    for (int c = 0; c < cols; c++) {
        int32_t v = round_even(x[c] * inv);
        v = v < -127 ? -127 : v > 127 ? 127 : v;
        q[c] = (uint8_t)(v + 128);
    }
}

__attribute__((target("avx512f,avx512bw,avx512vl")))
static void quantize_avx512(const float *x, int cols, uint8_t *q, float *scale_out) {
    __m512 peakv = _mm512_setzero_ps();
    int c = 0;
    for (; c + 16 <= cols; c += 16) peakv = _mm512_max_ps(peakv, _mm512_abs_ps(_mm512_loadu_ps(x + c)));
    float peak = _mm512_reduce_max_ps(peakv);
    for (; c < cols; c++) { float v = fabsf(x[c]); if (v > peak) peak = v; }
    float scale = peak / 127.0f, inv = scale > 0 ? 1.0f / scale : 0.0f;
    *scale_out = scale;
    __m512 invv = _mm512_set1_ps(inv);
    __m512i lo = _mm512_set1_epi32(-127), hi = _mm512_set1_epi32(127), off = _mm512_set1_epi32(128);
    for (c = 0; c + 16 <= cols; c += 16) {
        __m512i v = _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_loadu_ps(x + c), invv));  // ties to even (MXCSR default)
        v = _mm512_add_epi32(_mm512_min_epi32(_mm512_max_epi32(v, lo), hi), off);
        _mm_storeu_si128((__m128i *)(q + c), _mm512_cvtepi32_epi8(v));
    }
    for (; c < cols; c++) {
        int32_t v = round_even(x[c] * inv);
        v = v < -127 ? -127 : v > 127 ? 127 : v;
        q[c] = (uint8_t)(v + 128);
    }
}

void mb_quantize_rows_u8(const float *x, int rows, int cols, int ldx, uint8_t *q, int ldq, float *scales) {
    int avx512 = mb_active_tier() >= 2;
    for (int r = 0; r < rows; r++) {
        if (avx512) quantize_avx512(x + (size_t)r * ldx, cols, q + (size_t)r * ldq, scales + r);
        else quantize_portable(x + (size_t)r * ldx, cols, q + (size_t)r * ldq, scales + r);
    }
}

__attribute__((target("avx512f")))
static void f16_avx512(const uint16_t *src, float *dst, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(dst + i, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(src + i))));
    for (; i < n; i++) dst[i] = _cvtsh_ss(src[i]);
}

__attribute__((target("avx2,f16c")))
static void f16_f16c(const uint16_t *src, float *dst, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + i))));
    for (; i < n; i++) dst[i] = _cvtsh_ss(src[i]);
}

static float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1F, mant = h & 0x3FF;
    if (exp == 0) {   // zero or subnormal
        float f = ldexpf((float)mant, -24);
        return sign ? -f : f;
    }
    uint32_t bits = exp == 31 ? sign | 0x7F800000u | (mant << 13) : sign | ((exp + 112) << 23) | (mant << 13);
    float f; __builtin_memcpy(&f, &bits, 4);
    return f;
}

void mb_f16_to_f32(const uint16_t *src, float *dst, size_t n) {
    int tier = mb_active_tier();
    if (tier >= 2) { f16_avx512(src, dst, n); return; }
    if (tier == 1) { f16_f16c(src, dst, n); return; }
    for (size_t i = 0; i < n; i++) dst[i] = half_to_float(src[i]);
}

// Panel order -> scaled fp32 rows, for weight-only (w8a32) execution of panel-ordered matrices.
// Written as plain loops over one 16 x 4 group at a time; the compiler vectorises the conversion.
void mb_widen_panels_i8(const int8_t *w, int cols, const float *scales, int first, int count, float *out) {
    for (int p0 = first; p0 < first + count; p0 += 16) {
        const int8_t *panel = w + (size_t)p0 * cols;
        float *dst = out + (size_t)(p0 - first) * cols;
        for (int g = 0; g < cols / 4; g++) {
            const int8_t *group = panel + (size_t)g * 64;
            for (int r = 0; r < 16; r++) {
                float s = scales[p0 + r];
                float *d = dst + (size_t)r * cols + g * 4;
                d[0] = group[r * 4] * s; d[1] = group[r * 4 + 1] * s; d[2] = group[r * 4 + 2] * s; d[3] = group[r * 4 + 3] * s;
            }
        }
    }
}
