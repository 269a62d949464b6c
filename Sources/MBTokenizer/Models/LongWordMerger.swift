/// BPE for long words (thousands of bytes happen: base64, minified code, runs of one
/// character) with a priority queue over a linked list, O(n log n) instead of O(n²).
///
/// Stale queue entries are detected and skipped the same way Hugging Face does it: the
/// left symbol was consumed, or the pair now at that position merges into something else.
///
/// All state lives in one scratch allocation per word, addressed through raw pointers: the loops
/// run once per merge and per heap level, where array bounds and uniqueness checks cost as much as
/// the work itself.
struct LongWordMerger {
    let merges: MergeTable

    /// A queued merge. `order` is `rank << 32 | position`, so one integer comparison gives the
    /// lowest rank first and the leftmost position on ties.
    private struct Candidate {
        var order: UInt64
        var merged: Int32

        @inline(__always)
        init(rank: Int32, pos: Int, merged: Int32) {
            order = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(truncatingIfNeeded: pos))
            self.merged = merged
        }

        @inline(__always)
        var pos: Int { Int(truncatingIfNeeded: order & 0xFFFF_FFFF) }
    }

    /// Merges in place and compacts the survivors to the front; returns their count.
    func merge(_ ids: UnsafeMutableBufferPointer<Int32>, _ lengths: UnsafeMutableBufferPointer<Int32>, _ n: Int) -> Int {
        guard n > 1 else { return n }
        let ids = ids.baseAddress!, lengths = lengths.baseAddress!
        let links = UnsafeMutablePointer<Int32>.allocate(capacity: 2 * n)
        defer { links.deallocate() }
        let next = links, prev = links + n
        for i in 0..<n {
            next[i] = i + 1 < n ? Int32(i + 1) : -1
            prev[i] = Int32(i) - 1
        }
        // Each merge queues at most two candidates, so n - 1 initial ones plus 2 (n - 1) bound the heap.
        var heap = Heap(capacity: 3 * n)
        defer { heap.deallocate() }
        for i in 0..<(n - 1) {
            if let m = merges.lookup(ids[i], ids[i + 1]) {
                heap.push(Candidate(rank: m.rank, pos: i, merged: m.merged))
            }
        }
        while let top = heap.pop() {
            let pos = top.pos
            let right = Int(next[pos])
            guard lengths[pos] > 0, right >= 0,
                  let m = merges.lookup(ids[pos], ids[right]), m.merged == top.merged else { continue }
            ids[pos] = top.merged
            lengths[pos] += lengths[right]
            lengths[right] = 0
            let after = Int(next[right])
            next[pos] = Int32(after)
            if after >= 0 { prev[after] = Int32(pos) }
            let before = Int(prev[pos])
            if before >= 0, let m = merges.lookup(ids[before], ids[pos]) {
                heap.push(Candidate(rank: m.rank, pos: before, merged: m.merged))
            }
            if after >= 0, let m = merges.lookup(ids[pos], ids[after]) {
                heap.push(Candidate(rank: m.rank, pos: pos, merged: m.merged))
            }
        }
        var count = 0
        var i = 0
        while i >= 0 && i < n {
            ids[count] = ids[i]
            lengths[count] = lengths[i]
            count += 1
            i = Int(next[i])
        }
        return count
    }

    /// A binary min-heap of candidates in a fixed allocation (the caller bounds its size).
    private struct Heap {
        let items: UnsafeMutablePointer<Candidate>
        var count = 0

        init(capacity: Int) { items = .allocate(capacity: capacity) }

        func deallocate() { items.deallocate() }

        @inline(__always)
        mutating func push(_ c: Candidate) {
            var i = count
            count += 1
            while i > 0 {
                let parent = (i - 1) >> 1
                let p = items[parent]
                if c.order >= p.order { break }
                items[i] = p
                i = parent
            }
            items[i] = c
        }

        @inline(__always)
        mutating func pop() -> Candidate? {
            guard count > 0 else { return nil }
            let top = items[0]
            count -= 1
            if count > 0 {
                let last = items[count]
                var i = 0
                while true {
                    let l = 2 * i + 1
                    if l >= count { break }
                    var m = l
                    if l + 1 < count, items[l + 1].order < items[l].order { m = l + 1 }
                    if items[m].order >= last.order { break }
                    items[i] = items[m]
                    i = m
                }
                items[i] = last
            }
            return top
        }
    }
}
