/// A rule group with its evaluation state: alert instances and the series it wrote.
///
/// Mirrors `rules.Group.Eval` and `rules.AlertingRule.Eval` of Prometheus 2.42: rules run
/// in order at the same timestamp, so a recording rule's output is visible to later
/// rules; series that a rule stops returning get a staleness marker; alert instances go
/// pending → firing once `ts − activeAt ≥ for`, a pending instance that disappears is
/// deleted (its clock restarts), a firing one resolves unless `keep_firing_for` holds
/// it, and resolved instances are kept 15 minutes. The caller drives time: call
/// ``evaluate(atMs:engine:)`` at each evaluation instant (every ``intervalMs``).
public final class RuleGroup {
  public let name: String
  /// Evaluation interval: the group's `interval`, else the global default.
  public let intervalMs: Int64
  public let rules: [RuleDefinition]
  /// Labels available to templates as `$externalLabels`.
  public var externalLabels: Labels = .empty
  /// Available to templates as `$externalURL`.
  public var externalURL = ""
  /// Write `ALERTS` and `ALERTS_FOR_STATE` series, as Prometheus does (promtool too).
  public var writesAlertSeries = true
  /// `--rules.alert.resend-delay` (default 1m): how often firing alerts are re-sent.
  public var resendDelayMs: Int64 = 60_000

  /// How long resolved alerts are kept (`resolvedRetention`).
  static let resolvedRetentionMs: Int64 = 15 * 60_000

  @exclusivity(unchecked) private var alerts: [[Alert]]
  @exclusivity(unchecked) private var previousOutput: [[SeriesID]]
  /// Per recording rule: output labels by input labels (renamed and relabelled once).
  private var renamedOutput: [[Labels: Labels]]
  /// Per recording rule: every renamed label set so far, and whether two inputs were
  /// ever renamed to the same one.
  ///
  /// Engine results never repeat a label set, so only such a collision can make an output repeat one — checking it per
  /// sample at every evaluation hashed hundreds of sets each time.
  private var renamedOutputs: [Set<Labels>]
  private var renamingMayCollide: [Bool]
  /// Per recording rule: the engine's result at the last evaluation and the output
  /// renamed from it, position by position.
  ///
  /// Why: a rule's result repeats its label sets in the same order every evaluation
  /// (the same storage, so comparing is a fingerprint and an identity check), and the
  /// dictionary probe per sample — hashing, probing, retaining — was about 2 % of an
  /// organisation-scale day (500 outputs a minute).
  private var lastRecording: [(input: [Sample], output: [Sample])]
  /// Per recording rule: the output series of each key of the engine's keyed result
  /// (``PromQLEngine/keyedVector(_:_:into:labels:)``).
  ///
  /// Why: the error-ratio rule of an organisation (500 services) built, compared and
  /// released two label sets per output sample every minute (the engine's result and
  /// the renamed output), and looked each output series up by its labels; by key, an
  /// evaluation appends values to known series.
  ///
  /// This and the work arrays below skip dynamic exclusivity checks, as the fields
  /// above do: checked, each access in the per-sample loop called the runtime
  /// (`swift_beginAccess`), about 120 instructions per sample.
  @exclusivity(unchecked) private var keyedRecordings: [KeyedRecording]
  /// Work arrays of the keyed path, kept between evaluations.
  @exclusivity(unchecked) private var keyedResult = KeyedVector()
  @exclusivity(unchecked) private var keyedIDs: [SeriesID] = []
  /// Per alerting rule, a shortcut that proves an empty result without building vectors.
  private let plans: [SingleSeriesPlan?]
  /// The same plans unretained (`plans` owns them): a thousand rules every 30 s made
  /// retaining each plan a visible cost.
  private let planRefs: [Unmanaged<SingleSeriesPlan>?]

