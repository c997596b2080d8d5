import Foundation
import Testing

@testable import Policies

/// docs/policy-protocol.schema.json is hand-written; these tests keep it equal to
/// what the Swift types encode, key for key, for every decision point.
@Suite("Policy protocol schema")
struct ProtocolSchemaTests {
  static let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static func definitions() throws -> [String: Any] {
    let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("docs/policy-protocol.schema.json"))
    let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    return try #require(schema["$defs"] as? [String: Any])
  }

  /// Checks that `value` encodes to exactly the properties `definition` declares,
  /// with every required one present, recursing into nested objects given inline.
  static func expectMatches<Value: Encodable>(_ value: Value, definition name: String) throws {
    let definitions = try definitions()
    let definition = try #require(definitions[name] as? [String: Any], "no definition \(name)")
    let encoded = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(value))
    // The protocol's own encoder writes the same JSON as Foundation's (its keys in
    // encoding order, Foundation's sorted: compared after sorting both).
    func canonical(_ data: Data) throws -> String {
      let object = try JSONSerialization.jsonObject(with: data)
      return String(
        decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]),
        as: UTF8.self)
    }
    let expected = try canonical(try JSONEncoder().encode(value))
    let ours = try canonical(Data(try PolicyJSONEncoder.encode(value)))
    #expect(ours == expected, "\(name): \(ours) against JSONEncoder's \(expected)")
    try expectMatches(encoded, definition, path: name, definitions: definitions)
  }

  static func expectMatches(_ encoded: Any, _ definition: [String: Any], path: String, definitions: [String: Any])
    throws
  {
    var definition = definition
    if let reference = definition["$ref"] as? String {
      definition = try #require(definitions[String(reference.dropFirst("#/$defs/".count))] as? [String: Any])
    }
    if let items = definition["items"] as? [String: Any], let array = encoded as? [Any] {
      for element in array { try expectMatches(element, items, path: path + "[]", definitions: definitions) }
      return
    }
    guard let object = encoded as? [String: Any], let properties = definition["properties"] as? [String: Any] else {
      return
    }
    #expect(
      Set(object.keys) == Set(properties.keys),
      "\(path): encoded \(object.keys.sorted()), schema \(properties.keys.sorted())")
    for required in definition["required"] as? [String] ?? [] {
      #expect(object[required] != nil, "\(path): required `\(required)` is not encoded")
    }
    for (key, value) in object {
      if let property = properties[key] as? [String: Any] {
        try expectMatches(value, property, path: "\(path).\(key)", definitions: definitions)
      }
    }
  }

  static let resources = ResourceAmounts(cpuMillis: 4_000, memoryMiB: 8_192, gpus: 1)

  @Test("every decision point's observation and action encode as the schema says")
  func observationsAndActions() throws {
    try Self.expectMatches(
      NodeScaleUpObservation(
        job: "trainjob-1", team: "t", workers: 2, perWorker: Self.resources, expander: "price",
        options: [
          .init(
            pool: "p", capacityType: "spot", instanceType: "g5.xlarge", nodes: 1, nodeCapacity: Self.resources,
            priceUSDPerHour: 0.4, expanderPriority: 1)
        ]), definition: "NodeScaleUpObservation")
    try Self.expectMatches(NodeScaleUpAction(pool: "p"), definition: "NodeScaleUpAction")
    try Self.expectMatches(
      NodeScaleDownObservation(
        node: "node-1", pool: "p", instanceType: "m5.xlarge", capacityType: "on-demand", utilisation: 0.1, empty: true,
        unneededSeconds: 700, unneededTimeSeconds: 600, coolingDown: false, removedThisScan: 0,
        maxScaleDownParallelism: 10,
        drainedThisScan: false, poolDesiredNodes: 3, poolMinNodes: 1), definition: "NodeScaleDownObservation")
    try Self.expectMatches(NodeScaleDownAction(remove: true), definition: "NodeScaleDownAction")
    try Self.expectMatches(
      NodeOrderObservation(
        team: "t", stream: "training/t/0-llm", capacity: "spot-with-fallback",
        pools: [.init(pool: "gpu", capacityType: "spot", instanceTypes: ["g5.xlarge"], canHost: true)]),
      definition: "NodeOrderObservation")
    try Self.expectMatches(NodeOrderAction(poolTiers: [0]), definition: "NodeOrderAction")
    try Self.expectMatches(
      QueueOrderObservation(
        job: "job-1", team: "t", priority: 10, submittedSeconds: 60, workers: 2, gpusPerWorker: 1, interruptions: 0,
        preemptions: 1), definition: "QueueOrderObservation")
    try Self.expectMatches(QueueOrderAction(sortKey: [-10, 60]), definition: "QueueOrderAction")
    try Self.expectMatches(
      GPUNodeOrderObservation(
        pod: "pod-a", team: "research", worker: 0, gangSize: 2, cpuMilli: 4_000, memoryMiB: 8_192, gpuCount: 1,
        gpuMilli: 500, gpuModels: ["T4"],
        candidates: [
          .init(node: "n-1", gpuModel: "T4", freeCPUMilli: 16_000, freeMemoryMiB: 65_536, freeGPUMilli: [1000, 500])
        ]), definition: "GPUNodeOrderObservation")
    try Self.expectMatches(GPUNodeOrderAction(node: "n-1"), definition: "GPUNodeOrderAction")
    try Self.expectMatches(
      NodeConsolidationObservation(
        consolidationPolicy: "WhenEmptyOrUnderutilized",
        candidates: [.init(node: "node-1", pool: "gpu", ready: true, pods: 2, unneededSeconds: 300)],
        pools: [.init(pool: "gpu", disruptionsAllowed: 1, desiredNodes: 3, minNodes: 0)]),
      definition: "NodeConsolidationObservation")
    try Self.expectMatches(
      NodeConsolidationAction(empty: ["node-2"], underutilized: ["node-1"]), definition: "NodeConsolidationAction")
    try Self.expectMatches(
      CapacityTypeObservation(
        job: "trainjob-1", team: "t", workers: 2, waitingSeconds: 60, spotPools: ["s"], onDemandPools: ["o"],
        spotPoolsBackedOff: []), definition: "CapacityTypeObservation")
    try Self.expectMatches(CapacityTypeAction(capacityType: .onDemand), definition: "CapacityTypeAction")
    try Self.expectMatches(
      PreemptionObservation(
        job: "trainjob-2", team: "t", priority: 100,
        victims: [.init(job: "trainjob-1", team: "u", priority: 0, runningSeconds: 5)]),
      definition: "PreemptionObservation")
    try Self.expectMatches(PreemptionAction(preempt: false), definition: "PreemptionAction")
    try Self.expectMatches(
      CheckpointIntervalObservation(
        job: "trainjob-1", team: "t", attempt: 1, mode: "fixed", fixedIntervalSeconds: 1_800, checkpointCostSeconds: 60,
        restartCostSeconds: 300, failureRatePerSecond: 0, remainingWorkSeconds: 3_600),
      definition: "CheckpointIntervalObservation")
    try Self.expectMatches(CheckpointIntervalAction(intervalSeconds: 1_800), definition: "CheckpointIntervalAction")
    try Self.expectMatches(
      AdmissionObservation(
        kind: "training-job", workload: "trainjob-1", team: "t", tags: [NameValue(name: "Owner", value: "a")],
        requiredTags: ["Owner"], missingTags: [], mode: "audit"), definition: "AdmissionObservation")
    try Self.expectMatches(
      AdmissionAction(verdict: .admitWithViolations, reason: "r", violations: ["CostCenter"]),
      definition: "AdmissionAction")
    try Self.expectMatches(
      DevScheduleObservation(
        pool: "dev", withinWindow: true, active: false, liveNodes: 0, desiredNodes: 2, minNodes: 1, localTime: "x"),
      definition: "DevScheduleObservation")
    try Self.expectMatches(DevScheduleAction(active: true), definition: "DevScheduleAction")
    try Self.expectMatches(
      IncidentResponseObservation(
        incident: 1, service: "s", team: "t", defectKind: "error-rate", detection: "human-notice", openedSeconds: 1,
        detectedSeconds: 2, failedRequests: 3, rootCauseChanges: [4], rollbackProbability: 0.7, randomUnit: 0.5,
        rollbackDelaySeconds: 60, fixForwardDelaySeconds: 600), definition: "IncidentResponseObservation")
    try Self.expectMatches(IncidentResponseAction(decision: .fixForward), definition: "IncidentResponseAction")
    try Self.expectMatches(
      RolloutStepObservation(
        rollout: "r", service: "s", controller: "flagger", trigger: "flagger-tick", stepIndex: 0,
        steps: [.init(setWeight: 10, pauseSeconds: 60, isPause: true, analysis: "error-rate")], currentWeight: 10,
        analysisPhase: "running", analysisRun: "step", analysisMessage: "error-rate: 0.2 > 0.05", stepElapsedSeconds: 5,
        failedChecks: 1, failureThreshold: 5, maxWeight: 50), definition: "RolloutStepObservation")
    try Self.expectMatches(
      RolloutStepAction(action: .abort, waitSeconds: 30, reason: "error budget"), definition: "RolloutStepAction")
    try Self.expectMatches(
      AnalysisVerdictObservation(
        service: "s", metric: "error-ratio", run: "step", lastMeasurement: "failed", count: 3, successful: 2, failed: 1,
        inconclusive: 0, errors: 0, consecutiveErrors: 0, plannedCount: 5),
      definition: "AnalysisVerdictObservation")
    try Self.expectMatches(AnalysisVerdictAction(phase: .running), definition: "AnalysisVerdictAction")
    try Self.expectMatches(
      AlertRoutingObservation(
        alertName: "ErrorRateHigh", labels: [NameValue(name: "severity", value: "page")], service: "s", receiver: "bot",
        receiverAction: "rollback", firingSeconds: 60), definition: "AlertRoutingObservation")
    try Self.expectMatches(AlertRoutingAction(action: .page), definition: "AlertRoutingAction")
    try Self.expectMatches(
      ReplicaAutoscalingObservation(
        service: "s", currentReplicas: 2, readyReplicas: 2, metricValue: 5, targetValue: 10, minReplicas: 1,
        maxReplicas: 5, autoscaler: "kpa", recommendedReplicas: 3),
      definition: "ReplicaAutoscalingObservation")
    try Self.expectMatches(ReplicaAutoscalingAction(desiredReplicas: 3), definition: "ReplicaAutoscalingAction")
  }

  @Test("the protocol's encoder writes what JSONEncoder writes for escapes, numbers, optionals and arrays")
  func encoderMatchesFoundation() throws {
    let foundation = JSONEncoder()
    foundation.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    func same<Value: Encodable>(_ value: Value) throws {
      let expected = String(decoding: try foundation.encode(value), as: UTF8.self)
      let ours = String(decoding: try PolicyJSONEncoder.encode(value), as: UTF8.self)
      #expect(ours == expected, "\(ours) against JSONEncoder's \(expected)")
    }
    // One-key objects: the text of every value is compared byte for byte.
    for text in ["plain", "quote \" backslash \\ slash / tab \t newline \n bell \u{7} nul \u{0}", "ünïcode ✓ 🚀", ""] {
      try same(NodeScaleUpAction(pool: text))
    }
    try same(
      QueueOrderAction(sortKey: [0, -0.0, 1, -1, 0.1, 600, 1e-7, 1.5e300, 123_456_789.125, 9_007_199_254_740_993]))
    try same(QueueOrderAction(sortKey: [2.5e-320, -1e21, 1e16, 0.000_001]))
    // Integral values either side of the digits-only path's 10¹⁵ bound.
    try same(
      QueueOrderAction(sortKey: [
        999_999_999_999_999, -999_999_999_999_999, 1e15, -1e15, 4_503_599_627_370_496, 86_400, -7, 0.5, -0.5,
      ]))
    try same(NodeScaleUpAction(pool: nil))
    try same(NodeOrderAction(poolTiers: [Int.min, 0, Int.max]))
    try same(QueueOrderAction(sortKey: [-100, 3600.5, 0]))
    #expect(throws: PolicyJSONEncoder.NonFiniteNumber.self) {
      try PolicyJSONEncoder.encode(WireTime(seconds: .infinity, iso: "x"))
    }
  }

  @Test("the protocol's own lines encode as the schema says, and every decision point is listed")
  func lines() throws {
    try Self.expectMatches(
      HelloLine(decisionPoint: "admission", scenario: "s", runId: 1, seed: 2, startTime: "2026-01-05T00:00:00Z"),
      definition: "HelloFromSimulator")
    try Self.expectMatches(
      RequestLine(
        id: 1, decisionPoint: "devSchedule", time: WireTime(seconds: 1, iso: "x"),
        observation: DevScheduleAction(active: true)),
      definition: "Request")
    try Self.expectMatches(
      BatchRequestLine(
        id: 2, decisionPoint: "nodeScaleDown", time: WireTime(seconds: 1, iso: "x"),
        observations: [NodeScaleDownAction(remove: true)]),
      definition: "BatchRequest")
    try Self.expectMatches(ByeLine(), definition: "Bye")
    let definitions = try Self.definitions()
    let hello = try #require(definitions["HelloFromSimulator"] as? [String: Any])
    let properties = try #require(hello["properties"] as? [String: Any])
    let point = try #require(properties["decisionPoint"] as? [String: Any])
    #expect(point["enum"] as? [String] == DecisionPoint.allCases.map(\.rawValue))
    let version = try #require(properties["protocol"] as? [String: Any])
    #expect(version["const"] as? String == PolicyProtocol.legacyVersion)
    let offered = try #require((properties["protocols"] as? [String: Any])?["items"] as? [String: Any])
    #expect(offered["enum"] as? [String] == PolicyProtocol.supportedVersions)
    let answer = try #require(definitions["HelloFromPolicy"] as? [String: Any])
    let answerVersion = try #require((answer["properties"] as? [String: Any])?["protocol"] as? [String: Any])
    #expect(answerVersion["enum"] as? [String] == PolicyProtocol.supportedVersions)
  }

  /// The rows of a `v3` line's columns, as objects (a `null` is an absent field): what
  /// each observation is in `v2`.
  static func rows(ofColumns columns: [String: Any], count: Int) throws -> [[String: Any]] {
    var rows = [[String: Any]](repeating: [:], count: count)
    for (name, column) in columns {
      let values = try #require(column as? [Any], "column \(name) is not an array")
      #expect(values.count == count, "column \(name): \(values.count) values, count \(count)")
      for (index, value) in values.enumerated() where !(value is NSNull) && index < count { rows[index][name] = value }
    }
    return rows
  }

  static func canonical(_ object: Any) throws -> String {
    String(
      decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]),
      as: UTF8.self)
  }

  /// Checks the `v3` line of `values` against the schema, and that its columns, read
  /// back as rows, are `JSONEncoder`'s JSON of each value.
  static func expectColumnarLine<Value: Encodable>(_ values: [Value], point: String, definition: String?) throws {
    let line = try PolicyJSONEncoder.encodeColumnarBatch(
      id: 7, decisionPoint: point, time: WireTime(seconds: 90, iso: "2026-01-05T00:01:30Z"), observations: values)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
    let definitions = try definitions()
    let request = try #require(definitions["ColumnarBatchRequest"] as? [String: Any])
    try expectMatches(object, request, path: "ColumnarBatchRequest", definitions: definitions)
    #expect(object["type"] as? String == "decide-batch")
    #expect(object["count"] as? Int == values.count)
    let columns = try #require(object["columns"] as? [String: Any])
    if let definition {
      let observation = try #require(definitions[definition] as? [String: Any])
      let properties = Set(try #require(observation["properties"] as? [String: Any]).keys)
      #expect(Set(columns.keys).isSubset(of: properties), "\(definition): columns \(columns.keys.sorted())")
    }
    let rows = try rows(ofColumns: columns, count: values.count)
    let expected = try values.map { try JSONSerialization.jsonObject(with: try JSONEncoder().encode($0)) }
    #expect(try canonical(rows) == canonical(expected))
    // Columns in the order of the first value's fields.
    if let first = values.first {
      let firstKeys = try PolicyJSONEncoder.encode(first).withUnsafeBytes { bytes in
        try #require(PolicyAnswerScanner.members(of: bytes, in: 0..<bytes.count)).map {
          PolicyAnswerScanner.text(bytes, $0.key.dropFirst().dropLast())
        }
      }
      let columnsText = try PolicyJSONEncoder.transposedColumns(values).withUnsafeBytes { bytes in
        try #require(PolicyAnswerScanner.members(of: bytes, in: 0..<bytes.count)).map {
          PolicyAnswerScanner.text(bytes, $0.key.dropFirst().dropLast())
        }
      }
      #expect(Array(columnsText.prefix(firstKeys.count)) == firstKeys)
    }
  }

  @Test("a v3 decide-batch line is the schema's, and its columns read back as the v2 observations")
  func columnarLines() throws {
    let scaleDown = (0..<5).map { index in
      NodeScaleDownObservation(
        node: "node-\(index) \"quoted\" ü", pool: "gpu/a", instanceType: "g5.xlarge", capacityType: "spot",
        utilisation: [0, 0.1, 1e-7, 0.333_333_333_333_333_3, 1][index], empty: index % 2 == 0,
        unneededSeconds: [0, 600, 1e16, 86_400.5, -0.0][index], unneededTimeSeconds: 600, coolingDown: index == 3,
        removedThisScan: index, maxScaleDownParallelism: 10, drainedThisScan: index == 1,
        poolDesiredNodes: 40 - index, poolMinNodes: Int.min + index)
    }
    try Self.expectColumnarLine(scaleDown, point: "nodeScaleDown", definition: "NodeScaleDownObservation")
    // The direct writer is the generic transposition, byte for byte.
    let line = String(
      decoding: try PolicyJSONEncoder.encodeColumnarBatch(
        id: 1, decisionPoint: "nodeScaleDown", time: WireTime(seconds: 0, iso: "x"), observations: scaleDown),
      as: UTF8.self)
    let transposed = String(decoding: try PolicyJSONEncoder.transposedColumns(scaleDown), as: UTF8.self)
    #expect(line.hasSuffix(",\"columns\":" + transposed + "}"), "\(line)\nagainst\n\(transposed)")
    try Self.expectColumnarLine(
      [
        NodeOrderObservation(
          team: "t", stream: "training/t/0-llm", capacity: "spot-with-fallback",
          pools: [
            .init(pool: "gpu", capacityType: "spot", instanceTypes: ["g5.xlarge"], canHost: true),
            .init(pool: "od", capacityType: "on-demand", instanceTypes: [], canHost: false),
          ]),
        NodeOrderObservation(team: "u", stream: "training/u/1-bert", capacity: "spot", pools: []),
      ], point: "nodeOrder", definition: "NodeOrderObservation")
    // Optional fields: `null` where a value has none; no column where none has one.
    try Self.expectColumnarLine(
      [NodeScaleUpAction(pool: nil), NodeScaleUpAction(pool: "a"), NodeScaleUpAction(pool: nil)], point: "x",
      definition: nil)
    let none = String(
      decoding: try PolicyJSONEncoder.transposedColumns([NodeScaleUpAction(pool: nil), NodeScaleUpAction(pool: nil)]),
      as: UTF8.self)
    #expect(none == "{}")
    let some = String(
      decoding: try PolicyJSONEncoder.transposedColumns([NodeScaleUpAction(pool: nil), NodeScaleUpAction(pool: "a")]),
      as: UTF8.self)
    #expect(some == #"{"pool":[null,"a"]}"#)
  }

  @Test("the v3 answer's definition lists what PlatformSim reads")
  func columnarAnswerDefinition() throws {
    let definitions = try Self.definitions()
    let answer = try #require(definitions["ColumnarBatchResponse"] as? [String: Any])
    #expect(Set(answer["required"] as? [String] ?? []) == ["id", "columns"])
    let properties = try #require(answer["properties"] as? [String: Any])
    #expect(Set(properties.keys) == ["type", "id", "columns"])
    let protocolMessages = try JSONSerialization.jsonObject(
      with: Data(contentsOf: Self.repositoryRoot.appendingPathComponent("docs/policy-protocol.schema.json")))
    let oneOf = try #require((protocolMessages as? [String: Any])?["oneOf"] as? [[String: String]])
    #expect(oneOf.contains(["$ref": "#/$defs/ColumnarBatchRequest"]))
    #expect(oneOf.contains(["$ref": "#/$defs/ColumnarBatchResponse"]))
  }
}
