/// Whether `a` and `b` hold the same bytes, in time that depends only on their lengths, never on
/// where they differ: every byte position up to the longer length is visited (a missing byte reads
/// as 0), differences are OR-ed together, and there is no early exit. A length mismatch is folded
/// in the same way, so it returns false without leaving the loop early.
///
/// Use it to compare secrets or their hashes (for API tokens: two 32-byte SHA-256 digests).
@inline(never)
func constantTimeEquals<A: Sequence, B: Sequence>(_ a: A, _ b: B) -> Bool
where A.Element == UInt8, B.Element == UInt8 {
    let left = Array(a)
    let right = Array(b)
    var difference: UInt8 = left.count == right.count ? 0 : 1
    for index in 0..<max(left.count, right.count) {
        let x = index < left.count ? left[index] : 0
        let y = index < right.count ? right[index] : 0
        difference |= x ^ y
    }
    return difference == 0
}