  /// Creates the runtime state of a group.
  /// - Parameter defaultIntervalMs: the global `evaluation_interval` (Prometheus: 1m).
  public init(_ definition: RuleGroupDefinition, defaultIntervalMs: Int64 = 60_000) {
    name = definition.name
    intervalMs = definition.intervalMs ?? defaultIntervalMs
    rules = definition.rules
    alerts = Array(repeating: [], count: definition.rules.count)
    previousOutput = Array(repeating: [], count: definition.rules.count)
    renamedOutput = Array(repeating: [:], count: definition.rules.count)
    renamedOutputs = Array(repeating: [], count: definition.rules.count)
    renamingMayCollide = Array(repeating: false, count: definition.rules.count)
    lastRecording = Array(repeating: ([], []), count: definition.rules.count)
    keyedRecordings = Array(repeating: KeyedRecording(), count: definition.rules.count)
    plans = definition.rules.map { rule in
      if case .alerting = rule.kind { return SingleSeriesPlan(rule.expression) }
      return nil
    }
    planRefs = plans.map { $0.map { Unmanaged.passUnretained($0) } }
  }

  /// Whether the group evaluates at `timestampMs` when evaluations are aligned to
  /// multiples of the interval (Prometheus adds a per-group hash offset; a simulation
  /// that wants it can shift its own clock).
  public func isDue(atMs timestampMs: Int64) -> Bool { timestampMs % intervalMs == 0 }

  /// Alert instances of rule `index` (pending, firing, and resolved within 15 minutes).
  public func alerts(ofRule index: Int) -> [Alert] { alerts[index] }

  /// Currently firing alerts of all rules, in rule order.
  public var firingAlerts: [Alert] { alerts.flatMap { $0.filter { $0.state == .firing } } }

  /// Evaluates every rule of the group at `timestampMs`, writing recorded series and
  /// `ALERTS` into the engine's store, and returns the alert transitions.
  @discardableResult
  public func evaluate(atMs timestampMs: Int64, engine: PromQLEngine) -> RuleGroupEvaluation {
    var result = RuleGroupEvaluation()
    for index in rules.indices {
      // Let the plan prove an empty result: with no active instance that changes
      // nothing; with active ones, the alert states advance without the engine.
      var known: [Sample]?
      if let plan = planRefs[index] {
        switch plan._withUnsafeGuaranteedRef({ $0.outcome(atMs: timestampMs, engine: engine) }) {
        case .empty:
          if alerts[index].isEmpty {
            if !previousOutput[index].isEmpty {
              result.samplesWritten += write(index, [], timestampMs, engine.store)
            }
            continue
          }
          known = []
        case .present:
          known = plan._withUnsafeGuaranteedRef { $0.presentSample(engine: engine) }.map { [$0] }
        case .unknown:
          break
        }
      }
      let rule = rules[index]
      do {
        let output: [Sample]
        switch rule.kind {
        case .recording(let record):
          if let written = writeKeyedRecording(index, rule, record, timestampMs, engine) {
            result.samplesWritten += written
            continue
          }
          output = try recordingOutput(index, rule, record, timestampMs, engine)
        case .alerting(let alert, let forMs, let keepFiringForMs, let annotations):
          output = try evaluateAlerting(
            index, rule, alert, forMs, keepFiringForMs, annotations, timestampMs, engine, known: known,
            &result.transitions)
          sendAlerts(index, timestampMs, &result.alertsToSend)
        }
        result.samplesWritten += write(index, output, timestampMs, engine.store)
      } catch {
        result.errors.append(
          RuleEvaluationError(group: name, rule: rule.name, atMs: timestampMs, message: "\(error)"))
      }
    }
    return result
  }

  /// Mirrors `AlertingRule.sendAlerts` and `Alert.needsSending` (Prometheus 2.42):
  /// pending alerts are never sent; others when resolved since the last send or when
  /// the last send is more than the resend delay ago (strictly), resolved ones included
  /// until they are dropped 15 minutes after resolving.
  private func sendAlerts(_ index: Int, _ t: Int64, _ out: inout [OutgoingAlert]) {
    let validFor = 4 * max(intervalMs, resendDelayMs)
    for position in alerts[index].indices {
      let alert = alerts[index][position]
      guard alert.state != .pending else { continue }
      let lastSent = alert.lastSentAtMs
      let resolvedSinceLastSend =
        alert.resolvedAtMs.map { resolved in lastSent.map { resolved > $0 } ?? true } ?? false
      guard resolvedSinceLastSend || lastSent.map({ $0 + resendDelayMs < t }) ?? true else {
        continue
      }
      alerts[index][position].lastSentAtMs = t
      out.append(
        OutgoingAlert(
          labels: alert.labels, annotations: alert.annotations,
          startsAtMs: alert.firedAtMs ?? alert.activeAtMs,
          endsAtMs: alert.resolvedAtMs ?? t + validFor, sentAtMs: t,
          isResolved: alert.resolvedAtMs != nil))
    }
  }

