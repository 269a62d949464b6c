// Activation quantization and fp16 widening.
#include "CKernels.h"
#include "vec16.h"

typedef uint8_t v16u8 __attribute__((vector_size(16)));

// x * inv rounded to the nearest integer (ties to even), clamped to [-127, 127], plus 128, as bytes.
// roundeven is one vrndscaleps / vroundps on the AVX tiers (the baseline tier calls libm per lane).
INLINE v16u8 quantize_vector(v16f x, float inv) {
    v16f v = x * inv;
    v = min_f(max_f(__builtin_elementwise_roundeven(v), splat(-127)), splat(127));
    return __builtin_convertvector(__builtin_convertvector(v, v16i) + 128, v16u8);
}

// One row, symmetric per-row int8: scale = max |x| / 127, stored as u8 = round(x / scale) + 128.
// Written once on v16f, so every tier gives the same bytes; full vectors first, then one tail.
INLINE void quantize_row(const float *x, int cols, uint8_t *q, float *scale_out) {
    v16f peak0 = splat(0), peak1 = splat(0);  // two chains hide the max latency
    int c = 0;
    for (; c + 32 <= cols; c += 32) {
        peak0 = max_f(peak0, abs_f(load_f32(x + c)));
        peak1 = max_f(peak1, abs_f(load_f32(x + c + 16)));
    }
    for (; c < cols; c += 16) peak0 = max_f(peak0, abs_f(load_part(x + c, (size_t)(cols - c))));
    const float scale = hmax(max_f(peak0, peak1)) / 127.0f, inv = scale > 0 ? 1.0f / scale : 0.0f;
    *scale_out = scale;
    for (c = 0; c + 16 <= cols; c += 16) {
        v16u8 bytes = quantize_vector(load_f32(x + c), inv);
        memcpy(q + c, &bytes, 16);
    }
    if (c < cols) {
        v16u8 bytes = quantize_vector(load_part(x + c, (size_t)(cols - c)), inv);
        memcpy(q + c, &bytes, (size_t)(cols - c));
    }
}

TIERS(quantize, (const float *x, int rows, int cols, int ldx, uint8_t *q, int ldq, float *scales), {
    for (int r = 0; r < rows; r++) quantize_row(x + (size_t)r * ldx, cols, q + (size_t)r * ldq, scales + r);
})

void mb_quantize_rows_u8(const float *x, int rows, int cols, int ldx, uint8_t *q, int ldq, float *scales) {
    TIER_DISPATCH(quantize, (x, rows, cols, ldx, q, ldq, scales));
}

typedef _Float16 v16h __attribute__((vector_size(32)));

// fp16 -> fp32 is exact for every value; the AVX2 and AVX-512 tiers convert with vcvtph2ps.
TIERS(widen_f16, (const uint16_t *src, float *dst, size_t n), {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        v16h h; memcpy(&h, src + i, 32);
        v16f f = __builtin_convertvector(h, v16f);
        memcpy(dst + i, &f, 64);
    }
    for (; i < n; i++) { _Float16 h; memcpy(&h, src + i, 2); dst[i] = (float)h; }
})

void mb_f16_to_f32(const uint16_t *src, float *dst, size_t n) {
    TIER_DISPATCH(widen_f16, (src, dst, n));
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
