// A stand-alone check of the C kernels (Sources/CKernels) for every tier this CPU has, without Swift:
// Scripts/test-aarch64.sh builds it with the kernels for ARM64 and runs it under qemu (NEON only,
// + dot product, + i8mm), and natively on x86-64. For each tier the CPU supports (mb_tier_supported;
// x86 support is not nested, so a tier below the best may be skipped), forced with mb_force_tier:
//   - int8 GEMM, integer path: equal to a naive int64 product of the row-major matrices AND to the
//     portable kernel (tier 0), exactly, on shapes with every remainder (rows per tile and per row
//     block, k % 16, k % 8, one and many panels) and on extremes (all +-127, -128 weights);
//   - weight row sums: exact;
//   - the float epilogues (plain, residual add, bias or none, column blocks, GeGLU with every
//     activation): within 2e-6 relative of a double computed from the exact sums;
//   - quantization bytes and scales: equal to a scalar float emulation, within 0.5 of the double;
//   - layer norm, activations, GeGLU, attention (global, banded, rotary), fp16 widening (all 65,536
//     values, exact), fp16/bf16/int8 weight-only products: within the tolerances below of doubles.
// Prints one line per tier and, last, the tiers that passed; exits 1 if any check failed.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "CKernels.h"

static uint64_t seed = 0x9E3779B97F4A7C15u;
static uint64_t next_u64(void) {  // SplitMix64
    uint64_t z = (seed += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}
static int rand_int(int lo, int hi) { return lo + (int)(next_u64() % (uint64_t)(hi - lo + 1)); }
static float rand_float(float lo, float hi) { return lo + (hi - lo) * (float)((double)(next_u64() >> 11) / 9007199254740992.0); }

static int failures;  // checks failed in the current tier
static void fail(const char *what, const char *detail) {
    if (failures++ < 20) printf("  FAIL %s: %s\n", what, detail);
}
#define CHECK(cond, what, ...) do { if (!(cond)) { char d_[256]; snprintf(d_, sizeof d_, __VA_ARGS__); fail(what, d_); } } while (0)

static void *alloc(size_t bytes) { void *p = calloc(1, bytes ? bytes : 1); if (!p) { puts("out of memory"); exit(2); } return p; }

// Row-major int8 [n][k] to the 16 x 4 panel order (Formats/model-file.md, layout 1).
static void pack_panels(const int8_t *w, int n, int k, int8_t *out) {
    for (int r = 0; r < n; r++)
        for (int c = 0; c < k; c++) out[(size_t)(r / 16) * 16 * k + (size_t)(c / 4) * 64 + (r % 16) * 4 + c % 4] = w[(size_t)r * k + c];
}

// ---------------------------------------------------------------- int8 GEMM

enum { FILL_RANDOM, FILL_MAX, FILL_MIN, FILL_MIXED };

static void check_gemm_shape(int m, int n, int k, int fill, int tier) {
    const int lda = k + 4 * (m % 3), ldc = n + 16;
    uint8_t *a = alloc((size_t)m * lda);
    int8_t *w = alloc((size_t)n * k), *panels = alloc((size_t)n * k);
    for (int i = 0; i < m; i++)
        for (int p = 0; p < lda; p++) {
            int q = fill == FILL_RANDOM ? rand_int(-127, 127) : fill == FILL_MAX ? 127 : fill == FILL_MIN ? -127 : (p & 1 ? 127 : -127);
            a[(size_t)i * lda + p] = (uint8_t)(q + 128);
        }
    for (size_t x = 0; x < (size_t)n * k; x++)
        w[x] = (int8_t)(fill == FILL_RANDOM ? rand_int(-128, 127) : fill == FILL_MAX ? 127 : fill == FILL_MIN ? -128 : (x & 1 ? 127 : -127));
    pack_panels(w, n, k, panels);
    int32_t *sums = alloc((size_t)n * 4), *c = alloc((size_t)m * ldc * 4), *c0 = alloc((size_t)m * ldc * 4);
    mb_row_sums_i8panels(panels, n, k, sums);
    int bad_sums = 0;
    for (int j = 0; j < n; j++) {
        int64_t s = 0;
        for (int p = 0; p < k; p++) s += w[(size_t)j * k + p];
        bad_sums += s != sums[j];
    }
    CHECK(!bad_sums, "row sums", "m %d n %d k %d: %d wrong", m, n, k, bad_sums);
    mb_gemm_u8s8_panels_i32(m, n, k, a, lda, panels, sums, c, ldc);
    mb_force_tier(0);
    mb_gemm_u8s8_panels_i32(m, n, k, a, lda, panels, sums, c0, ldc);
    mb_force_tier(tier);
    int wrong = 0, wrong0 = 0;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            int64_t s = 0;
            for (int p = 0; p < k; p++) s += (int64_t)(a[(size_t)i * lda + p] - 128) * w[(size_t)j * k + p];
            wrong += s != c[(size_t)i * ldc + j];
            wrong0 += c0[(size_t)i * ldc + j] != c[(size_t)i * ldc + j];
        }
    CHECK(!wrong && !wrong0, "gemm i32", "m %d n %d k %d fill %d: %d differ from int64, %d from portable", m, n, k, fill, wrong, wrong0);
    free(a); free(w); free(panels); free(sums); free(c); free(c0);
}