  private func recordingOutput(
    _ index: Int, _ rule: RuleDefinition, _ record: String, _ t: Int64, _ engine: PromQLEngine
  ) throws -> [Sample] {
    guard let vector = try engine.evaluate(rule.expression, atMs: t).asVector else {
      throw PromQLError.evaluation(message: "rule result is not a vector or scalar")
    }
    if renamedOutput[index].count > 100_000 {
      renamedOutput[index].removeAll()
      renamedOutputs[index].removeAll()
      renamingMayCollide[index] = false
      // Every set goes through the dictionary again, so that collisions are seen.
      lastRecording[index] = ([], [])
    }
    let (previousInput, previousOutput) = lastRecording[index]
    var position = -1
    let output = vector.map { sample in
      position += 1
      // The label set the same position had last time: the same output labels.
      if position < previousInput.count && previousInput[position].labels == sample.labels {
        return Sample(labels: previousOutput[position].labels, value: sample.value)
      }
      // The same input label sets recur every evaluation: rename each once.
      if let known = renamedOutput[index][sample.labels] { return Sample(labels: known, value: sample.value) }
      var renamed = sample.labels.setting(Labels.metricName, record)
      for (labelName, template) in rule.labels {
        renamed = renamed.setting(labelName, template.source)
      }
      renamedOutput[index][sample.labels] = renamed
      if !renamedOutputs[index].insert(renamed).inserted { renamingMayCollide[index] = true }
      return Sample(labels: renamed, value: sample.value)
    }
    if output.count > 1 && renamingMayCollide[index] {
      var seen = Set<Labels>()
      for sample in output where !seen.insert(sample.labels).inserted {
        lastRecording[index] = ([], [])
        throw PromQLError.evaluation(
          message: "vector contains metrics with the same labelset after applying rule labels")
      }
    }
    lastRecording[index] = (vector, output)
    return output
  }

  /// A recording rule evaluated and written by key (see ``keyedRecordings``), or nil
  /// when its expression has no keyed result or two keys could be renamed to the same
  /// output labels: ``recordingOutput(_:_:_:_:_:)`` and ``write(_:_:_:_:)`` then take it
  /// (they raise the duplicate-output error at the evaluations where it happens).
  ///
  /// What it writes is what those two write: the same values in the same order, each
  /// to the series of its renamed labels (registered in the same order, on first use),
  /// then staleness markers for the series the rule no longer returns.
  private func writeKeyedRecording(
    _ index: Int, _ rule: RuleDefinition, _ record: String, _ t: Int64, _ engine: PromQLEngine
  ) -> Int? {
    if keyedRecordings[index].isDisabled { return nil }
    var labelsOfKey: [Labels] = []
    guard engine.keyedVector(rule.expression, t, into: &keyedResult, labels: &labelsOfKey) else { return nil }
    var state = keyedRecordings[index]
    keyedRecordings[index] = KeyedRecording()
    defer { keyedRecordings[index] = state }
    if state.source !== keyedResult.source {
      state = KeyedRecording()
      state.source = keyedResult.source
    }
    if state.seriesOfKey.count < labelsOfKey.count {
      state.seriesOfKey.append(contentsOf: repeatElement(-1, count: labelsOfKey.count - state.seriesOfKey.count))
      state.renamedOfKey.append(contentsOf: repeatElement(nil, count: labelsOfKey.count - state.renamedOfKey.count))
    }
    // Rename the keys met for the first time; a collision leaves the rule to the generic path.
    for key in keyedResult.keys where state.seriesOfKey[Int(key)] < 0 && state.renamedOfKey[Int(key)] == nil {
      var renamed = labelsOfKey[Int(key)].setting(Labels.metricName, record)
      for (labelName, template) in rule.labels {
        renamed = renamed.setting(labelName, template.source)
      }
      if !state.outputs.insert(renamed).inserted {
        state = KeyedRecording()
        state.isDisabled = true
        return nil
      }
      state.renamedOfKey[Int(key)] = renamed
    }
    let store = engine.store
    var written = 0
    keyedIDs.removeAll(keepingCapacity: true)
    for position in keyedResult.keys.indices {
      let key = Int(keyedResult.keys[position])
      var id = SeriesID(rawValue: state.seriesOfKey[key])
      if id.rawValue < 0 {
        id = store.register(state.renamedOfKey[key].unsafelyUnwrapped)
        state.seriesOfKey[key] = id.rawValue
        state.renamedOfKey[key] = nil
      }
      keyedIDs.append(id)
      if store.append(id, timestampMs: t, value: keyedResult.values[position]) { written += 1 }
    }
    written += markStale(index, replacingWith: &keyedIDs, t, store)
    return written
  }

