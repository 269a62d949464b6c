// The int8 peak of an x86 tier: independent chains of the instructions its GEMM multiplies with, no
// memory traffic, so the only limit is the execution units. `mbconvert bench --kernels` reports the
// GEMM's speed against it.
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

// Tier 2 (gemm_u8s8_avxvnni.c): vpdpbusd ymm, 32 multiply-adds per instruction, built as the GEMM
// is (VEX for AVX-VNNI CPUs, EVEX ymm on AVX-512 VNNI CPUs). 12 chains, not 24: the VEX build has 16
// registers, and 12 covers latency x throughput (5 x 2 on Golden Cove, 4 x 2 on Zen 4).
#define YMM_CHAINS 12
#define YMM_PROBE(name, features, dpbusd) \
__attribute__((target(features))) static int64_t name(int64_t iterations) { \
    __m256i acc[YMM_CHAINS]; \
    for (int i = 0; i < YMM_CHAINS; i++) acc[i] = _mm256_set1_epi32(i); \
    __m256i a = _mm256_set1_epi8(1), b = _mm256_set1_epi8(2); \
    for (int64_t it = 0; it < iterations; it++) { \
        for (int i = 0; i < YMM_CHAINS; i++) acc[i] = dpbusd(acc[i], a, b); \
        __asm__ volatile("" : "+x"(a)); \
    } \
    __m256i s = acc[0]; \
    for (int i = 1; i < YMM_CHAINS; i++) s = _mm256_add_epi32(s, acc[i]); \
    return _mm256_extract_epi32(s, 0) + _mm256_extract_epi32(s, 7); \
}
YMM_PROBE(avxvnni_probe_vex, "avx2,avxvnni", _mm256_dpbusd_avx_epi32)
YMM_PROBE(avxvnni_probe_evex, "avx2,avx512f,avx512vl,avx512vnni", _mm256_dpbusd_epi32)

// Tiers 1 and 3 (gemm_u8s8_avx2.c): the kernel's register tile without its loads. Per product vector
// vpxor (sign mask onto the weights), vpmaddubsw, vpmaddwd against ones and vpaddd: 32 multiply-adds
// in four instructions, two of them on the multiply pipes. The barriers make the compiler treat the
// operands as new each round, so nothing is hoisted out of the loop.
__attribute__((target("avx2")))
static int64_t avx2_probe(int64_t iterations) {
    __m256i acc[2][4], w[4];
    __m256i u = _mm256_set1_epi8(3), mask = _mm256_set1_epi8(-1);
    const __m256i ones = _mm256_set1_epi16(1);
    for (int v = 0; v < 4; v++) {
        w[v] = _mm256_set1_epi8((char)(v + 1));
        acc[0][v] = acc[1][v] = _mm256_setzero_si256();
    }
    for (int64_t it = 0; it < iterations; it++) {
        __asm__ volatile("" : "+x"(w[0]), "+x"(w[1]), "+x"(w[2]), "+x"(w[3]));
        for (int r = 0; r < 2; r++) {
            __asm__ volatile("" : "+x"(u), "+x"(mask));
            for (int v = 0; v < 4; v++)
                acc[r][v] = _mm256_add_epi32(acc[r][v], _mm256_madd_epi16(_mm256_maddubs_epi16(u, _mm256_xor_si256(w[v], mask)), ones));
        }
    }
    __m256i s = _mm256_setzero_si256();
    for (int v = 0; v < 4; v++) s = _mm256_add_epi32(s, _mm256_add_epi32(acc[0][v], acc[1][v]));
    return _mm256_extract_epi32(s, 0) + _mm256_extract_epi32(s, 7);
}

int64_t mb_arch_int8_peak(int tier, int64_t iterations, const char **instruction) {
    volatile int64_t sink;
    if (tier == 4 && (mb_x86_features() & MB_X86_AVX512_VNNI)) {
        *instruction = "vpdpbusd zmm";
        sink = vnni_probe(iterations);
        (void)sink;
        return iterations * CHAINS * 64 * 2;  // 64 multiply-adds per instruction
    }
    if (tier == 2 && mb_arch_tier_supported(2)) {
        const int vex = (mb_x86_features() & MB_X86_AVX_VNNI) != 0;
        *instruction = vex ? "vpdpbusd ymm" : "vpdpbusd ymm (EVEX)";
        sink = vex ? avxvnni_probe_vex(iterations) : avxvnni_probe_evex(iterations);
        (void)sink;
        return iterations * YMM_CHAINS * 32 * 2;  // 32 multiply-adds per instruction
    }
    if (tier >= 1 && (mb_x86_features() & MB_X86_AVX2)) {
        *instruction = "vpmaddubsw + vpmaddwd ymm";
        sink = avx2_probe(iterations);
        (void)sink;
        return iterations * 8 * 32 * 2;  // 8 product vectors a round, 32 multiply-adds each
    }
    *instruction = "none";
    return 0;
}

#endif
