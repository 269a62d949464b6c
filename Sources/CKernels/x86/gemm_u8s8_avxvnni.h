// The body of the tier-2 int8 GEMM (gemm_u8s8_avxvnni.c says why it is compiled twice). Include it
// with these defined:
//   VNNI_TARGET      the target attribute string of the build
//   DPBUSD(c, a, b)  c + the four-byte dot products of u8 a and s8 b per int32 lane (vpdpbusd ymm)
//   VNNI_NAME(x)     x with the build's suffix
// The VEX/EVEX choice is the only difference between the builds.
//
// Mirrors gemm_u8s8_vnni.c with 256-bit vectors: activations are q + 128 (vpdpbusd multiplies
// unsigned by signed) and the +128 is removed with the weight row sums in the shared epilogue
// (offset 1); the 16 x 4 panels are read in place, a panel being two ymm of 8 columns. AVX-VNNI CPUs
// have 16 ymm registers, so the register tile is AVX_MR rows x AVX_NP panels: AVX_MR x 2 x AVX_NP
// accumulators, the panel's weight vectors and one broadcast.

#define VNNI_ATTR __attribute__((target(VNNI_TARGET)))

// One register tile: rows [0, mr) of `a` against the panels wv[0..np) (each 2 ymm), which may lie
// anywhere (the GeGLU path pairs an input panel with its gate panel).
VNNI_ATTR __attribute__((always_inline)) static inline void VNNI_NAME(tile)(
    const int mr, const int np, int k, const uint8_t *a, int lda, const int8_t *const *wv, __m256i out[6][4]) {
    // Local accumulators: `out` is written once at the end (stores through it could alias the
    // byte operands and would pin the accumulators in memory).
    __m256i acc[6][4];
    for (int r = 0; r < mr; r++)
        for (int v = 0; v < 2 * np; v++) acc[r][v] = _mm256_setzero_si256();
    // Per k step, whichever operand has fewer vectors is held in registers for the whole step and the
    // other streamed one at a time: weights held (rows streamed) needs acc + 2 np + 1 registers,
    // broadcasts held (weight vectors streamed) acc + mr + 1. 6 x 1: 12 + 2 + 1; 3 x 2: 12 + 3 + 1.
    for (int p = 0; p < k; p += 4) {
        if (2 * np <= mr) {
            __m256i b[4];
            for (int v = 0; v < 2 * np; v++) b[v] = _mm256_loadu_si256((const __m256i *)(wv[v / 2] + (size_t)p * PANEL + 32 * (v & 1)));
            for (int r = 0; r < mr; r++) {
                int32_t a4; __builtin_memcpy(&a4, a + (size_t)r * lda + p, 4);
                const __m256i av = _mm256_set1_epi32(a4);
                for (int v = 0; v < 2 * np; v++) acc[r][v] = DPBUSD(acc[r][v], av, b[v]);
            }
        } else {
            __m256i av[6];
            for (int r = 0; r < mr; r++) {
                int32_t a4; __builtin_memcpy(&a4, a + (size_t)r * lda + p, 4);
                av[r] = _mm256_set1_epi32(a4);
            }
            for (int v = 0; v < 2 * np; v++) {
                const __m256i b = _mm256_loadu_si256((const __m256i *)(wv[v / 2] + (size_t)p * PANEL + 32 * (v & 1)));
                for (int r = 0; r < mr; r++) acc[r][v] = DPBUSD(acc[r][v], av[r], b);
            }
        }
    }
    for (int r = 0; r < mr; r++)
        for (int v = 0; v < 2 * np; v++) out[r][v] = acc[r][v];
}

// Specialised copies so the loops unroll with constant bounds and the accumulators stay in registers.
#define VNNI_TILE(R, P) \
VNNI_ATTR static void VNNI_NAME(tile_##R##_##P)(int k, const uint8_t *a, int lda, const int8_t *const *wv, \
                                                __m256i out[6][4]) { \
    VNNI_NAME(tile)(R, P, k, a, lda, wv, out); \
}
VNNI_TILE(1, 1) VNNI_TILE(2, 1) VNNI_TILE(3, 1) VNNI_TILE(4, 1) VNNI_TILE(5, 1) VNNI_TILE(6, 1)
VNNI_TILE(1, 2) VNNI_TILE(2, 2) VNNI_TILE(3, 2)
#undef VNNI_TILE

