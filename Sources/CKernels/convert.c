// Activation quantization and fp16 widening.
#include "CKernels.h"
#include "quantize.h"

TIERS(quantize, (const float *x, int rows, int cols, int ldx, const float *f, uint8_t *q, int ldq, float *scales), {
    if (!f) for (int r = 0; r < rows; r++) quantize_row(x + (size_t)r * ldx, NULL, cols, q + (size_t)r * ldq, scales + r);
    else for (int r = 0; r < rows; r++) quantize_row(x + (size_t)r * ldx, f, cols, q + (size_t)r * ldq, scales + r);
})

void mb_quantize_rows_u8(const float *x, int rows, int cols, int ldx, uint8_t *q, int ldq, float *scales) {
    TIER_DISPATCH(quantize, (x, rows, cols, ldx, NULL, q, ldq, scales));
}

void mb_quantize_rows_u8_smoothed(const float *x, int rows, int cols, int ldx, const float *factors, uint8_t *q, int ldq,
                                  float *scales) {
    TIER_DISPATCH(quantize, (x, rows, cols, ldx, factors, q, ldq, scales));
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