  /// Writes a rule's output at `t` and staleness markers for series it no longer returns.
  private func write(_ index: Int, _ output: [Sample], _ t: Int64, _ store: SeriesStore) -> Int {
    if output.isEmpty && previousOutput[index].isEmpty { return 0 }
    var written = 0
    var ids: [SeriesID] = []
    ids.reserveCapacity(output.count)
    let previousIDs = previousOutput[index]
    for (position, sample) in output.enumerated() {
      // Outputs usually repeat in the same order: reuse the ID when the labels are the
      // previous evaluation's at this position (nearly free when they share storage).
      let id =
        position < previousIDs.count && store.labels(of: previousIDs[position]) == sample.labels
        ? previousIDs[position] : store.register(sample.labels)
      ids.append(id)
      if store.append(id, timestampMs: t, value: sample.value) { written += 1 }
    }
    return written + markStale(index, replacingWith: &ids, t, store)
  }

  /// Appends staleness markers at `t` to the series rule `index` wrote last time but not
  /// now, and returns how many it wrote.
  ///
  /// `ids` is this evaluation's output, in output order; it is kept as the rule's last
  /// output, and `ids` then holds the previous one (its storage is reused).
  private func markStale(_ index: Int, replacingWith ids: inout [SeriesID], _ t: Int64, _ store: SeriesStore) -> Int {
    var written = 0
    if !previousOutput[index].isEmpty && previousOutput[index] != ids {
      let current = Set(ids)
      for id in previousOutput[index] where !current.contains(id) {
        if store.appendStaleMarker(id, timestampMs: t) { written += 1 }
      }
    }
    swap(&previousOutput[index], &ids)
    return written
  }

