/// Free capacity of a sequence of slots (the nodes of one pool, in ID order), kept so
/// that "the first slot at or after `start` whose free CPU, memory and GPUs cover a
/// request" costs O(log n) per slot found instead of a scan over every node.
///
/// A segment tree whose inner entries hold the component-wise maximum of their leaves,
/// as kube-scheduler's snapshot and Karpenter's bin-packing keep nodes by free capacity
/// to avoid scanning the whole cluster per pod. A subtree whose maximum does not cover
/// the request holds no fitting slot, so it is skipped whole; the maximum of each
/// component may come from different leaves, so a covering subtree is only a hint and
/// the search backs out of it when neither child covers. The answers are exactly
/// those of a scan in slot order: the index changes only the cost.
///
/// An absent slot (a node not schedulable, or gone) holds −1 in every component, which
/// no request (all components ≥ 0) fits.
struct FreeCapacityIndex {
  private static let absent = Resources(cpuMillis: -1, memoryMiB: -1, gpuCount: -1)
  /// Leaves at `leafBase ..< leafBase + capacity`, the root at 1; `maxima[0]` unused.
  private var maxima: [Resources] = [absent, absent]
  private var leafBase = 1
  /// Slots in use.
  private(set) var count = 0

  /// The slot's free capacity, `nil` when absent.
  subscript(slot: Int) -> Resources? {
    let value = maxima[leafBase + slot]
    return value.cpuMillis < 0 ? nil : value
  }

  /// Adds a slot at the end; returns its number.
  @discardableResult
  mutating func append(_ free: Resources?) -> Int {
    if count == leafBase { grow() }
    count += 1
    update(count - 1, free: free)
    return count - 1
  }

  /// Removes the last slots, down to `newCount`.
  mutating func truncate(to newCount: Int) {
    while count > newCount {
      update(count - 1, free: nil)
      count -= 1
    }
  }

  mutating func update(_ slot: Int, free: Resources?) {
    var node = leafBase + slot
    maxima[node] = free ?? Self.absent
    while node > 1 {
      node >>= 1
      let left = maxima[2 * node]
      let right = maxima[2 * node + 1]
      maxima[node] = Resources(
        cpuMillis: max(left.cpuMillis, right.cpuMillis), memoryMiB: max(left.memoryMiB, right.memoryMiB),
        gpuCount: max(left.gpuCount, right.gpuCount))
    }
  }

  /// The first slot at or after `start` whose free capacity covers `request`.
  func firstFit(_ request: Resources, from start: Int = 0) -> Int? {
    guard start < count else { return nil }
    var node = leafBase + start
    while true {
      if request.fits(in: maxima[node]) {
        if node >= leafBase { return node - leafBase }
        node = 2 * node
        continue
      }
      // On to the subtree right of this one: up while this is a right child.
      while node & 1 == 1 { node >>= 1 }
      if node == 0 { return nil }
      node += 1
    }
  }

  /// Doubles the leaves, keeping every slot's value.
  private mutating func grow() {
    let leaves = Array(maxima[leafBase..<leafBase + leafBase])
    leafBase *= 2
    maxima = Array(repeating: Self.absent, count: 2 * leafBase)
    for (slot, value) in leaves.enumerated() { maxima[leafBase + slot] = value }
    for node in stride(from: leafBase - 1, through: 1, by: -1) {
      let left = maxima[2 * node]
      let right = maxima[2 * node + 1]
      maxima[node] = Resources(
        cpuMillis: max(left.cpuMillis, right.cpuMillis), memoryMiB: max(left.memoryMiB, right.memoryMiB),
        gpuCount: max(left.gpuCount, right.gpuCount))
    }
  }
}

/// Node IDs in a set with ordered iteration: a bitset over node positions with a
/// summary word per 64 words, so membership changes cost O(1) and "the next member
/// after `id`" skips empty stretches 4,096 positions at a time.
struct OrderedNodeSet {
  private var words: [UInt64] = []
  private var summary: [UInt64] = []

  func contains(_ id: NodeID) -> Bool {
    let word = id.position >> 6
    return word < words.count && words[word] & (1 << UInt64(id.position & 63)) != 0
  }

  mutating func insert(_ id: NodeID) {
    let word = id.position >> 6
    while words.count <= word { words.append(0) }
    while summary.count <= word >> 6 { summary.append(0) }
    words[word] |= 1 << UInt64(id.position & 63)
    summary[word >> 6] |= 1 << UInt64(word & 63)
  }

  mutating func remove(_ id: NodeID) {
    let word = id.position >> 6
    guard word < words.count else { return }
    words[word] &= ~(1 << UInt64(id.position & 63))
    if words[word] == 0 { summary[word >> 6] &= ~(1 << UInt64(word & 63)) }
  }

  /// The smallest member at or after position `start`.
  func first(from start: Int) -> NodeID? {
    var word = start >> 6
    guard word < words.count else { return nil }
    let inWord = words[word] & (~0 << UInt64(start & 63))
    if inWord != 0 { return NodeID(position: word << 6 | inWord.trailingZeroBitCount) }
    word += 1
    var group = word >> 6
    guard group < summary.count else { return nil }
    var bits = word & 63 == 0 ? summary[group] : summary[group] & (~0 << UInt64(word & 63))
    while bits == 0 {
      group += 1
      guard group < summary.count else { return nil }
      bits = summary[group]
    }
    word = group << 6 | bits.trailingZeroBitCount
    return NodeID(position: word << 6 | words[word].trailingZeroBitCount)
  }
}
