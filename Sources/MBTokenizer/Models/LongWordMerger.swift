/// BPE for long words (thousands of bytes happen: base64, minified code, runs of one
/// character) with a priority queue over a linked list, O(n log n) instead of O(n²).
///
/// Stale queue entries are detected and skipped the same way Hugging Face does it: the
/// left symbol was consumed, or the pair now at that position merges into something else.
struct LongWordMerger {
    let merges: MergeTable

    private struct Candidate: Comparable {
        var rank: Int32
        var pos: Int32
        var merged: Int32
        static func < (a: Candidate, b: Candidate) -> Bool {
            a.rank != b.rank ? a.rank < b.rank : a.pos < b.pos
        }
    }

    /// Merges in place and compacts the survivors to the front; returns their count.
    func merge(_ ids: UnsafeMutableBufferPointer<Int32>, _ lengths: UnsafeMutableBufferPointer<Int32>, _ n: Int) -> Int {
        var next = [Int32](repeating: -1, count: n)
        var prev = [Int32](repeating: -1, count: n)
        for i in 0..<n {
            next[i] = i + 1 < n ? Int32(i + 1) : -1
            prev[i] = Int32(i) - 1
        }
        var heap: [Candidate] = []
        heap.reserveCapacity(n)
        for i in 0..<(n - 1) {
            if let m = merges.lookup(ids[i], ids[i + 1]) {
                push(&heap, Candidate(rank: m.rank, pos: Int32(i), merged: m.merged))
            }
        }
        while let top = pop(&heap) {
            let pos = Int(top.pos)
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
                push(&heap, Candidate(rank: m.rank, pos: Int32(before), merged: m.merged))
            }
            if after >= 0, let m = merges.lookup(ids[pos], ids[after]) {
                push(&heap, Candidate(rank: m.rank, pos: Int32(pos), merged: m.merged))
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

    @inline(__always)
    private func push(_ heap: inout [Candidate], _ c: Candidate) {
        heap.append(c)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if heap[i] < heap[parent] { heap.swapAt(i, parent); i = parent } else { break }
        }
    }

    @inline(__always)
    private func pop(_ heap: inout [Candidate]) -> Candidate? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count, heap[l] < heap[m] { m = l }
                if r < heap.count, heap[r] < heap[m] { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}
