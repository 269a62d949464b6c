// The int8 peak of an ARM64 tier: independent chains of its multiply-add step with no memory
// traffic, so the only limit is the vector units. `mbconvert bench --kernels` reports the GEMM's
// speed against it.
#if defined(__aarch64__)
#include <arm_neon.h>

#include "arm.h"

#define CHAINS 16  // independent accumulators: more than latency x throughput on current cores

// Tier 1: the plain-NEON kernel's step, SMULL + SMLAL + SADALP (16 multiply-adds in 3 instructions).
static int64_t neon_probe(int64_t iterations) {
    int32x4_t acc[CHAINS];
    for (int i = 0; i < CHAINS; i++) acc[i] = vdupq_n_s32(i);
    int8x8_t a = vdup_n_s8(1), b = vdup_n_s8(2);
    for (int64_t it = 0; it < iterations; it++) {
        for (int i = 0; i < CHAINS; i++) acc[i] = vpadalq_s16(acc[i], vmlal_s8(vmull_s8(a, b), b, a));
        __asm__ volatile("" : "+w"(a), "+w"(b));  // keep the loop from being folded
    }
    int32x4_t s = acc[0];
    for (int i = 1; i < CHAINS; i++) s = vaddq_s32(s, acc[i]);
    return vaddvq_s32(s);
}

// Tier 2: SDOT (16 multiply-adds).
__attribute__((target("dotprod"))) static int64_t dot_probe(int64_t iterations) {
    int32x4_t acc[CHAINS];
    for (int i = 0; i < CHAINS; i++) acc[i] = vdupq_n_s32(i);
    int8x16_t a = vdupq_n_s8(1), b = vdupq_n_s8(2);
    for (int64_t it = 0; it < iterations; it++) {
        for (int i = 0; i < CHAINS; i++) acc[i] = vdotq_s32(acc[i], a, b);
        __asm__ volatile("" : "+w"(a));
    }
    int32x4_t s = acc[0];
    for (int i = 1; i < CHAINS; i++) s = vaddq_s32(s, acc[i]);
    return vaddvq_s32(s);
}

// Tier 3: SMMLA (32 multiply-adds).
__attribute__((target("i8mm"))) static int64_t mm_probe(int64_t iterations) {
    int32x4_t acc[CHAINS];
    for (int i = 0; i < CHAINS; i++) acc[i] = vdupq_n_s32(i);
    int8x16_t a = vdupq_n_s8(1), b = vdupq_n_s8(2);
    for (int64_t it = 0; it < iterations; it++) {
        for (int i = 0; i < CHAINS; i++) acc[i] = vmmlaq_s32(acc[i], a, b);
        __asm__ volatile("" : "+w"(a));
    }
    int32x4_t s = acc[0];
    for (int i = 1; i < CHAINS; i++) s = vaddq_s32(s, acc[i]);
    return vaddvq_s32(s);
}

int64_t mb_arch_int8_peak(int tier, int64_t iterations, const char **instruction) {
    volatile int64_t sink;
    const int f = mb_arm_features();
    if (tier >= 3 && (f & MB_ARM_I8MM)) {
        *instruction = "smmla";
        sink = mm_probe(iterations);
        (void)sink;
        return iterations * CHAINS * 32 * 2;
    }
    if (tier >= 2 && (f & MB_ARM_DOTPROD)) {
        *instruction = "sdot";
        sink = dot_probe(iterations);
        (void)sink;
        return iterations * CHAINS * 16 * 2;
    }
    if (tier >= 1) {
        *instruction = "smull+smlal+sadalp";
        sink = neon_probe(iterations);
        (void)sink;
        return iterations * CHAINS * 16 * 2;
    }
    *instruction = "none";
    return 0;
}

#endif
