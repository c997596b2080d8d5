import Testing

@testable import Monitoring

/// Alert state transitions are observable with times and labels.
@Suite("Rule evaluation")
struct RulesEvaluationTests {
  static let rules = """
    groups:
      - name: serving
        rules:
          - record: service:errors:rate1m
            expr: rate(errors_total[1m])
          - alert: ErrorsHigh
            expr: service:errors:rate1m > 1
            for: 2m
            keep_firing_for: 1m
            labels:
              severity: page
              owner: 'team-{{ $labels.service }}'
            annotations:
              summary: '{{ $labels.service }} at {{ $value }}/s'
    """

  /// Runs the rules over an error counter: quiet, an incident from minute 5 to 12, quiet.
  func run(minutes: Int) throws -> (
    transitions: [AlertTransition], group: RuleGroup, store: SeriesStore
  ) {
    let definition = try RuleFileLoader.load(yaml: Self.rules, file: "serving.yml")
    let store = SeriesStore()
    let engine = PromQLEngine(store: store)
    let group = RuleGroup(definition[0])
    let id = store.register(name: "errors_total", labels: [("service", "ranker")], kind: .counter)
    var count = 0.0
    var transitions: [AlertTransition] = []
    for minute in 0...minutes {
      let t = Int64(minute) * 60_000
      count += (5..<12).contains(minute) ? 300 : 1
      store.append(id, timestampMs: t, value: count)
      let result = group.evaluate(atMs: t, engine: engine)
      #expect(result.errors.isEmpty)
      transitions += result.transitions
    }
    return (transitions, group, store)
  }

