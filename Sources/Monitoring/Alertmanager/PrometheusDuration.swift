import SimKernel

/// Parses durations exactly as alertmanager's config does (`model.ParseDuration` in
/// prometheus/common): whole numbers with units `y w d h m s ms`, largest first,
/// each unit at most once; a bare `0` is zero.
///
/// Why not ``SimDuration/init(parsing:)``: that one also accepts fractions (`1.5h`)
/// and `us`, which alertmanager rejects, and the simulator must refuse the files the
/// real tool refuses.
enum PrometheusDuration {
  static let units: [(suffix: String, microseconds: Int64)] = [
    ("y", 31_536_000_000_000), ("w", 604_800_000_000), ("d", 86_400_000_000), ("h", 3_600_000_000),
    ("m", 60_000_000), ("s", 1_000_000), ("ms", 1_000),
  ]

  /// The duration, or `nil` if `text` is not a Prometheus duration.
  static func parse(_ text: String) -> SimDuration? {
    if text == "0" { return .zero }
    let bytes = Array(text.utf8)
    guard !bytes.isEmpty else { return nil }
    var index = 0
    var nextUnit = 0
    var total: Int64 = 0
    while index < bytes.count {
      let start = index
      while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
      guard index > start, let number = Int64(String(decoding: bytes[start..<index], as: UTF8.self)) else { return nil }
      // Longest suffix first at this position: `ms` before `m`.
      var matched: Int?
      for unitIndex in nextUnit..<units.count {
        let suffix = Array(units[unitIndex].suffix.utf8)
        guard index + suffix.count <= bytes.count, Array(bytes[index..<(index + suffix.count)]) == suffix else {
          continue
        }
        if suffix == [UInt8(ascii: "m")], index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "s") { continue }
        matched = unitIndex
        break
      }
      guard let unitIndex = matched else { return nil }
      let (product, overflow) = number.multipliedReportingOverflow(by: units[unitIndex].microseconds)
      guard !overflow else { return nil }
      let (sum, sumOverflow) = total.addingReportingOverflow(product)
      guard !sumOverflow else { return nil }
      total = sum
      index += units[unitIndex].suffix.utf8.count
      nextUnit = unitIndex + 1
    }
    return SimDuration(microseconds: total)
  }
}
