// The int8 peak of an x86 tier: independent chains of its dot-product instruction with no memory
// traffic, so the only limit is the execution units. `mbconvert bench --kernels` reports the GEMM's
// speed against it.
#if defined(__x86_64__)
#include <immintrin.h>

#include "x86.h"

#define CHAINS 24  // more independent accumulators than latency x throughput on any current core

__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
static int64_t vnni_probe(int64_t iterations) {
    __m512i acc[CHAINS];
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_set1_epi32(i);
    __m512i a = _mm512_set1_epi8(1), b = _mm512_set1_epi8(2);
    for (int64_t it = 0; it < iterations; it++) {
        for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
        __asm__ volatile("" : "+v"(a));  // keep the loop from being folded
    }
    __m512i s = acc[0];
    for (int i = 1; i < CHAINS; i++) s = _mm512_add_epi32(s, acc[i]);
    return _mm512_reduce_add_epi32(s);
}

int64_t mb_arch_int8_peak(int tier, int64_t iterations, const char **instruction) {
    volatile int64_t sink;
    if (tier == 3 && (mb_x86_features() & MB_X86_AVX512_VNNI)) {
        *instruction = "vpdpbusd zmm";
        sink = vnni_probe(iterations);
        (void)sink;
        return iterations * CHAINS * 64 * 2;  // 64 multiply-adds per instruction
    }
    *instruction = "none";
    return 0;
}

#endif
