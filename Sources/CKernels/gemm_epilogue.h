// The float epilogue of the int8 GEMMs: what becomes of a finished tile of int32 dot products
// (dequantize, scale, bias, then a plain store, a residual add, column blocks or GeGLU). Every
// implementation (gemm_u8s8.c's portable one, x86/, arm/) includes it, so the helpers are compiled for
// each caller's target and every tier computes the same floats from the same integers.
#ifndef MB_GEMM_EPILOGUE_H
#define MB_GEMM_EPILOGUE_H

#include "vec16.h"

#define PANEL 16

// What becomes of a finished int32 dot product: the arguments of mb_gemm_u8s8_panels{,_gated}.
typedef struct epilogue {
    const int32_t *w_sums;
    const float *a_scale, *w_scale, *bias;
    float *out;
    int ldo, accumulate, gate_offset, kind;
    // Column blocks (mb_gemm_u8s8_panels_blocked): column j is column (col0 + j) % block_cols of
    // block (col0 + j) / block_cols, blocks block_stride floats apart; 0 = plain rows of ldo.
    int col0, block_cols;
    size_t block_stride;
} epilogue;

// Where row 0 of the panel of columns [j, j + 16) goes; row i is i * ldo floats further (a panel never
// straddles a column block). Callers hoist this out of their row loops: the division is not free.
INLINE float *panel_out(const epilogue *e, int j) {
    if (!e->block_cols) return e->out + j;
    const int c = e->col0 + j;
    return e->out + (size_t)(c / e->block_cols) * e->block_stride + c % e->block_cols;
}

// y for columns [j, j + 16) of row i from their 16 int32 sums at `s`: sums of (q + 128) w when
// `offset` (the VNNI accumulators; the weight row sums remove the +128), else the exact sums of q w.
// Vectors are passed by address: these helpers are compiled for the caller's tier, and a vector
// argument from an AVX-512 function to a baseline one would change the ABI.
INLINE v16f dequantize(const epilogue *e, int i, int j, const void *s, int offset) {
    v16i sums; memcpy(&sums, s, 64);
    if (offset) {
        v16i comp; memcpy(&comp, e->w_sums + j, 64);
        sums -= comp << 7;
    }
    v16f y = __builtin_convertvector(sums, v16f) * (e->a_scale[i] * load_f32(e->w_scale + j));
    return e->bias ? y + load_f32(e->bias + j) : y;
}

// Plain: o = y, or o += y (a residual connection added where the product is made); `o` is where
// y[i][j .. j + 16) goes.
INLINE void store_plain(const epilogue *e, int i, int j, const void *s, int offset, float *o) {
    v16f y = dequantize(e, i, j, s, offset);
    store_f32(o, e->accumulate ? load_f32(o) + y : y);
}

// GeGLU: out = act(y[j]) * y[j + gate_offset], so the [rows, 2 x inner] product is never stored.
INLINE void store_gated(const epilogue *e, int i, int j, const void *input, const void *gate, int offset, float *o) {
    store_f32(o, activate(e->kind, dequantize(e, i, j, input, offset)) * dequantize(e, i, j + e->gate_offset, gate, offset));
}

#endif
