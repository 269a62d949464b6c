// Pieces shared by the fp32 (attention.c) and bf16 (x86/attention_bf16_avx512.c) attention kernels: key bands,
// the 16 x 16 lane transpose, the masked softmax of a group's rows, and reading q and k rows with
// rotary embeddings applied.
#ifndef MB_ATTENTION_H
#define MB_ATTENTION_H

#include "vec16.h"

enum { MAX_GROUP = 8 };

// Query i (0-based in its sequence) sees keys [band_lo, band_hi); half_window < 0 means all of them.
INLINE int band_lo(int i, int hw) { return hw < 0 || i - hw < 0 ? 0 : i - hw; }
INLINE int band_hi(int i, int hw, int n) { return hw < 0 || i + hw + 1 > n ? n : i + hw + 1; }
INLINE int round16(int x) { return (x + 15) & ~15; }

// One round of a 16 x 16 transpose swaps bit t of the row index with bit t of the column index:
// rows r and r + 2^t (bit t of r clear) exchange the lanes whose bit t differs from theirs.
#define TRANSPOSE_LO0(a, b) __builtin_shufflevector(a, b, 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30)
#define TRANSPOSE_HI0(a, b) __builtin_shufflevector(a, b, 1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31)
#define TRANSPOSE_LO1(a, b) __builtin_shufflevector(a, b, 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29)
#define TRANSPOSE_HI1(a, b) __builtin_shufflevector(a, b, 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31)
#define TRANSPOSE_LO2(a, b) __builtin_shufflevector(a, b, 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27)
#define TRANSPOSE_HI2(a, b) __builtin_shufflevector(a, b, 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31)
#define TRANSPOSE_LO3(a, b) __builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23)
#define TRANSPOSE_HI3(a, b) __builtin_shufflevector(a, b, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31)
#define TRANSPOSE_ROUND(m, t) \
    for (int r = 0; r < 16; r++) { \
        if (r & (1 << t)) continue; \
        v16f a = m[r], b = m[r + (1 << t)]; \
        m[r] = TRANSPOSE_LO##t(a, b); m[r + (1 << t)] = TRANSPOSE_HI##t(a, b); \
    }

// The largest score of a row over its band [lo, hi) (key indices relative to the row buffer). Only
// the band's first and last vectors need lane masks.
INLINE float band_max(const float *s, int lo, int hi) {
    const v16i iota = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    const v16f minus_inf = splat(-__builtin_inff());
    v16f peak = minus_inf;
    for (int j = lo & ~15; j < hi; j += 16) {
        v16f x = load_f32(s + j);
        if (j < lo || j + 16 > hi) x = select_f((iota + j >= lo) & (iota + j < hi), x, minus_inf);
        peak = max_f(peak, x);
    }
    return hmax(peak);
}

// s[j] = exp((s[j] - max) scale) over the band [lo, hi), zero elsewhere in [0, width) (a multiple of
// 16); returns the sum. The shift is one multiply-add per lane.
INLINE float band_exp(float *s, int width, int lo, int hi, float scale, float max) {
    const v16i iota = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    const v16f zero = splat(0);
    const int first = lo & ~15, last = round16(hi);
    const float shift = max * scale;
    v16f sums = zero;
    for (int j = 0; j < first; j += 16) store_f32(s + j, zero);
    for (int j = first; j < last; j += 16) {
        v16f e = exp_f(load_f32(s + j) * scale - shift);
        if (j < lo || j + 16 > hi) e = select_f((iota + j >= lo) & (iota + j < hi), e, zero);
        store_f32(s + j, e);
        sums += e;
    }
    for (int j = last; j < width; j += 16) store_f32(s + j, zero);
    return hsum(sums);
}

// Exponentials of one row of scores over its band [lo, hi), zero elsewhere in the buffer; returns
// 1 / sum. The max is taken over the band only, so masked keys cannot change the result.
INLINE float softmax_row(float *s, int width, int lo, int hi, float scale) {
    return 1.0f / band_exp(s, width, lo, hi, scale, band_max(s, lo, hi));
}

