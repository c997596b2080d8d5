import Foundation
import Testing

@testable import PlatformModel

/// The traffic loop's per-version and per-target state (issue 19, traffic7): the sums it
/// reads instead of the defect arrays, the shared latency tables, and the size of a
/// target's per-scrape block.
@Suite struct TrafficPublishingTests {
  /// A version's defects summed once give what the loop summed per interval: error-rate
  /// and latency sizes added, quality sizes taken off 0.9, crash-on-start ignored.
  @Test func defectEffectsSumEachKindInOrder() {
    let none = DefectEffects([])
    #expect(!none.hasDefects)
    #expect(none.errorRatio == 0 && none.latencyExtra == 0 && none.quality == 0.9)

    let defects = [
      Defect(kind: .errorRate, size: 0.1), Defect(kind: .latency, size: 0.3), Defect(kind: .quality, size: 0.05),
      Defect(kind: .crashOnStart, size: 1), Defect(kind: .errorRate, size: 0.2), Defect(kind: .quality, size: 0.1),
    ]
    let effects = DefectEffects(defects)
    #expect(effects.hasDefects)
    #expect(effects.errorRatio == 0.0 + 0.1 + 0.2)
    #expect(effects.latencyExtra == 0.3)
    #expect(effects.quality == 0.9 - 0.05 - 0.1)
    // Only a crash-on-start defect: the version has defects but no per-request effect.
    let crash = DefectEffects([Defect(kind: .crashOnStart, size: 1)])
    #expect(crash.hasDefects && crash.errorRatio == 0 && crash.latencyExtra == 0 && crash.quality == 0.9)
  }

  /// Targets with the same baseline latency and shift share one table; each table holds
  /// P(bucket i | not below) of a lognormal (σ = 0.5) shifted by the extra latency, by
  /// the closed form.
  @Test func conditionalTablesAreSharedAndMatchTheClosedForm() {
    let buckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
    let tables = PublishingStorage(buckets: buckets, services: 1)
    let plain = tables.table(latencyExtra: 0, baselineLatency: 0.1)
    #expect(plain == tables.table(latencyExtra: 0, baselineLatency: 0.1))
    let shifted = tables.table(latencyExtra: 0.3, baselineLatency: 0.1)
    #expect(shifted != plain)
    #expect(tables.table(latencyExtra: 0, baselineLatency: 0.2) != plain)

    func cdf(_ bound: Double, extra: Double, baseline: Double) -> Double {
      bound > extra ? 0.5 * erfc(-(log((bound - extra) / baseline) / 0.5) / 2.0.squareRoot()) : 0
    }
    for (table, extra) in [(plain, 0.0), (shifted, 0.3)] {
      var below = 0.0
      for (index, bound) in buckets.enumerated() {
        let probability = cdf(bound, extra: extra, baseline: 0.1)
        let expected = below < 1 ? (probability - below) / (1 - below) : 0
        #expect(abs(table[index] - expected) < 1e-12, "bucket \(bound), extra \(extra)")
        below = max(below, probability)
      }
    }
    // Below the shift no request can land.
    #expect(shifted[0] == 0 && shifted[1] == 0 && shifted[2] == 0)
  }

  /// A target's per-scrape header is one cache line, so with the default seven buckets
  /// its state is two lines; blocks are whole lines apart and aligned.
  @Test func publishedStateHeaderFitsOneCacheLine() {
    #expect(MemoryLayout<PublishedState>.size <= 64)
    let storage = PublishingStorage(buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], services: 3)
    #expect(storage.blockStride == 128)
    #expect(PublishingStorage(buckets: Array(repeating: 1, count: 8), services: 1).blockStride == 192)
    let first = storage.stateBlock(service: 0, track: 0)
    #expect(Int(bitPattern: first) % 64 == 0)
    #expect(storage.stateBlock(service: 2, track: 0) - first == 256)
    #expect(storage.stateBlock(service: 1, track: 1) != storage.stateBlock(service: 1, track: 0))
  }
}
