// The kernel tier: the best the CPU has (found by the architecture's cpu_features.c), or a lower one
// forced for tests and benchmarks. Tier numbers are per architecture; their names come from
// mb_tier_name, so callers never spell an instruction set.
#include "CKernels.h"
#include "arch.h"

static int best = -1;
static int forced = -1;

int mb_best_tier(void) {
    if (best < 0) best = mb_arch_best_tier();
    return best;
}

void mb_force_tier(int tier) { forced = tier; }

int mb_active_tier(void) {
    int b = mb_best_tier();
    return forced >= 0 && forced < b ? forced : b;
}

int mb_tier_count(void) { return mb_arch_tier_count(); }

const char *mb_tier_name(int tier) {
    return tier >= 0 && tier < mb_arch_tier_count() ? mb_arch_tier_name(tier) : "unknown";
}

const char *mb_cpu_features_text(void) { return mb_arch_features_text(); }
