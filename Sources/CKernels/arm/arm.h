// What the ARM64 files share: the CPU feature bits (cpu_features.c) and the per-tier kernels.
#ifndef MB_ARM_H
#define MB_ARM_H
#if defined(__aarch64__)

#include "../arch.h"

enum {
    MB_ARM_NEON = 1,      // ASIMD: baseline on ARM64
    MB_ARM_DOTPROD = 2,   // SDOT/UDOT
    MB_ARM_I8MM = 4,      // SMMLA/UMMLA/USMMLA
    MB_ARM_FP16 = 8,      // half-precision arithmetic (conversions are baseline)
};

/// The MB_ARM_* bits this CPU has.
int mb_arm_features(void);

#endif
#endif