// One chunk of keys of a row's online softmax (blocks longer than CHUNK_KEYS): like
// softmax_row, but against the row's running max *m and sum *l, which it updates. Returns the
// factor by which the row's output so far must be scaled (its weights were relative to the old max).
INLINE float softmax_row_online(float *s, int width, int lo, int hi, float scale, float *m, float *l) {
    if (lo >= hi) {  // none of the row's keys in this chunk
        for (int j = 0; j < width; j += 16) store_f32(s + j, splat(0));
        return 1.0f;
    }
    const float chunk = band_max(s, lo, hi), old = *m, max = chunk > old ? chunk : old;
    const float alpha = old == -__builtin_inff() ? 0.0f : exp_f(splat((old - max) * scale))[0];
    *l = *l * alpha + band_exp(s, width, lo, hi, scale, max);
    *m = max;
    return alpha;
}

// Blocks that see more keys than this go through them one chunk at a time (both kernels): the
// chunk's prepared keys and values (128 KB at head_dim 64) then stay in L2 for every group of the
// block's queries, instead of streaming from L3 once per group. An online softmax carries each
// row's running max and sum from chunk to chunk and rescales the output accumulated so far.
enum { CHUNK_KEYS = 512 };

// One step of a block's work: key chunk [c0, c1) (relative to k0) and the query group i0..i0+R-1,
// whose rows see keys [ga, gb) of the chunk; the scores cover whole 16-key vectors, width keys from ca.
typedef struct { int c0, c1, i0, R, ga, gb, ca, width; } block_step;

// Advances `t` (zero-initialised before the first call) through the block's steps, chunk by chunk
// and group by group within a chunk, skipping groups with no keys in the chunk; 0 when done.
INLINE int next_step(block_step *t, int nk, int span, int q0, int q1, int rmax, int hw, int n, int k0) {
    for (;;) {
        if (t->R == 0) t->i0 = q0;                                   // the first step
        else if ((t->i0 += rmax) >= q1) { t->i0 = q0; t->c0 += span; }
        if (t->c0 >= nk) return 0;
        t->c1 = nk - t->c0 < span ? nk : t->c0 + span;
        t->R = q1 - t->i0 < rmax ? q1 - t->i0 : rmax;
        const int lo = band_lo(t->i0, hw) - k0, hi = band_hi(t->i0 + t->R - 1, hw, n) - k0;
        t->ga = lo > t->c0 ? lo : t->c0;
        t->gb = hi < t->c1 ? hi : t->c1;
        if (t->ga < t->gb) {
            t->ca = t->ga & ~15;
            t->width = round16(t->gb) - t->ca;
            return 1;
        }
    }
}

// The softmax of each of a group's R rows (query i0 + r; scores s[r][0..width) for keys from k0 + ca
// on) over its band inside the chunk [c0, c1). weights[r] is 1 / the row's sum when the block is
// one chunk, else the factor by which its earlier output must be rescaled (m, l: the R rows'
// running max and sum).
INLINE void softmax_group(float *s, int width, int R, int i0, int hw, int n, int k0, int c0, int c1, int ca,
                          float scale, int chunked, float *m, float *l, float *weights) {
    for (int r = 0; r < R; r++) {
        const int a = band_lo(i0 + r, hw) - k0, b = band_hi(i0 + r, hw, n) - k0;
        const int lo = (a > c0 ? a : c0) - ca, hi = (b < c1 ? b : c1) - ca;
        float *row = s + (size_t)r * width;
        weights[r] = chunked ? softmax_row_online(row, width, lo, hi, scale, m + r, l + r) : softmax_row(row, width, lo, hi, scale);
    }
}

// Chunked blocks: rows [0, rows) of `out` (hd floats each) start at zero, with no max and no sum.
INLINE void start_rows(float *out, int ldo, int rows, int hd, float *m, float *l) {
    for (int r = 0; r < rows; r++) {
        m[r] = -__builtin_inff(); l[r] = 0;
        for (int d = 0; d < hd; d += 16) store_part(out + (size_t)r * ldo + d, splat(0), (size_t)(hd - d));
    }
}

