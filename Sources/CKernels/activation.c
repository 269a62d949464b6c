// Activation functions over whole rows, and GeGLU (act(input) * gate) for the MLP.
//
// Written once with the vec16.h helpers and compiled per tier like the other kernels. These loops
// were Swift SIMD16 code first; Swift 6.3 lowered the same GELU expression to ymm operations in one
// function and to xmm operations with stack spills in another (1.7x slower), and it can only
// target one instruction set per build, so the AVX-512 hosts got AVX2 code.
#include "CKernels.h"
#include "vec16.h"

INLINE void gated_body(const int kind, const float *wi, int rows, int inner, float *out) {
    for (int r = 0; r < rows; r++) {
        const float *input = wi + (size_t)r * 2 * inner, *gate = input + inner;
        float *o = out + (size_t)r * inner;
        for (int i = 0; i < inner; i += 16) {
            size_t left = (size_t)(inner - i);
            store_part(o + i, activate(kind, load_part(input + i, left)) * load_part(gate + i, left), left);
        }
    }
}

INLINE void activate_body(const int kind, float *x, size_t count) {
    for (size_t i = 0; i < count; i += 16) store_part(x + i, activate(kind, load_part(x + i, count - i)), count - i);
}

// One copy of each loop per activation, so the choice is made once per call, not per vector.
#define PER_KIND(CALL) \
    switch (kind) { \
    case MB_ACT_GELU: CALL(MB_ACT_GELU); break; \
    case MB_ACT_GELU_TANH: CALL(MB_ACT_GELU_TANH); break; \
    case MB_ACT_QUICK_GELU: CALL(MB_ACT_QUICK_GELU); break; \
    case MB_ACT_RELU: CALL(MB_ACT_RELU); break; \
    default: CALL(MB_ACT_SILU); break; \
    }

#define GATED(K) gated_body(K, wi, rows, inner, out)
TIERS(gated, (const float *wi, int rows, int inner, int kind, float *out), PER_KIND(GATED))
#define ACTIVATE(K) activate_body(K, x, count)
TIERS(activate, (float *x, size_t count, int kind), PER_KIND(ACTIVATE))

void mb_gated_activation(const float *wi, int rows, int inner, int kind, float *out) {
    TIER_DISPATCH(gated, (wi, rows, inner, kind, out));
}

void mb_activate(float *x, size_t count, int kind) {
    TIER_DISPATCH(activate, (x, count, kind));
}
