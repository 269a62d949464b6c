// ARM64 CPU features and kernel tiers: 0 portable, 1 NEON (every ARM64 core; ASIMD is baseline),
// 2 dot product (SDOT/UDOT, FEAT_DotProd: Cortex-A55/A76 and later, Graviton 2+, Apple M1+),
// 3 int8 matrix multiply (SMMLA, FEAT_I8MM: Cortex-A510/A710/X2 and later, Graviton 3+, Apple M2+).
// Detected at run time (getauxval on Linux, sysctlbyname on macOS), so a binary built for the
// baseline runs on every core and uses what each one has.
#if defined(__aarch64__)
#include <stdio.h>

#include "../arch.h"
#include "arm.h"

#if defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif
#ifndef HWCAP2_I8MM
#define HWCAP2_I8MM (1 << 13)
#endif
#ifndef HWCAP_ASIMDHP
#define HWCAP_ASIMDHP (1 << 10)
#endif
#elif defined(__APPLE__)
#include <sys/sysctl.h>
static int sysctl_flag(const char *name) {
    int value = 0;
    size_t size = sizeof value;
    return sysctlbyname(name, &value, &size, 0, 0) == 0 && value != 0;
}
#endif

static int features = -1;

int mb_arm_features(void) {
    if (features < 0) {
        int f = MB_ARM_NEON;
#if defined(__linux__)
        unsigned long hw = getauxval(AT_HWCAP), hw2 = getauxval(AT_HWCAP2);
        if (hw & HWCAP_ASIMDDP) f |= MB_ARM_DOTPROD;
        if (hw2 & HWCAP2_I8MM) f |= MB_ARM_I8MM;
        if (hw & HWCAP_ASIMDHP) f |= MB_ARM_FP16;
#elif defined(__APPLE__)
        if (sysctl_flag("hw.optional.arm.FEAT_DotProd")) f |= MB_ARM_DOTPROD;
        if (sysctl_flag("hw.optional.arm.FEAT_I8MM")) f |= MB_ARM_I8MM;
        if (sysctl_flag("hw.optional.arm.FEAT_FP16")) f |= MB_ARM_FP16;
#endif
        features = f;
    }
    return features;
}

int mb_arch_best_tier(void) {
    int f = mb_arm_features();
    return (f & MB_ARM_I8MM) && (f & MB_ARM_DOTPROD) ? 3 : (f & MB_ARM_DOTPROD) ? 2 : 1;
}

int mb_arch_tier_count(void) { return 4; }

const char *mb_arch_tier_name(int tier) {
    static const char *const names[] = {"portable", "neon", "neon-dotprod", "neon-i8mm"};
    return names[tier];
}

const char *mb_arch_features_text(void) {
    static char text[64];
    if (!text[0]) {
        int f = mb_arm_features();
        snprintf(text, sizeof text, "arm64 asimd%s%s%s", (f & MB_ARM_FP16) ? " asimdhp" : "",
                 (f & MB_ARM_DOTPROD) ? " asimddp" : "", (f & MB_ARM_I8MM) ? " i8mm" : "");
    }
    return text;
}

#endif