// Chunked blocks: each output row divided by its softmax sum, once every chunk is in.
INLINE void finish_rows(float *out, int ldo, int rows, int hd, const float *l) {
    for (int r = 0; r < rows; r++) {
        const float inv = 1.0f / l[r];
        float *o = out + (size_t)r * ldo;
        for (int d = 0; d < hd; d += 16) store_part(o + d, load_part(o + d, (size_t)(hd - d)) * inv, (size_t)(hd - d));
    }
}

// A group's register tiles across `count` 16-wide column blocks (keys for the scores, head
// dimensions for the values): TILE(RR, W, c) computes the tile of W blocks from block c, W = WMAX
// while that many are left and then 1, for the group's R rows. RR and W are constants at every
// call, so each tile is compiled with fixed bounds and its accumulators stay in registers.
#define GROUP_TILES(count, WMAX, TILE) \
    for (int c = 0; c < (count);) { \
        const int w_ = (count) - c >= (WMAX) ? (WMAX) : 1; \
        switch (R) { \
        case 8: GROUP_TILE(8, WMAX, TILE); break; case 7: GROUP_TILE(7, WMAX, TILE); break; \
        case 6: GROUP_TILE(6, WMAX, TILE); break; case 5: GROUP_TILE(5, WMAX, TILE); break; \
        case 4: GROUP_TILE(4, WMAX, TILE); break; case 3: GROUP_TILE(3, WMAX, TILE); break; \
        case 2: GROUP_TILE(2, WMAX, TILE); break; default: GROUP_TILE(1, WMAX, TILE); break; \
        } \
        c += w_; \
    }
#define GROUP_TILE(RR, WMAX, TILE) if (w_ == (WMAX)) TILE(RR, WMAX, c); else TILE(RR, 1, c)

// Rotary embedding ("rotate half", as transformers) of one head row of `hd` values into `out`:
// out[i] = x[i] c[i] - x[i + half] s[i], out[i + half] = x[i + half] c[i] + x[i] s[i] for i < hd / 2,
// with c and s this position's cos and sin tables.
INLINE void rotate_row(const float *x, int hd, const float *c, const float *s, float *out) {
    const int half = hd / 2;
    int i = 0;
    for (; i + 16 <= half; i += 16) {
        v16f a = load_f32(x + i), b = load_f32(x + half + i), cc = load_f32(c + i), ss = load_f32(s + i);
        store_f32(out + i, a * cc - b * ss);
        store_f32(out + half + i, b * cc + a * ss);
    }
    for (; i < half; i++) {  // head dims that are not a multiple of 32
        const float a = x[i], b = x[half + i];
        out[i] = a * c[i] - b * s[i];
        out[half + i] = b * c[i] + a * s[i];
    }
}

// Rows of q, k, v and the output sit a whole token's width apart, too far for the hardware
// prefetcher to follow once the batch outgrows L2; the kernels fetch the rows they touch next.
INLINE void prefetch_row(const float *x, int count) {
    for (int i = 0; i < count; i += 16) __builtin_prefetch(x + i, 0, 3);
}

// Rows [first, first + count) of q or k (row stride `stride`; row i at sequence position
// `position + i`) as the kernels read them: rotated into `rotated` (row stride hd) when there are
// rotary tables, else where they are. Returns the rows and sets *ld to their row stride.
INLINE const float *rows_as_read(const float *x, int stride, int first, int count, int hd, const float *rope_cos,
                                 const float *rope_sin, int position, float *rotated, int *ld) {
    const float *rows = x + (size_t)first * stride;
    if (!rope_cos) { *ld = stride; return rows; }
    const size_t half = (size_t)(hd / 2), at = (size_t)(position + first) * half;
    const float *c = rope_cos + at, *s = rope_sin + at;
    float *out = rotated;
    for (int r = 0; r < count; r++, rows += stride, out += hd, c += half, s += half) {
        prefetch_row(rows + (size_t)count * stride, hd);  // what the next call reads
        rotate_row(rows, hd, c, s, out);
    }
    *ld = hd;
    return rotated;
}

#endif
