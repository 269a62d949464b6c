// The int8 peak probe of CKernels.h: the active tier's dot-product instruction (arch folders).
#include "CKernels.h"
#include "arch.h"

int64_t mb_int8_peak_probe(int64_t iterations, const char **instruction) {
    const char *name = "none";
    int64_t ops = mb_arch_int8_peak(mb_active_tier(), iterations, &name);
    if (instruction) *instruction = name;
    return ops;
}
