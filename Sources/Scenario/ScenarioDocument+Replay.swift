import Foundation
import InputReading
import PlatformModel
import SimKernel

/// Decoding of `spec.replay`: the trace and node list are read at load, so a bad row is
/// a located error of `validate` and `run` alike, and a trace too large for the run's
/// memory limit is refused before it is read.
extension ScenarioLoader {
  /// Memory a replay holds per byte of trace file (the text, the parsed records, the
  /// items and their outcomes): `platformsim run` on the openb default trace (575 KB)
  /// peaks 8.2 MB above the same run on a 2-pod sample, ≈ 14 bytes per byte, rounded up.
  static let replayBytesPerTraceByte = 16

  static func readReplay(_ reader: ObjectReader<ScenarioSchema.Replay>, maxMemoryBytes: Int) -> TraceReplayPlan? {
    let log = reader.context.log
    let traceURL = reader[\.trace]
    let nodesURL = reader[\.nodes]
    let teamMapURL = reader[\.teamMap]
    let formatName = reader[\.format]
    let modeName = reader[\.mode] ?? "exact"
    let rateFactor = reader[\.rateFactor] ?? 1
    let scoring = reader[\.scoring].flatMap(GPUNodeScoring.init(rawValue:)) ?? .kubeDefault
    let sampleInterval = reader[\.sampleInterval] ?? .seconds(3600)
    guard let traceURL, let nodesURL else { return nil }
    if reader.has(\.teamMap) && teamMapURL == nil { return nil }
    // The guard comes before reading: a trace larger than the limit is never loaded.
    let traceBytes = (try? FileManager.default.attributesOfItem(atPath: traceURL.path)[.size] as? Int) ?? 0
    let neededBytes = traceBytes * replayBytesPerTraceByte
    if neededBytes > maxMemoryBytes {
      reader.value(of: \.trace)?.error(
        "replaying this trace (\(traceBytes) bytes) needs about \(gibibytes(neededBytes)) GiB, above the run's memory "
          + "limit of \(gibibytes(maxMemoryBytes)) GiB (spec.limits.maxMemoryGiB)",
        hint: "raise `spec.limits.maxMemoryGiB`, or replay a sample of the trace")
      return nil
    }
    guard let text = TraceReader.load(traceURL.path, log: log, maximumBytes: max(traceBytes, 1) + 1) else { return nil }
    let format: TraceFormat
    if let formatName, let chosen = TraceFormat(rawValue: formatName) {
      format = chosen
    } else {
      let header = String(text.prefix { $0 != "\n" && $0 != "\r" })
      guard let recognised = TraceFormat.recognising(header: header), recognised != .phillyRuntimes else {
        reader.value(of: \.trace)?.error(
          "the trace's header is not one of a replayable trace format",
          hint: "name it with `format`: " + TraceFormat.replayable.map { "`\($0.rawValue)`" }.joined(separator: ", "))
        return nil
      }
      format = recognised
    }
    let errorsBefore = log.errorCount
    let jobs = TraceImport.startingOnDayZero(
      TraceReader.readJobs(text, file: traceURL.path, format: format, log: log), format: format)
    var teams: [(String, String)] = []
    if let teamMapURL, let mapText = TraceReader.load(teamMapURL.path, log: log) {
      teams = TraceReader.readTeamMapping(mapText, file: teamMapURL.path, log: log)
    }
    guard let nodeText = TraceReader.load(nodesURL.path, log: log) else { return nil }
    let nodes = TraceImport.nodes(TraceReader.readOpenbNodes(nodeText, file: nodesURL.path, log: log))
    guard log.errorCount == errorsBefore else { return nil }
    if nodes.isEmpty {
      reader.value(of: \.nodes)?.error("the node list has no nodes", hint: "a replay needs the cluster's nodes")
      return nil
    }
    guard let pools = readReplayPools(reader, nodes: nodes) else { return nil }
    let mode: ReplayMode =
      switch modeName {
      case "time-scaled": .timeScaled(rateFactor)
      case "bootstrap-days": .bootstrapDays
      case "bootstrap-jobs": .bootstrapJobs
      case "fill": .fill(ratio: reader[\.fillRatio] ?? 1.3)
      default: .exact
      }
    if reader.has(\.rateFactor) && modeName != "time-scaled" {
      reader.value(of: \.rateFactor)?.warning("`rateFactor` applies to `mode: time-scaled` only and is ignored here")
    }
    if reader.has(\.fillRatio) && modeName != "fill" {
      reader.value(of: \.fillRatio)?.warning("`fillRatio` applies to `mode: fill` only and is ignored here")
    }
    return TraceReplayPlan(
      trace: traceURL.deletingPathExtension().lastPathComponent, items: TraceImport.items(jobs, teams: teams),
      nodes: nodes, mode: mode, scoring: scoring, sampleInterval: sampleInterval, pools: pools)
  }

  /// One pool per GPU model of `nodes`: the scenario's override, else the default
  /// mapping; a model with neither is an error naming the key to add.
  static func readReplayPools(_ reader: ObjectReader<ScenarioSchema.Replay>, nodes: [ReplayNodeSpec]) -> [ReplayPool]? {
    var overrides: [ReplayPool] = []
    var ok = true
    reader[\.pools]?.forEach { poolReader, _ in
      guard let poolReader, let model = poolReader[\.model] else {
        ok = false
        return
      }
      let fallback = TraceGPUMapping.pool(of: model)
      let instanceType = poolReader[\.instanceType] ?? fallback?.instanceType ?? "unmapped-\(model)"
      let price = poolReader.has(\.pricePerGPUHour) ? poolReader[\.pricePerGPUHour] : fallback?.pricePerGPUHour
      if poolReader.has(\.pricePerGPUHour) && price == nil { ok = false }
      if !nodes.contains(where: { $0.model == model }) {
        poolReader.value(of: \.model)?.warning("no node of the node list has GPU model `\(model)`")
      }
      overrides.append(ReplayPool(model: model, instanceType: instanceType, pricePerGPUHour: price))
    }
    guard ok else { return nil }
    var pools: [ReplayPool] = []
    var models: [String] = []
    for node in nodes { if let model = node.model, !models.contains(model) { models.append(model) } }
    for model in models {
      if let pool = overrides.first(where: { $0.model == model }) ?? TraceGPUMapping.pool(of: model) {
        pools.append(pool)
      } else {
        (reader.value(of: \.pools) ?? reader.value(of: \.nodes))?.error(
          "GPU model `\(model)` of the node list has no pool: the default mapping does not know it",
          hint: "add `{model: \(model), instanceType: …, pricePerGPUHour: …}` to `spec.replay.pools`")
        ok = false
      }
    }
    return ok ? pools : nil
  }

  static func gibibytes(_ bytes: Int) -> String {
    String(format: "%.2f", Double(bytes) / 1_073_741_824)
  }
}
