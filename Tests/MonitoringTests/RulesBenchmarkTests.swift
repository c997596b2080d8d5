import Foundation
import Monitoring
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The rule-evaluation benchmark: N error-ratio alerting rules (one per service)
/// evaluated every 30 s over D simulated days, with two counters per service scraped
/// every minute. Disabled unless `PLATFORMSIM_BENCH` is set; speed is recorded in
/// docs/PERFORMANCE.md, not asserted:
///
///     PLATFORMSIM_BENCH=1000x30 swift test -c release --filter RulesBenchmark
@Suite(
  "Rules benchmark", .enabled(if: ProcessInfo.processInfo.environment["PLATFORMSIM_BENCH"] != nil))
struct RulesBenchmarkTests {
  @Test("error-ratio rules over simulated days")
  func errorRatioRules() throws {
    let spec = (ProcessInfo.processInfo.environment["PLATFORMSIM_BENCH"] ?? "100x3").split(
      separator: "x")
    let services = Int(spec.first ?? "100") ?? 100
    let days = Int(spec.dropFirst().first ?? "3") ?? 3
    var yaml = "groups:\n  - name: slo\n    interval: 30s\n    rules:\n"
    for service in 0..<services {
      yaml += """
            - alert: ErrorRateHigh
              expr: rate(http_requests_total{service="svc-\(service)", code="500"}[5m]) / ignoring(code) rate(http_requests_total{service="svc-\(service)", code="200"}[5m]) > 0.05
              for: 5m
              labels:
                severity: page

        """
    }
    let groups = try RuleFileLoader.load(yaml: yaml, file: "bench.yml")
    let store = SeriesStore(retention: .hours(1))
    let engine = PromQLEngine(store: store)
    let group = RuleGroup(groups[0])
    group.writesAlertSeries = false
    var okIDs: [SeriesID] = []
    var errorIDs: [SeriesID] = []
    for service in 0..<services {
      okIDs.append(
        store.register(
          name: "http_requests_total", labels: [("service", "svc-\(service)"), ("code", "200")],
          kind: .counter))
      errorIDs.append(
        store.register(
          name: "http_requests_total", labels: [("service", "svc-\(service)"), ("code", "500")],
          kind: .counter))
    }
    var okCount = Array(repeating: 0.0, count: services)
    var errorCount = Array(repeating: 0.0, count: services)
    var random = SystemRandomNumberGeneratorFree(seed: 42)
    let endMs = Int64(days) * 86_400_000
    var transitions = 0
    var appendNanoseconds: UInt64 = 0
    var evaluateNanoseconds: UInt64 = 0
    let cpuStart = threadCPUSeconds()
    var t: Int64 = 0
    while t <= endMs {
      if t % 60_000 == 0 {
        let start = DispatchTime.now().uptimeNanoseconds
        for service in 0..<services {
          // A service has an incident about once a day for 20 minutes.
          let incident = (t / 60_000 + Int64(service) * 97) % 1_440 < 20
          okCount[service] += 100
          errorCount[service] += incident ? 20 : Double(random.next() % 3)
          store.append(okIDs[service], timestampMs: t, value: okCount[service])
          store.append(errorIDs[service], timestampMs: t, value: errorCount[service])
        }
        appendNanoseconds += DispatchTime.now().uptimeNanoseconds - start
      }
      let start = DispatchTime.now().uptimeNanoseconds
      transitions += group.evaluate(atMs: t, engine: engine).transitions.count
      evaluateNanoseconds += DispatchTime.now().uptimeNanoseconds - start
      t += 30_000
    }
    let cpuSeconds = threadCPUSeconds() - cpuStart
    let evaluations = Int(endMs / 30_000 + 1) * services
    print(
      "RulesBenchmark: \(services) rules x \(days) days: \(evaluations) rule evaluations in \(Double(evaluateNanoseconds) / 1e9) s (\(Double(evaluateNanoseconds) / Double(evaluations)) ns each), appends \(Double(appendNanoseconds) / 1e9) s, \(transitions) transitions, thread CPU \(cpuSeconds) s for both"
    )
    #expect(transitions > 0)
  }
}

/// SplitMix64, so the benchmark needs no system RNG.
struct SystemRandomNumberGeneratorFree {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// CPU time of the calling thread: robust to other processes sharing the machine.
func threadCPUSeconds() -> Double {
  var spec = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
  return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}
