// How a kernel body written once on v16f (vec16.h) becomes one function per CPU tier, and the call of
// the one the CPU runs:
//
//   TIERS(name, (params), { body })   defines the tier functions of `body`
//   TIER_DISPATCH(name, (args))       calls the one for mb_active_tier()
//
// Inside a body, TIER_WIDE is 1 where a v16f is one register and registers are plentiful (x86
// AVX-512: 32 zmm), so kernels can pick larger register tiles, and 0 elsewhere.
//
// Each architecture that compiles bodies for several instruction sets defines these in its folder;
// everywhere else (ARM64, whose NEON is baseline, and any other target) there is one function,
// `name##_portable`, compiled for the build's baseline.
#ifndef MB_TIERS_H
#define MB_TIERS_H

#if defined(__x86_64__)
#include "x86/tiers_x86.h"
#else
#define TIERS(name, params, body) \
    static void name##_portable params { enum { TIER_WIDE = 0 }; body }
#define TIER_DISPATCH(name, args) name##_portable args
#endif

#endif
