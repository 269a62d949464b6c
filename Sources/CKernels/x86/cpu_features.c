// x86-64 CPU features and kernel tiers, ordered by what a CPU can do: 0 portable, 1 AVX2 (+ FMA,
// F16C), 2 AVX-VNNI (AVX2 + 256-bit vpdpbusd: VEX AVX-VNNI, or EVEX on an AVX-512 VNNI CPU),
// 3 AVX-512 (F, BW, VL), 4 AVX-512 VNNI. Support is not nested: Skylake-X has tier 3 but not 2.
#if defined(__x86_64__)
#include "../arch.h"
#include "x86.h"
#include <stdio.h>

static int features = -1;

int mb_x86_features(void) {
    if (features < 0) {
        __builtin_cpu_init();
        int f = 0;
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) f |= MB_X86_AVX2;
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
            f |= MB_X86_AVX512;
        if ((f & MB_X86_AVX512) && __builtin_cpu_supports("avx512vnni")) f |= MB_X86_AVX512_VNNI;
        if ((f & MB_X86_AVX512) && __builtin_cpu_supports("avx512bf16")) f |= MB_X86_AVX512_BF16;
        if (__builtin_cpu_supports("avxvnni")) f |= MB_X86_AVX_VNNI;
        features = f;
    }
    return features;
}

int mb_arch_tier_supported(int tier) {
    const int f = mb_x86_features();
    switch (tier) {
    case 0: return 1;
    case 1: return (f & MB_X86_AVX2) != 0;
    case 2: return (f & MB_X86_AVX2) && (f & (MB_X86_AVX_VNNI | MB_X86_AVX512_VNNI));
    case 3: return (f & MB_X86_AVX512) != 0;
    case 4: return (f & MB_X86_AVX512_VNNI) != 0;
    default: return 0;
    }
}

int mb_arch_best_tier(void) {
    int tier = mb_arch_tier_count() - 1;
    while (tier > 0 && !mb_arch_tier_supported(tier)) tier--;
    return tier;
}

int mb_arch_tier_count(void) { return 5; }

const char *mb_arch_tier_name(int tier) {
    static const char *const names[] = {"portable", "avx2", "avx-vnni", "avx512", "avx512-vnni"};
    return names[tier];
}

const char *mb_arch_features_text(void) {
    static char text[96];
    if (!text[0]) {
        int f = mb_x86_features();
        snprintf(text, sizeof text, "x86-64%s%s%s%s%s", (f & MB_X86_AVX2) ? " avx2 fma f16c" : "",
                 (f & MB_X86_AVX512) ? " avx512f avx512bw avx512vl" : "", (f & MB_X86_AVX512_VNNI) ? " avx512vnni" : "",
                 (f & MB_X86_AVX512_BF16) ? " avx512bf16" : "", (f & MB_X86_AVX_VNNI) ? " avxvnni" : "");
    }
    return text;
}

#endif
