// Measures the machine's int8 peak: independent vpdpbusd chains with no memory traffic, so the
// only limit is the dot-product units. `mbconvert bench --kernels` reports GEMM speed against it.
#include "CKernels.h"
#include <immintrin.h>

__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
static int64_t probe(int64_t iterations) {
    __m512i acc[24];
    for (int i = 0; i < 24; i++) acc[i] = _mm512_set1_epi32(i);
    __m512i a = _mm512_set1_epi8(1), b = _mm512_set1_epi8(2);
    for (int64_t it = 0; it < iterations; it++) {
        for (int i = 0; i < 24; i++) acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
        __asm__ volatile("" : "+v"(a));  // keep the loop from being folded
    }
    __m512i s = acc[0];
    for (int i = 1; i < 24; i++) s = _mm512_add_epi32(s, acc[i]);
    return _mm512_reduce_add_epi32(s);
}

int64_t mb_vnni_peak_probe(int64_t iterations) {
    if (!(mb_cpu_features() & 4)) return -1;
    return probe(iterations);
}
