// Fused attention for one head of one sequence and a block of query rows: scores, softmax and the
// weighted sum of values, with the scores of a few rows at a time kept in L1 and no n x n matrix.
//
// The block's keys are first transposed (kt[d][j]), so both products are "broadcast one scalar,
// multiply a row of 16 keys or 16 value dimensions": the same register tile as the weight kernels.
// Query rows are taken in groups of R; a group only touches the keys inside the union of its rows'
// bands (sliding-window layers: about window + R keys, not the whole block's span), and each row's
// softmax is masked to its own band, so outside-band weights are exactly zero. Normalisation by the
// softmax sum is applied once to the output row instead of to every weight.
//
// One body, compiled per tier like gemv_f32.c (tiers.h): on wide tiers (AVX-512) R = 6 rows, 6 x 64-key
// score tiles and 6 x 64-dimension value tiles (24 zmm accumulators); elsewhere R = 4, 4 x 16 tiles.
#include "CKernels.h"
#include "vec16.h"

#include "arch.h"
#include "attention.h"

// kt[d][j] = k[j][d] for j < keys, zero for keys <= j < ldkt (a multiple of 16), in 16 x 16 blocks.
// Storing single floats with a stride instead (the compiler's scatter) cost a sixth of attention.
// With rotary tables, each 16-key block is first rotated into `rotated` (16 x hd floats); the keys
// start at sequence position `position`.
INLINE void transpose_keys(const float *k, int stride, int keys, int hd, const float *rope_cos, const float *rope_sin,
                           int position, float *rotated, float *kt, int ldkt) {
    const int full = hd & ~15;
    for (int j = 0; j < ldkt; j += 16) {
        const int count = keys - j < 16 ? keys - j : 16;
        int ld;
        const float *src = rows_as_read(k, stride, j, count, hd, rope_cos, rope_sin, position, rotated, &ld);
        for (int d = 0; d < full; d += 16) {
            v16f m[16];
            for (int r = 0; r < 16; r++) m[r] = r < count ? load_f32(src + (size_t)r * ld + d) : splat(0);
            TRANSPOSE_ROUND(m, 0) TRANSPOSE_ROUND(m, 1) TRANSPOSE_ROUND(m, 2) TRANSPOSE_ROUND(m, 3)
            for (int c = 0; c < 16; c++) store_f32(kt + (size_t)(d + c) * ldkt + j, m[c]);
        }
        for (int d = full; d < hd; d++)
            for (int r = 0; r < 16; r++) kt[(size_t)d * ldkt + j + r] = r < count ? src[(size_t)r * ld + d] : 0.0f;
    }
}

// s[r][c*16 + l] = sum_d q[r][d] * kt[d][c*16 + l] for r < R, c < C (16-key chunks).
INLINE void scores_tile(const int R, const int C, int hd, const float *q, int ldq, const float *kt, int ldkt,
                        float *s, int lds) {
    v16f acc[MAX_GROUP][4];
    for (int r = 0; r < R; r++) for (int c = 0; c < C; c++) acc[r][c] = splat(0);
    for (int d = 0; d < hd; d++) {
        v16f kv[4];
        for (int c = 0; c < C; c++) kv[c] = load_f32(kt + (size_t)d * ldkt + 16 * c);
        for (int r = 0; r < R; r++) {
            v16f qs = splat(q[(size_t)r * ldq + d]);
            for (int c = 0; c < C; c++) acc[r][c] += qs * kv[c];
        }
    }
    for (int r = 0; r < R; r++) for (int c = 0; c < C; c++) store_f32(s + (size_t)r * lds + 16 * c, acc[r][c]);
}

// Over keys [j0, j1), for r < R, c < D: out[r][16*c + l] = inv[r] * sum of p[r][j] * v[j][16*c + l],
// or, with `alpha` (a chunk of an online softmax), out = alpha[r] * out + sum.
INLINE void values_tile(const int R, const int D, int j0, int j1, const float *p, int ldp, const float *v,
                        int ldv, const float *inv, const float *alpha, float *out, int ldo) {
    v16f acc[MAX_GROUP][4];
    for (int r = 0; r < R; r++) for (int c = 0; c < D; c++) acc[r][c] = splat(0);
    for (int j = j0; j < j1; j++) {
        v16f vv[4];
        for (int c = 0; c < D; c++) vv[c] = load_f32(v + (size_t)j * ldv + 16 * c);
        for (int r = 0; r < R; r++) {
            v16f ps = splat(p[(size_t)r * ldp + j]);
            for (int c = 0; c < D; c++) acc[r][c] += ps * vv[c];
        }
    }
    for (int r = 0; r < R; r++)
        for (int c = 0; c < D; c++) {
            float *o = out + (size_t)r * ldo + 16 * c;
            store_f32(o, alpha ? load_f32(o) * alpha[r] + acc[r][c] : acc[r][c] * inv[r]);
        }
}

