#include "CKernels.h"

static int detected = -1;
static int forced = -1;

int mb_cpu_features(void) {
    if (detected < 0) {
        __builtin_cpu_init();
        int f = 0;
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) f |= 1;
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) f |= 2;
        if ((f & 2) && __builtin_cpu_supports("avx512vnni")) f |= 4;
        detected = f;
    }
    return detected;
}

void mb_force_tier(int tier) { forced = tier; }

int mb_active_tier(void) {
    int f = mb_cpu_features();
    int best = (f & 4) ? 3 : (f & 2) ? 2 : (f & 1) ? 1 : 0;
    if (forced >= 0 && forced < best) return forced;
    return best;
}