  @Test("pending, firing and resolved carry times, labels and annotations")
  func transitions() throws {
    let (transitions, _, _) = try run(minutes: 20)
    #expect(transitions.map(\.kind) == [.pending, .firing, .resolved])
    #expect(transitions.map(\.atMs) == [300_000, 420_000, 780_000])
    let firing = transitions[1]
    #expect(firing.activeAtMs == 300_000)
    #expect(
      firing.labels
        == Labels([
          "alertname": "ErrorsHigh", "service": "ranker", "severity": "page",
          "owner": "team-ranker",
        ]))
    #expect(firing.annotations["summary"] == "ranker at 5/s")
    #expect(firing.group == "serving")
    #expect(firing.rule == "ErrorsHigh")
  }

  @Test("alerts for Alertmanager: resent every second minute, endsAt 4m ahead, resolved ones too")
  func alertsToSend() throws {
    let definition = try RuleFileLoader.load(yaml: Self.rules, file: "serving.yml")
    let store = SeriesStore()
    let engine = PromQLEngine(store: store)
    let group = RuleGroup(definition[0])
    let id = store.register(name: "errors_total", labels: [("service", "ranker")], kind: .counter)
    var count = 0.0
    var sends: [(atMs: Int64, startsAtMs: Int64, endsAtMs: Int64, resolved: Bool)] = []
    for minute in 0...20 {
      let t = Int64(minute) * 60_000
      count += (5..<12).contains(minute) ? 300 : 1
      store.append(id, timestampMs: t, value: count)
      for alert in group.evaluate(atMs: t, engine: engine).alertsToSend {
        sends.append((alert.sentAtMs, alert.startsAtMs, alert.endsAtMs, alert.isResolved))
      }
    }
    // Pending at 5m and 6m: nothing sent. Firing from 7m: sent at 7m, 9m, 11m (strict
    // "last send + 1m < now"). Resolved at 13m (after keep_firing_for): sent at once,
    // then re-sent every second evaluation until dropped 15 minutes later.
    #expect(
      sends.map(\.atMs) == [420_000, 540_000, 660_000, 780_000, 900_000, 1_020_000, 1_140_000])
    #expect(sends.first?.startsAtMs == 420_000)
    #expect(sends.first?.endsAtMs == 660_000)
    #expect(sends.dropFirst(3).allSatisfy { $0.resolved && $0.endsAtMs == 780_000 })
  }

  @Test("a pending alert that disappears is cancelled and its for clock restarts")
  func cancelled() throws {
    let definition = try RuleFileLoader.load(
      yaml:
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: x > 0\n        for: 3m\n",
      file: "g.yml")
    let store = SeriesStore()
    let engine = PromQLEngine(store: store)
    let group = RuleGroup(definition[0])
    let id = store.register(name: "x")
    var kinds: [(AlertTransition.Kind, Int64)] = []
    for (minute, value) in [1.0, 1, 0, 1, 1, 1, 1].enumerated() {
      let t = Int64(minute) * 60_000
      store.append(id, timestampMs: t, value: value)
      kinds += group.evaluate(atMs: t, engine: engine).transitions.map { ($0.kind, $0.atMs) }
    }
    #expect(kinds.map(\.0) == [.pending, .cancelled, .pending, .firing])
    #expect(kinds.map(\.1) == [0, 120_000, 180_000, 360_000])
    #expect(group.firingAlerts.count == 1)
  }

  @Test("recording rules write series that later rules and queries read, and go stale")
  func recording() throws {
    let (_, _, store) = try run(minutes: 20)
    let engine = PromQLEngine(store: store)
    guard case .vector(let samples) = try engine.query("service:errors:rate1m", atMs: 600_000)
    else {
      Issue.record("expected a vector")
      return
    }
    #expect(samples.count == 1)
    #expect(samples.first?.labels.metricName == "service:errors:rate1m")
    guard
      case .vector(let alerts) = try engine.query("ALERTS{alertstate=\"firing\"}", atMs: 600_000)
    else {
      Issue.record("expected a vector")
      return
    }
    #expect(alerts.first?.labels["severity"] == "page")
  }

  @Test(
    "a recording rule whose renaming merges two series fails that evaluation, as Prometheus does, every time",
    arguments: [
      // Rule labels overwrite the label that told the two groups apart.
      ("sum by (zone) (requests_total)", "      labels: {zone: all}\n"),
      // The two inputs differ only in their metric name, which the record replaces.
      ("{__name__=~\"requests_total|retries_total\", zone=\"a\"}", ""),
    ])
  func renamingCollision(_ expression: String, _ labels: String) throws {
    let yaml = "groups:\n  - name: g\n    rules:\n    - record: zone:requests\n      expr: '\(expression)'\n\(labels)"
    let definition = try RuleFileLoader.load(yaml: yaml, file: "g.yml")
    let store = SeriesStore()
    let engine = PromQLEngine(store: store)
    let group = RuleGroup(definition[0])
    let series = [
      store.register(name: "requests_total", labels: [("zone", "a")]),
      store.register(name: "requests_total", labels: [("zone", "b")]),
      store.register(name: "retries_total", labels: [("zone", "a")]),
    ]
    for minute in 0..<3 {
      let t = Int64(minute) * 60_000
      for id in series { store.append(id, timestampMs: t, value: Double(minute)) }
      let errors = group.evaluate(atMs: t, engine: engine).errors
      #expect(errors.count == 1, "minute \(minute)")
      #expect(errors.first?.message.contains("same labelset after applying rule labels") == true)
    }
  }

  @Test(
    "recording rules over per-series aggregations write what the generic path writes, staleness included",
    arguments: [
      "sum by (service) (rate(errors_total[2m])) / sum by (service) (rate(requests_total[2m]))",
      "sum by (service) (rate(requests_total[2m]))",
      "max by (service, zone) (requests_total)",
      "min by (service) (rate(errors_total[2m])) < on (service) max by (service) (rate(requests_total[2m]))",
    ])
  func keyedRecording(_ expression: String) throws {
    // The same rule twice: as written (keyed by the engine's groups), and multiplied by
    // one, which leaves the keyed shapes and makes the generic path write it.
    func group(_ expression: String) throws -> RuleGroup {
      let yaml = """
        groups:
          - name: g
            rules:
            - record: service:x
              expr: '\(expression)'
              labels: {tier: gold}
        """
      return RuleGroup(try RuleFileLoader.load(yaml: yaml, file: "g.yml")[0])
    }
    let keyed = try group(expression)
    let generic = try group("(\(expression)) * 1")
    let stores = [SeriesStore(), SeriesStore()]
    var samples: [[[Sample]]] = [[], []]
    for minute in 0..<40 {
      let t = Int64(minute) * 60_000
      for (side, store) in stores.enumerated() {
        for (service, zone) in [("a", "1"), ("b", "1"), ("b", "2"), ("c", "1"), ("d", "3")] {
          // "b" stops from minute 10 to 18; "c" starts at minute 5; "d" zone 3 only
          // now and then.
          if service == "b" && (10..<18).contains(minute) { continue }
          if service == "c" && minute < 5 { continue }
          if service == "d" && minute % 9 > 3 { continue }
          let labels = [("service", service), ("zone", zone)]
          let requests = store.register(name: "requests_total", labels: labels, kind: .counter)
          let errors = store.register(name: "errors_total", labels: labels, kind: .counter)
          let rate = Double(service.unicodeScalars.first!.value % 7) + 0.1 * Double(minute % 4)
          store.append(requests, timestampMs: t, value: Double(minute) * rate * 3 + 0.7)
          store.append(errors, timestampMs: t, value: Double(minute) * rate + 0.3 * Double(minute % 3))
        }
        let result = (side == 0 ? keyed : generic).evaluate(atMs: t, engine: PromQLEngine(store: store))
        #expect(result.errors.isEmpty)
        guard case .vector(let written) = try PromQLEngine(store: store).query("service:x", atMs: t) else {
          Issue.record("expected a vector")
          return
        }
        samples[side].append(written)
      }
    }
    #expect(samples[0].map { $0.map(\.labels) } == samples[1].map { $0.map(\.labels) })
    #expect(samples[0].map { $0.map(\.value.bitPattern) } == samples[1].map { $0.map(\.value.bitPattern) })
    // A series the rule stopped returning is gone the next minute: it was marked stale
    // (else the lookback would still show it). The outputs were registered in the same
    // order.
    #expect(zip(samples[0], samples[0].dropFirst()).contains { $1.count < $0.count })
    #expect(stores[0].seriesCount == stores[1].seriesCount)
    for raw in 0..<stores[0].seriesCount {
      let id = SeriesID(rawValue: Int32(raw))
      #expect(stores[0].labels(of: id) == stores[1].labels(of: id))
    }
  }

  @Test("evaluation is deterministic")
  func deterministic() throws {
    let first = try run(minutes: 30).transitions.map(\.description)
    let second = try run(minutes: 30).transitions.map(\.description)
    #expect(first == second)
    #expect(!first.isEmpty)
  }
}