// tiles[np - 1][mr - 1]: up to 6 rows of one panel or 3 rows of two (12 accumulators at most).
static void (*const VNNI_NAME(tiles)[2][6])(int, const uint8_t *, int, const int8_t *const *, __m256i[6][4]) = {
    {VNNI_NAME(tile_1_1), VNNI_NAME(tile_2_1), VNNI_NAME(tile_3_1), VNNI_NAME(tile_4_1), VNNI_NAME(tile_5_1), VNNI_NAME(tile_6_1)},
    {VNNI_NAME(tile_1_2), VNNI_NAME(tile_2_2), VNNI_NAME(tile_3_2), NULL, NULL, NULL},
};

// Row blocks keep a slab of activations in L2 while the panels of a column block stream past.
// Plain tiles cover AVX_NP panels; gated tiles one input panel and its gate panel (AVX_GATED_MR rows).
// `e == NULL` stores exact int32 sums into `c` instead (tests).
VNNI_ATTR void VNNI_NAME(mb_gemm_u8s8_avxvnni)(int m, int n, int k, const uint8_t *a, int lda, const int8_t *w,
                                                const epilogue *e, int gated, const int32_t *w_sums, int32_t *c, int ldc) {
    __m256i acc[6][4];
    const int per_tile = gated ? 1 : AVX_NP;        // output panels per tile
    const int rows = gated ? AVX_GATED_MR : AVX_MR;  // rows per tile
    for (int i0 = 0; i0 < m; i0 += AVX_MC) {
        const int i1 = i0 + AVX_MC < m ? i0 + AVX_MC : m;
        for (int j0 = 0; j0 < n; j0 += per_tile * PANEL) {
            int q = (n - j0) / PANEL; if (q > per_tile) q = per_tile;
            const int8_t *wv[2];
            float *o[2];  // where row 0 of each output panel goes
            for (int v = 0; v < q; v++) {
                wv[v] = w + (size_t)(j0 + v * PANEL) * k;
                if (e) o[v] = panel_out(e, j0 + v * PANEL);
            }
            if (gated) wv[1] = wv[0] + (size_t)e->gate_offset * k;
            for (int i = i0; i < i1; i += rows) {
                const int mr = i1 - i < rows ? i1 - i : rows;
                if (e)  // the epilogue's output lines arrive while the tile computes (the residual misses L2)
                    for (int r = 0; r < mr; r++)
                        for (int v = 0; v < q; v++) __builtin_prefetch(o[v] + (size_t)(i + r) * e->ldo, 1, 3);
                VNNI_NAME(tiles)[(gated ? 2 : q) - 1][mr - 1](k, a + (size_t)i * lda, lda, wv, acc);
                for (int r = 0; r < mr; r++)
                    for (int v = 0; v < q; v++) {
                        const int j = j0 + v * PANEL;
                        if (!e) {
                            for (int h = 0; h < 2; h++) {
                                const __m256i comp = _mm256_slli_epi32(_mm256_loadu_si256((const __m256i *)(w_sums + j + 8 * h)), 7);
                                _mm256_storeu_si256((__m256i *)(c + (size_t)(i + r) * ldc + j + 8 * h),
                                                    _mm256_sub_epi32(acc[r][2 * v + h], comp));
                            }
                        } else if (gated) {
                            store_gated(e, i + r, j, &acc[r][0], &acc[r][2], 1, o[0] + (size_t)(i + r) * e->ldo);
                        } else {
                            store_plain(e, i + r, j, &acc[r][2 * v], 1, o[v] + (size_t)(i + r) * e->ldo);
                        }
                    }
            }
        }
    }
}

#undef VNNI_ATTR