  private func evaluateAlerting(
    _ index: Int, _ rule: RuleDefinition, _ alertName: String, _ forMs: Int64,
    _ keepFiringForMs: Int64,
    _ annotationTemplates: [(name: String, template: AlertTemplate)], _ t: Int64,
    _ engine: PromQLEngine, known: [Sample]?,
    _ transitions: inout [AlertTransition]
  ) throws -> [Sample] {
    // `known`: the result as a single-series plan computed it (identical to the engine's).
    guard let vector = try known ?? engine.evaluate(rule.expression, atMs: t).asVector else {
      throw PromQLError.evaluation(message: "rule result is not a vector or scalar")
    }
    if vector.isEmpty && alerts[index].isEmpty { return [] }
    // The template `query` function: the rule manager's `EngineQueryFunc` at this instant.
    let query: TemplateQuery = { expression in
      guard let result = try engine.query(expression, atMs: t).asVector else {
        throw PromQLError.evaluation(message: "rule result is not a vector or scalar")
      }
      return result
    }
    // Build the instances this evaluation returns.
    var current: [Alert] = []
    var currentIndex: [Labels: Int] = [:]
    for sample in vector {
      var labels = sample.labels.droppingMetricName()
      for (labelName, template) in rule.labels {
        labels = labels.setting(
          labelName,
          template.expand(
            labels: sample.labels, value: sample.value, externalLabels: externalLabels,
            externalURL: externalURL, timestampMs: t, query: query))
      }
      labels = labels.setting("alertname", alertName)
      var annotations: [(String, String)] = []
      for (annotationName, template) in annotationTemplates {
        annotations.append(
          (
            annotationName,
            template.expand(
              labels: sample.labels, value: sample.value, externalLabels: externalLabels,
              externalURL: externalURL, timestampMs: t, query: query)
          ))
      }
      if currentIndex[labels] != nil {
        throw PromQLError.evaluation(
          message: "vector contains metrics with the same labelset after applying alert labels")
      }
      currentIndex[labels] = current.count
      current.append(
        Alert(
          labels: labels, annotations: Labels(annotations), state: .pending, value: sample.value,
          activeAtMs: t))
    }

    // Merge into the active set: existing non-inactive instances keep their clock.
    var active = alerts[index]
    var activeIndex: [Labels: Int] = [:]
    for (position, alert) in active.enumerated() { activeIndex[alert.labels] = position }
    var newlyPending = Set<Labels>()
    for alert in current {
      if let position = activeIndex[alert.labels] {
        if active[position].state != .inactive {
          active[position].value = alert.value
          active[position].annotations = alert.annotations
        } else {
          active[position] = alert
          newlyPending.insert(alert.labels)
        }
      } else {
        activeIndex[alert.labels] = active.count
        active.append(alert)
        newlyPending.insert(alert.labels)
      }
    }

    var kept: [Alert] = []
    var output: [Sample] = []
    for var alert in active {
      if currentIndex[alert.labels] == nil {
        var keepFiring = false
        if alert.state == .firing && keepFiringForMs > 0 {
          if alert.keepFiringSinceMs == nil { alert.keepFiringSinceMs = t }
          if t - (alert.keepFiringSinceMs ?? t) < keepFiringForMs { keepFiring = true }
        }
        var delete = false
        if alert.state == .pending
          || (alert.resolvedAtMs.map { t - $0 > Self.resolvedRetentionMs } ?? false)
        {
          delete = true
        }
        if alert.state != .inactive && !keepFiring {
          transitions.append(
            transition(alert.state == .firing ? .resolved : .cancelled, rule, alert, t))
          alert.state = .inactive
          alert.resolvedAtMs = t
        }
        if !keepFiring {
          if !delete { kept.append(alert) }
          continue
        }
      } else {
        alert.keepFiringSinceMs = nil
      }
      if alert.state == .pending && t - alert.activeAtMs >= forMs {
        alert.state = .firing
        alert.firedAtMs = t
        transitions.append(transition(.firing, rule, alert, t))
      } else if newlyPending.contains(alert.labels) {
        transitions.append(transition(.pending, rule, alert, t))
      }
      kept.append(alert)
      if writesAlertSeries {
        let alertLabels = alert.labels.setting(Labels.metricName, "ALERTS").setting(
          "alertstate", alert.state.rawValue)
        output.append(Sample(labels: alertLabels, value: 1))
        output.append(
          Sample(
            labels: alert.labels.setting(Labels.metricName, "ALERTS_FOR_STATE"),
            value: Double(alert.activeAtMs / 1000)))
      }
    }
    alerts[index] = kept
    return output
  }

  private func transition(
    _ kind: AlertTransition.Kind, _ rule: RuleDefinition, _ alert: Alert, _ t: Int64
  ) -> AlertTransition {
    AlertTransition(
      kind: kind, group: name, rule: rule.name, labels: alert.labels,
      annotations: alert.annotations, atMs: t,
      activeAtMs: alert.activeAtMs, value: alert.value)
  }
}

/// A recording rule's output series by key of the engine's keyed result (see
/// ``RuleGroup/writeKeyedRecording(_:_:_:_:_:)``).
struct KeyedRecording {
  /// The object whose label table the keys index; a new one starts afresh.
  var source: AnyObject?
  /// Per key: the raw ID of its output series, or −1 until first written.
  var seriesOfKey: [Int32] = []
  /// Per key: its renamed output labels, from renaming until first written.
  var renamedOfKey: [Labels?] = []
  /// Every renamed output label set so far (two keys renamed alike disable the path).
  var outputs = Set<Labels>()
  var isDisabled = false
}
