#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Memory for scrape groups' row buffers (timestamps, values, drop rows), carved from
/// large chunks that Linux may back with 2 MiB pages, and reused by exact size.
///
/// Why: at organisation scale every rule evaluation and every scrape visits every
/// group's newest rows, each group's buffers in pages of their own. From the malloc heap
/// (4 KiB pages) 2,000 services' groups span tens of thousands of pages, far more than
/// a second-level data TLB holds (2,048 entries on recent EPYC cores), so at 4× most
/// group visits paid a page walk on top of their cache misses, and the cost per service
/// grew with the size (issue 19, mem8: `GLIBC_TUNABLES=glibc.malloc.hugetlb=1` alone
/// took 10 % off a 4× day).
/// Chunks of 8 MiB, 2 MiB aligned and marked `MADV_HUGEPAGE` (honoured when
/// `/sys/kernel/mm/transparent_hugepage/enabled` is `always` or `madvise`), need a few
/// entries each. Buffers are handed out in the order groups register and grow, so
/// consecutive groups' rows are near each other, which the hardware prefetcher likes.
///
/// Buffers larger than a quarter of a chunk (very wide groups, or a retention long
/// enough to hold thousands of rows, as the promtool runner's) come from the system
/// allocator. Freed buffers wait for a request of the same size; every group grows
/// through the same capacities, so they are taken again as the other groups grow.
/// Nothing here changes a value: only where rows live.
final class RowArena {
  /// Bytes per chunk: four 2 MiB pages.
  static let chunkBytes = 1 << 23
  /// The alignment of chunks: one huge page on x86-64 and arm64 Linux.
  static let hugePageBytes = 1 << 21
  /// Larger requests bypass the chunks.
  static let largestCarved = chunkBytes / 4

  private var chunks: [UnsafeMutableRawPointer] = []
  private var next: UnsafeMutableRawPointer?
  private var remaining = 0
  /// Freed buffers by size in bytes (a multiple of 64).
  private var free: [Int: [UnsafeMutableRawPointer]] = [:]

  init() {}

  deinit {
    for chunk in chunks { chunk.deallocate() }
  }

  /// The size a request of `byteCount` bytes takes: whole 64-byte lines.
  static func roundedSize(_ byteCount: Int) -> Int { (max(byteCount, 1) + 63) & ~63 }

  /// Room for `count` values of `T`, 64-byte aligned, uninitialised.
  func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
    allocate(byteCount: count * MemoryLayout<T>.stride).bindMemory(to: T.self, capacity: count)
  }

  /// Returns a buffer from ``allocate(_:count:)`` of the same `count`.
  func deallocate<T>(_ pointer: UnsafeMutablePointer<T>, count: Int) {
    deallocate(UnsafeMutableRawPointer(pointer), byteCount: count * MemoryLayout<T>.stride)
  }

  func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
    let size = Self.roundedSize(byteCount)
    if size > Self.largestCarved { return UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64) }
    if let reused = free[size]?.popLast() { return reused }
    if size > remaining { addChunk() }
    guard let start = next else { preconditionFailure("no chunk after addChunk") }
    next = start + size
    remaining -= size
    return start
  }

  func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
    let size = Self.roundedSize(byteCount)
    if size > Self.largestCarved {
      pointer.deallocate()
      return
    }
    free[size, default: []].append(pointer)
  }

  /// Starts a new chunk; what was left of the last one is unused.
  private func addChunk() {
    let chunk = UnsafeMutableRawPointer.allocate(byteCount: Self.chunkBytes, alignment: Self.hugePageBytes)
    #if os(Linux)
      // Advice only: where transparent huge pages are off, the chunk keeps 4 KiB pages.
      _ = madvise(chunk, Self.chunkBytes, MADV_HUGEPAGE)
    #endif
    chunks.append(chunk)
    next = chunk
    remaining = Self.chunkBytes
  }
}
