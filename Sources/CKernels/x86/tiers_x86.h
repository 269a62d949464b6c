// x86-64 tiers of a v16f kernel body (see tiers.h): tiers 3-4 AVX-512 (one zmm per v16f), tiers 1-2
// AVX2 + FMA + F16C (two ymm; AVX-VNNI adds nothing for floats), tier 0 baseline x86-64
// (`name##_portable`, four xmm).
#ifndef MB_TIERS_X86_H
#define MB_TIERS_X86_H
#if defined(__x86_64__)

#define TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))
#define TARGET_AVX2 __attribute__((target("avx2,fma,f16c")))

#define TIERS(name, params, body) \
    TARGET_AVX512 static void name##_avx512 params { enum { TIER_WIDE = 1 }; body } \
    TARGET_AVX2 static void name##_avx2 params { enum { TIER_WIDE = 0 }; body } \
    static void name##_portable params { enum { TIER_WIDE = 0 }; body }

#define TIER_DISPATCH(name, args) \
    do { \
        int tier_ = mb_active_tier(); \
        if (tier_ >= 3) name##_avx512 args; \
        else if (tier_ >= 1) name##_avx2 args; \
        else name##_portable args; \
    } while (0)

#endif
#endif