INLINE void attend_body(int n, int hd, const float *q, const float *k, const float *v, int stride, int q0, int q1,
                        int hw, float scale, const float *rope_cos, const float *rope_sin, float *scratch, float *out,
                        int ldo, const int RMAX, const int CMAX, const int DMAX) {
    // Keys any row of the block can see, transposed and zero-padded to whole 16-key chunks.
    const int k0 = band_lo(q0, hw), k1 = band_hi(q1 - 1, hw, n), nk = k1 - k0, ldkt = round16(nk);
    const int rows = q1 - q0, chunked = nk > CHUNK_KEYS, span = chunked ? CHUNK_KEYS : ldkt;
    float *kt = scratch, *s = kt + (size_t)hd * ldkt;               // kt: hd x ldkt, s: MAX_GROUP x span
    float *m = s + (size_t)MAX_GROUP * span, *l = m + rows;          // online softmax state, rows each
    float *rotated = l + rows;                                       // 16 x hd
    transpose_keys(k + (size_t)k0 * stride, stride, nk, hd, rope_cos, rope_sin, k0, rotated, kt, ldkt);
    if (chunked) start_rows(out + (size_t)q0 * ldo, ldo, rows, hd, m, l);
    const int full = hd & ~15;
    for (block_step t = {0}; next_step(&t, nk, span, q0, q1, RMAX, hw, n, k0);) {
        const int i0 = t.i0, R = t.R, ca = t.ca, width = t.width, g = i0 - q0;
        int ldq;  // the group's queries, rotated into the keys' buffer (free again) if there are tables
        const float *qg = rows_as_read(q, stride, i0, R, hd, rope_cos, rope_sin, 0, rotated, &ldq);
#define SCORES(RR, W, c) scores_tile(RR, W, hd, qg, ldq, kt + ca + 16 * (c), ldkt, s + 16 * (c), width)
        GROUP_TILES(width / 16, CMAX, SCORES)
#undef SCORES
        float weights[MAX_GROUP];  // 1 / sum, or (chunked) the rescaling of the rows' earlier output
        softmax_group(s, width, R, i0, hw, n, k0, t.c0, t.c1, ca, scale, chunked, m + g, l + g, weights);
        const float *inv = chunked ? NULL : weights, *alpha = chunked ? weights : NULL;
        // Weights are zero outside each row's band, so the group sums over its keys [ga, gb).
        const int j0 = t.ga - ca, j1 = t.gb - ca;
        const float *vg = v + (size_t)(k0 + ca) * stride;
        float *og = out + (size_t)i0 * ldo;
        for (int r = RMAX; r < 2 * RMAX; r++) prefetch_row(og + (size_t)r * ldo, hd);  // the next group's output
#define VALUES(RR, W, c) values_tile(RR, W, j0, j1, s, width, vg + 16 * (c), stride, inv, alpha, og + 16 * (c), ldo)
        GROUP_TILES(full / 16, DMAX, VALUES)
#undef VALUES
        for (int r = 0; r < R; r++) {  // head dimensions past the last whole 16
            for (int d = full; d < hd; d++) {
                float sum = 0;
                for (int j = j0; j < j1; j++) sum += s[(size_t)r * width + j] * vg[(size_t)j * stride + d];
                float *o = og + (size_t)r * ldo + d;
                *o = chunked ? *o * alpha[r] + sum : sum * inv[r];
            }
        }
    }
    if (chunked) finish_rows(out + (size_t)q0 * ldo, ldo, rows, hd, l);
}

// Wide tiers: R = 6 rows, 6 x 64-key score tiles and 6 x 64-dimension value tiles (24 accumulators);
// others R = 4 with 4 x 16 tiles.
TIERS(attend, (int n, int hd, const float *q, const float *k, const float *v, int stride, int q0, int q1, int hw,
               float scale, const float *rc, const float *rs, float *scratch, float *out, int ldo),
      attend_body(n, hd, q, k, v, stride, q0, q1, hw, scale, rc, rs, scratch, out, ldo, TIER_WIDE ? 6 : 4,
                  TIER_WIDE ? 4 : 1, TIER_WIDE ? 4 : 1);)

size_t mb_attention_scratch_floats(int n, int head_dim, int rows, int half_window) {
    const int span = round16(half_window < 0 || rows + 2 * half_window > n ? n : rows + 2 * half_window);
    // The larger of the two kernels' needs: fp32 (keys, scores, 16 rotated rows, and per query row
    // the online softmax's max and sum) and bf16 (keys, values, scores, weight pairs, 16 rotated
    // rows, and per query row its pairs, max and sum; attention_bf16.c).
    return (size_t)(head_dim + 2 * MAX_GROUP) * (size_t)span + (size_t)(MAX_GROUP + 16) * (size_t)(head_dim + 8) +
           (size_t)rows * (size_t)(head_dim / 2 + 2);
}

void mb_attention_rows(int n, int head_dim, const float *q, const float *k, const float *v, int stride, int q0,
                       int q1, int half_window, float scale, const float *rope_cos, const float *rope_sin, int bf16,
                       float *scratch, float *out, int ldo) {
    if (q1 <= q0) return;
    mb_attention_fn low = bf16 && head_dim % 32 == 0 ? mb_arch_attention_bf16(mb_active_tier()) : 0;
    if (low) {
        low(n, head_dim, q, k, v, stride, q0, q1, half_window, scale, rope_cos, rope_sin, scratch, out, ldo);
        return;
    }
    TIER_DISPATCH(attend, (n, head_dim, q, k, v, stride, q0, q1, half_window, scale, rope_cos, rope_sin, scratch, out,
                           ldo));
}

int mb_attention_bf16_available(void) { return mb_arch_attention_bf16(mb_active_tier()) != 0; }
