// The int8 GEMM for AVX-512 VNNI hosts (tier 4): vpdpbusd multiplies four u8 activations by four s8
// weights and adds the four products to an int32 lane, 64 multiply-adds per instruction. See
// gemm_u8s8.c for the panel layout and the contract.
#if defined(__x86_64__)
#include <immintrin.h>

#include "../gemm_epilogue.h"
#include "x86.h"


#define MR 6   // activation rows per register tile
#define NV 4   // panels (16 columns each) per register tile: 6 x 4 = 24 accumulators

// One register tile: rows [0, mr) of `a` against the panels wv[0..nv), which may lie anywhere (the
// GeGLU path pairs input and gate panels in one tile).
__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni"), always_inline))
static inline void tile_vnni(int mr, int nv, int k, const uint8_t *a, int lda, const int8_t *const *wv,
                             __m512i out[MR][NV]) {
    // Local accumulators: `out` is only written at the end, because stores through it could alias
    // the byte operands and would pin the accumulators in memory.
    __m512i acc[MR][NV];
    const int8_t *w[NV];
    for (int v = 0; v < NV; v++) w[v] = wv[v < nv ? v : 0];
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < NV; v++) acc[r][v] = _mm512_setzero_si512();
    for (int p = 0; p < k; p += 4) {
        __m512i b[NV];
        for (int v = 0; v < NV; v++)
            if (v < nv) b[v] = _mm512_loadu_si512((const void *)(w[v] + (size_t)p * PANEL));
        for (int r = 0; r < MR; r++) {
            if (r >= mr) break;
            int32_t a4; __builtin_memcpy(&a4, a + (size_t)r * lda + p, 4);
            __m512i av = _mm512_set1_epi32(a4);
            for (int v = 0; v < NV; v++)
                if (v < nv) acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], av, b[v]);
        }
    }
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < NV; v++)
            if (r < mr && v < nv) out[r][v] = acc[r][v];
}

// Specialised copies so the tile loops unroll with constant bounds (accumulators stay in registers).
#define DEFINE_TILE(R, V) \
__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni"))) \
static void tile_vnni_##R##_##V(int k, const uint8_t *a, int lda, const int8_t *const *wv, __m512i acc[MR][NV]) { \
    tile_vnni(R, V, k, a, lda, wv, acc); \
}
#define DEFINE_TILES(R) DEFINE_TILE(R, 1) DEFINE_TILE(R, 2) DEFINE_TILE(R, 3) DEFINE_TILE(R, 4)
DEFINE_TILES(1) DEFINE_TILES(2) DEFINE_TILES(3) DEFINE_TILES(4) DEFINE_TILES(5) DEFINE_TILES(6)

typedef void (*tile_fn)(int, const uint8_t *, int, const int8_t *const *, __m512i[MR][NV]);

#define TILE_ROW(R) {tile_vnni_##R##_1, tile_vnni_##R##_2, tile_vnni_##R##_3, tile_vnni_##R##_4}
static const tile_fn tiles[MR][NV] = {TILE_ROW(1), TILE_ROW(2), TILE_ROW(3), TILE_ROW(4), TILE_ROW(5), TILE_ROW(6)};

// Row blocks keep a slab of activations in L2 while the panels of a column block stream past.
#define MC 96

// Plain tiles cover 4 panels (64 output columns); gated tiles 2 input panels and their 2 gate
// panels (32 output columns). `e == NULL` stores exact int32 sums into `c` instead (tests).
__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
void mb_gemm_u8s8_vnni(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w, const epilogue *e, int gated,
                      const int32_t *w_sums, int32_t *c, int ldc) {
    __m512i acc[MR][NV];
    const int per_tile = gated ? NV / 2 : NV;  // output panels per tile
    for (int i0 = 0; i0 < m; i0 += MC) {
        int i1 = i0 + MC < m ? i0 + MC : m;
        for (int j0 = 0; j0 < n; j0 += per_tile * PANEL) {
            int q = (n - j0) / PANEL; if (q > per_tile) q = per_tile;
            const int8_t *wv[NV];
            float *o[NV];  // where row 0 of each output panel goes
            for (int v = 0; v < q; v++) {
                wv[v] = w + (size_t)(j0 + v * PANEL) * k;
                if (gated) wv[q + v] = wv[v] + (size_t)e->gate_offset * k;
                if (e) o[v] = panel_out(e, j0 + v * PANEL);
            }
            for (int i = i0; i < i1; i += MR) {
                int mr = i1 - i < MR ? i1 - i : MR;
                if (e)  // the epilogue's output lines arrive while the tile computes (the residual misses L2)
                    for (int r = 0; r < mr; r++)
                        for (int v = 0; v < q; v++)
                            __builtin_prefetch(o[v] + (size_t)(i + r) * e->ldo, 1, 3);
                tiles[mr - 1][(gated ? 2 * q : q) - 1](k, a + (size_t)i * lda, lda, wv, acc);
                for (int r = 0; r < mr; r++)
                    for (int v = 0; v < q; v++) {
                        int j = j0 + v * PANEL;
                        if (!e) {
                            __m512i comp = _mm512_slli_epi32(_mm512_loadu_si512((const void *)(w_sums + j)), 7);
                            _mm512_storeu_si512((void *)(c + (size_t)(i + r) * ldc + j), _mm512_sub_epi32(acc[r][v], comp));
                        } else if (gated) {
                            store_gated(e, i + r, j, &acc[r][v], &acc[r][q + v], 1, o[v] + (size_t)(i + r) * e->ldo);
                        } else {
                            store_plain(e, i + r, j, &acc[r][v], 1, o[v] + (size_t)(i + r) * e->ldo);
                        }
                    }
            }
        }
    }
}

#endif
