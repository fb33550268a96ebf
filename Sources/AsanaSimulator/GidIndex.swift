/// A set of gids kept in list order (``gidLess(_:_:)``), so a list page is found by binary search instead of
/// sorting or filtering every object on every request.
///
/// Inserting and removing cost O(n) (an array shift, rare: only membership writes); ``firstIndex(after:)`` costs
/// O(log n), and reading the array out is O(1) (copy on write).
struct GidIndex: Sendable, Equatable {
    /// The gids, ascending by ``gidLess(_:_:)``, without duplicates.
    private(set) var gids: [String] = []

    init() {}

    /// The set of `gids` (any order; duplicates dropped).
    init(_ gids: some Sequence<String>) {
        self.gids = Array(Set(gids)).sorted(by: gidLess)
    }

    var count: Int { gids.count }

    /// Adds `gid`; nothing changes when it is already in. Appending in order (a seed, new gids) costs O(1).
    mutating func insert(_ gid: String) {
        if let last = gids.last, !gidLess(last, gid) {
            let index = lowerBound(gid)
            guard index == gids.endIndex || gids[index] != gid else { return }
            gids.insert(gid, at: index)
        } else {
            gids.append(gid)
        }
    }

    /// Removes `gid` if it is in.
    mutating func remove(_ gid: String) {
        let index = lowerBound(gid)
        if index < gids.endIndex, gids[index] == gid { gids.remove(at: index) }
    }

    func contains(_ gid: String) -> Bool {
        let index = lowerBound(gid)
        return index < gids.endIndex && gids[index] == gid
    }

    /// The index of the first gid that sorts after `border` (``gids.endIndex`` when none does): where the page after
    /// an `offset` whose border is `border` starts, whether or not `border` is still in the list.
    func firstIndex(after border: String) -> Int { Self.firstIndex(after: border, in: gids) }

    /// ``firstIndex(after:)`` in any array sorted by ``gidLess(_:_:)``.
    static func firstIndex(after border: String, in gids: [String]) -> Int {
        var low = 0
        var high = gids.count
        while low < high {
            let middle = (low + high) / 2
            if gidLess(border, gids[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// The index of the first gid not sorting before `gid`.
    private func lowerBound(_ gid: String) -> Int {
        var low = 0
        var high = gids.count
        while low < high {
            let middle = (low + high) / 2
            if gidLess(gids[middle], gid) { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
