// The kernel tier: the best the CPU has (found by the architecture's cpu_features.c), or a lower one
// forced for tests and benchmarks. Tier numbers are per architecture; their names come from
// mb_tier_name, so callers never spell an instruction set. Tiers are ordered by what a CPU can do,
// but support need not be nested (x86: a Skylake-X has avx512 and no VNNI of either kind, so no
// avx-vnni), so a forced tier resolves to the best supported tier at or below it.
#include "CKernels.h"
#include "arch.h"

static int best = -1;
static int forced = -1;
static int active = -1;  // resolved from `forced` once, not on every kernel call

int mb_best_tier(void) {
    if (best < 0) best = mb_arch_best_tier();
    return best;
}

int mb_tier_supported(int tier) { return tier >= 0 && tier < mb_arch_tier_count() && mb_arch_tier_supported(tier); }

static int resolve(int limit) {
    int t = mb_best_tier();
    if (limit >= 0 && limit < t) t = limit;
    while (t > 0 && !mb_tier_supported(t)) t--;
    return t;
}

void mb_force_tier(int tier) {
    forced = tier;
    active = resolve(tier);
}

int mb_active_tier(void) {
    if (active < 0) active = resolve(forced);
    return active;
}

int mb_tier_count(void) { return mb_arch_tier_count(); }

const char *mb_tier_name(int tier) {
    return tier >= 0 && tier < mb_arch_tier_count() ? mb_arch_tier_name(tier) : "unknown";
}

const char *mb_cpu_features_text(void) { return mb_arch_features_text(); }
