import SimKernel
import Testing

@testable import Monitoring

/// The scrape groups' row buffers come from ``RowArena`` chunks: every buffer must be a
/// region of its own (a buffer handed out twice, or sized wrongly, would let one
/// group's rows overwrite another's), and a group must read back exactly what it was
/// given through growth, retention trims and compaction.
@Suite("Row arena")
struct RowArenaTests {
  @Test("buffers are 64-byte aligned, disjoint, and reused only at the same size")
  func buffersAreDisjoint() {
    let arena = RowArena()
    var regions: [(start: Int, end: Int)] = []
    for count in [1, 7, 8, 16, 100, 1_000, 4_096, 70_000, 300_000, 5] {
      let pointer = arena.allocate(Double.self, count: count)
      let start = Int(bitPattern: pointer)
      #expect(start % 64 == 0)
      pointer.initialize(repeating: Double(count), count: count)
      regions.append((start, start + count * 8))
    }
    regions.sort { $0.start < $1.start }
    for index in regions.indices.dropFirst() { #expect(regions[index - 1].end <= regions[index].start) }
    // A freed buffer serves the next request of its size, not of another size.
    let first = arena.allocate(Int64.self, count: 32)
    arena.deallocate(first, count: 32)
    let other = arena.allocate(Int64.self, count: 64)
    #expect(other != UnsafeMutablePointer<Int64>(OpaquePointer(first)))
    let again = arena.allocate(Int64.self, count: 32)
    #expect(again == first)
    // Larger than a quarter chunk: from the system allocator, and freed there.
    let large = arena.allocate(Double.self, count: RowArena.largestCarved / 8 + 1)
    #expect(Int(bitPattern: large) % 64 == 0)
    arena.deallocate(large, count: RowArena.largestCarved / 8 + 1)
  }

  @Test("many groups of many widths, grown and trimmed in turn, keep their own rows")
  func groupsKeepTheirRows() {
    let store = SeriesStore(retention: .hours(2))
    // Widths from 1 to 23, and one group too wide for a chunk's quarter once grown.
    var widths = (0..<60).map { 1 + ($0 * 7) % 23 }
    widths.append(600)
    let groups = widths.enumerated().map { index, width in
      store.registerScrapeGroup(
        (0..<width).map { column in
          (Labels([(Labels.metricName, "m"), ("group", "\(index)"), ("column", "\(column)")]), .gauge)
        })
    }
    func value(_ group: Int, _ column: Int, _ minute: Int) -> Double {
      Double(group * 100_000 + column * 1_000) + Double(minute) * 0.5
    }
    let minutes = 400
    for minute in 1...minutes {
      for (index, group) in groups.enumerated() {
        let row = (0..<widths[index]).map { value(index, $0, minute) }
        let appended = row.withUnsafeBufferPointer {
          store.appendRow(group, timestampMs: Int64(minute) * 60_000, values: $0)
        }
        #expect(appended)
      }
    }
    let nowMs = Int64(minutes) * 60_000
    var mismatches = 0
    for (index, group) in groups.enumerated() {
      for (column, id) in group.series.enumerated() {
        if store.instantSample(id, atMs: nowMs, lookbackMs: 300_000) != value(index, column, minutes) {
          mismatches += 1
        }
        let expected = ((minutes - 10)...minutes).map { value(index, column, $0) }
        let read = store.withRange(id, fromMs: nowMs - 600_000, toMs: nowMs) { _, values in Array(values) }
        if read != expected { mismatches += 1 }
        if store.sampleCount(id) != 121 { mismatches += 1 }
      }
    }
    #expect(mismatches == 0)
  }
}