static void check_gemm_integers(int tier) {
    const int ms[] = {1, 2, 3, 5, 6, 7, 8, 9, 12, 13, 17, 61, 64, 65, 130};
    const int ks[] = {4, 8, 12, 16, 20, 24, 28, 36, 64, 68, 100, 132, 772, 1028};
    for (size_t x = 0; x < sizeof ms / sizeof *ms; x++)
        for (size_t y = 0; y < sizeof ks / sizeof *ks; y++) {
            const int m = ms[x], k = ks[y], n = 16 * (1 + (int)((x + y) % 3));
            if ((int64_t)m * k > 40000) continue;  // keeps qemu fast; the large ones below
            check_gemm_shape(m, n, k, FILL_RANDOM, tier);
        }
    check_gemm_shape(130, 48, 772, FILL_RANDOM, tier);    // three row blocks at k = 772
    check_gemm_shape(70, 32, 1028, FILL_RANDOM, tier);
    check_gemm_shape(7, 16, 12000, FILL_RANDOM, tier);    // k too large for the block buffers: fallbacks
    for (int fill = FILL_MAX; fill <= FILL_MIXED; fill++) check_gemm_shape(9, 32, 1028, fill, tier);
}

// ---------------------------------------------------------------- epilogues

static double act_ref(int kind, double x) {
    switch (kind) {
    case MB_ACT_GELU: return 0.5 * x * (1 + erf(x / sqrt(2.0)));
    case MB_ACT_GELU_TANH: return 0.5 * x * (1 + tanh(sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
    case MB_ACT_QUICK_GELU: return x / (1 + exp(-1.702 * x));
    case MB_ACT_RELU: return x > 0 ? x : 0;
    default: return x / (1 + exp(-x));
    }
}

// Plain, residual add, no bias, column blocks and GeGLU (every activation) on one random problem,
// against doubles computed from the exact integer sums. Relative to the row's largest |y| (the
// int32 -> fp32 conversion and the scale products round at 2^-24 each; activations add ~1e-6).
static void check_epilogues(void) {
    const int m = 11, n = 64, k = 200, lda = k, inner = 32;
    uint8_t *a = alloc((size_t)m * k);
    int8_t *w = alloc((size_t)n * k), *panels = alloc((size_t)n * k);
    float as[16], ws[64], bias[64];
    for (size_t x = 0; x < (size_t)m * k; x++) a[x] = (uint8_t)(rand_int(-127, 127) + 128);
    for (size_t x = 0; x < (size_t)n * k; x++) w[x] = (int8_t)rand_int(-127, 127);
    for (int i = 0; i < m; i++) as[i] = rand_float(0.001f, 0.02f);
    for (int j = 0; j < n; j++) { ws[j] = rand_float(0.001f, 0.01f); bias[j] = rand_float(-1, 1); }
    pack_panels(w, n, k, panels);
    int32_t sums[64];
    mb_row_sums_i8panels(panels, n, k, sums);
    double y[16][64];
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            int64_t s = 0;
            for (int p = 0; p < k; p++) s += (int64_t)(a[(size_t)i * k + p] - 128) * w[(size_t)j * k + p];
            y[i][j] = (double)s * as[i] * ws[j];
        }
    float out[16 * 64], base[16 * 64], blocks[2 * 16 * 32];
    for (int x = 0; x < m * n; x++) base[x] = rand_float(-3, 3);
    for (int variant = 0; variant < 3; variant++) {  // bias, no bias, residual add with bias
        memcpy(out, base, sizeof base);
        mb_gemm_u8s8_panels(m, n, k, a, lda, panels, sums, as, ws, variant == 1 ? NULL : bias, variant == 2, out, n);
        double worst = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double e = y[i][j] + (variant == 1 ? 0 : bias[j]) + (variant == 2 ? base[i * n + j] : 0);
                double err = fabs(out[i * n + j] - e) / (1 + fabs(e));
                if (!(err <= worst)) worst = err;
            }
        CHECK(worst <= 2e-6, "epilogue plain", "variant %d: worst relative error %.3g", variant, worst);
    }
    // Columns 16..63 into blocks of 32 columns (col0 16): column c goes to block c / 32.
    memset(blocks, 0, sizeof blocks);
    const size_t block_stride = (size_t)m * 32;
    mb_gemm_u8s8_panels_blocked(m, 48, k, a, lda, panels + 16 * k, sums + 16, as, ws + 16, bias + 16, blocks - 0, 16, 32, block_stride);
    double worst = 0;
    for (int i = 0; i < m; i++)
        for (int j = 16; j < 64; j++) {
            double e = y[i][j] + bias[j];
            float got = blocks[(size_t)(j / 32) * block_stride + (size_t)i * 32 + j % 32];
            double err = fabs(got - e) / (1 + fabs(e));
            if (!(err <= worst)) worst = err;
        }
    CHECK(worst <= 2e-6, "epilogue blocked", "worst relative error %.3g", worst);
    for (int kind = 0; kind <= MB_ACT_SILU; kind++) {
        mb_gemm_u8s8_panels_gated(m, inner, k, a, lda, panels, sums, as, ws, bias, inner, kind, out, inner);
        worst = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < inner; j++) {
                double e = act_ref(kind, y[i][j] + bias[j]) * (y[i][j + inner] + bias[j + inner]);
                double err = fabs(out[i * inner + j] - e) / (1 + fabs(e));
                if (!(err <= worst)) worst = err;
            }
        CHECK(worst <= 5e-6, "epilogue gated", "activation %d: worst relative error %.3g", kind, worst);
    }
    free(a); free(w); free(panels);
}

#include "harness_float.h"

int main(void) {
    char passed[256] = "", skipped[256] = "";
    int all_ok = 1;
    const int best = mb_best_tier();
    printf("cpu features: %s; best tier %s\n", mb_cpu_features_text(), mb_tier_name(best));
    for (int tier = 0; tier <= best; tier++) {
        if (!mb_tier_supported(tier)) {
            printf("tier %d %-12s not on this CPU\n", tier, mb_tier_name(tier));
            strcat(skipped, " ");
            strcat(skipped, mb_tier_name(tier));
            continue;
        }
        mb_force_tier(tier);
        failures = 0;
        CHECK(mb_active_tier() == tier, "force", "forcing tier %d gave %d", tier, mb_active_tier());
        seed = 0x9E3779B97F4A7C15u + (uint64_t)tier;  // every tier its own data; the portable run is inside each check
        check_gemm_integers(tier);
        check_epilogues();
        check_float_kernels();
        const char *probe = "none";
        const int64_t ops = mb_int8_peak_probe(1000, &probe);
#if defined(__aarch64__)
        CHECK(tier == 0 || ops > 0, "peak probe", "tier %d has no probe", tier);  // every ARM64 tier has one
#else
        (void)ops;
#endif
        printf("tier %d %-12s %s (int8 probe: %s)\n", tier, mb_tier_name(tier), failures ? "FAILED" : "ok", probe);
        if (failures) all_ok = 0;
        else {
            strcat(passed, " ");
            strcat(passed, mb_tier_name(tier));
        }
    }
    mb_force_tier(-1);
    if (skipped[0]) printf("tiers skipped (not on this CPU):%s\n", skipped);
    printf("tiers passed:%s\n", passed);
    return all_ok ? 0 : 1;
}
