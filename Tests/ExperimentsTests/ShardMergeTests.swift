import BuildInfo
import Foundation
import PlatformModel
import ResultRows
import ResultStore
import SimKernel
import Testing

@testable import Experiments

@Suite("Shards")
struct ShardMergeTests {
  static func plan(shard: Shard, seed: UInt64 = 42) throws -> ExperimentPlan {
    let baseline = try ExperimentFixtures.document("scenarios/experiments/baseline.yaml")
    let candidate = try ExperimentFixtures.document("scenarios/experiments/candidate-webhook.yaml")
    return ExperimentPlan(
      name: "shards", kind: .compare,
      variants: [
        ExperimentVariant(name: "baseline", document: baseline),
        ExperimentVariant(name: "candidate", document: candidate),
      ],
      replications: 5, seed: seed, duration: .days(1), shard: shard)
  }

  static func runShards(count: Int, seed: UInt64 = 42) throws -> [String] {
    try (0..<count).map { index in
      let path = ExperimentFixtures.scratchDatabase("shard\(index)")
      _ = try ExperimentRunner.run(
        try plan(shard: Shard(index: index, count: count), seed: seed), databasePath: path, createdAt: "t", jobs: 2)
      return path
    }
  }

  @Test("merged shards equal the single-machine experiment, run for run")
  func mergedEqualsWhole() throws {
    let whole = ExperimentFixtures.scratchDatabase()
    let outcome = try ExperimentRunner.run(try Self.plan(shard: .whole), databasePath: whole, createdAt: "t", jobs: 2)
    let shards = try Self.runShards(count: 3)
    let merged = URL(fileURLWithPath: ExperimentFixtures.scratchDatabase()).deletingLastPathComponent()
      .appendingPathComponent("merged.sqlite").path
    // Given in any order.
    let summary = try ShardMerge.merge(shardPaths: [shards[2], shards[0], shards[1]], into: merged)
    #expect(summary.runs == 10)
    #expect(try ExperimentFixtures.runOrder(databasePath: merged) == ExperimentFixtures.runOrder(databasePath: whole))
    let wholeDigests = try ExperimentFixtures.digests(experimentID: outcome.experimentID, databasePath: whole)
    #expect(wholeDigests.count == 10)
    #expect(try ExperimentFixtures.digests(experimentID: summary.experimentID, databasePath: merged) == wholeDigests)
    func differences(_ path: String) throws -> [ExperimentDifferenceRow] {
      try ResultStore(path: path).database.rows(ExperimentDifferenceRow.self, orderBy: "kpi")
    }
    #expect(try !differences(whole).isEmpty)
    #expect(
      try differences(merged).map { [$0.candidate, $0.kpi] } == differences(whole).map { [$0.candidate, $0.kpi] })
    #expect(
      try differences(merged).map { [$0.meanDifference, $0.standardDeviation, $0.confidenceLow, $0.confidenceHigh] }
        == differences(whole).map { [$0.meanDifference, $0.standardDeviation, $0.confidenceLow, $0.confidenceHigh] })
    #expect(try differences(merged).map(\.count) == differences(whole).map(\.count))
    func means(_ path: String) throws -> [ExperimentKPIRow] {
      try ResultStore(path: path).database.rows(ExperimentKPIRow.self, orderBy: "variant, kpi")
    }
    #expect(try !means(whole).isEmpty)
    #expect(try means(merged) == means(whole), "both experiments are number 1, so whole rows compare")
    let experiment = try #require(try ExperimentStore.experiment(1, store: ResultStore(path: merged)))
    #expect(experiment.shardCount == 1)
    #expect(experiment.replications == 5)
    // The build is recorded and carried over: the experiment's and every run's commit.
    #expect(experiment.toolCommit == ToolCommit.current)
    let commits = try ResultStore(path: merged).database.rows(RunRow.self).map(\.toolCommit)
    #expect(commits == Array(repeating: ToolCommit.current, count: 10))
  }

  @Test("a sweep's merged shards equal the single-machine sweep: runs, sweep points, per-point means")
  func sweepMergedEqualsWhole() throws {
    let file = ExperimentFixtures.path("scenarios/experiments/sweep-runners.yaml")
    let definition = try SweepDefinition.load(path: file)
    let variants = try definition.variants()
    func plan(_ shard: Shard) -> ExperimentPlan {
      ExperimentPlan(
        name: definition.name, kind: .sweep, variants: variants, replications: 3,
        seed: definition.seed ?? variants[0].document.seed, duration: .days(1), shard: shard)
    }
    let whole = ExperimentFixtures.scratchDatabase("sweepwhole")
    let outcome = try ExperimentRunner.run(plan(.whole), databasePath: whole, createdAt: "t", jobs: 2)
    let shards = try (0..<2).map { index in
      let path = ExperimentFixtures.scratchDatabase("sweepshard\(index)")
      _ = try ExperimentRunner.run(plan(Shard(index: index, count: 2)), databasePath: path, createdAt: "t", jobs: 2)
      return path
    }
    let merged = URL(fileURLWithPath: ExperimentFixtures.scratchDatabase("sweepmerged")).deletingLastPathComponent()
      .appendingPathComponent("merged.sqlite").path
    let summary = try ShardMerge.merge(shardPaths: shards.reversed(), into: merged)
    #expect(summary.runs == variants.count * 3)
    #expect(try ExperimentFixtures.runOrder(databasePath: merged) == ExperimentFixtures.runOrder(databasePath: whole))
    let wholeDigests = try ExperimentFixtures.digests(experimentID: outcome.experimentID, databasePath: whole)
    #expect(wholeDigests.count == variants.count * 3)
    #expect(try ExperimentFixtures.digests(experimentID: summary.experimentID, databasePath: merged) == wholeDigests)
    func stored(_ path: String) throws -> (points: [SweepPointRow], means: [ExperimentKPIRow]) {
      let database = try ResultStore(path: path).database
      return (
        try database.rows(SweepPointRow.self, orderBy: "variant, axis"),
        try database.rows(ExperimentKPIRow.self, orderBy: "variant, kpi")
      )
    }
    let (wholePoints, wholeMeans) = try stored(whole)
    #expect(wholePoints.count == variants.count * 2 && wholeMeans.count > variants.count)
    #expect(try stored(merged).points == wholePoints)
    #expect(try stored(merged).means == wholeMeans)
  }

  @Test("overlapping, missing, foreign and other-version shards are refused and leave no output")
  func refusals() throws {
    let shards = try Self.runShards(count: 2)
    let directory = URL(fileURLWithPath: ExperimentFixtures.scratchDatabase()).deletingLastPathComponent()
    let output = directory.appendingPathComponent("out.sqlite").path
    func refused(_ paths: [String], _ fragment: String) {
      do {
        _ = try ShardMerge.merge(shardPaths: paths, into: output)
        Issue.record("merge of \(paths) succeeded; expected a refusal mentioning \(fragment)")
      } catch {
        #expect(error.description.contains(fragment), "\(error.description)")
        #expect(error.isInvalidInput)
      }
      let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
      #expect(!leftovers.contains { $0.hasPrefix("out.sqlite") || $0.contains("merging") }, "\(leftovers)")
    }
    refused([shards[0]], "missing shard 1/2")
    refused([shards[0], shards[1], shards[1]], "shards overlap")
    let foreign = try Self.runShards(count: 2, seed: 7)
    refused([shards[0], foreign[1]], "another experiment")
    try ResultStore(path: foreign[0]).database.execute("UPDATE experiments SET tool_version = '0.0.9'")
    refused([foreign[0], shards[1]], "by 0.0.9")
    // Same version, another commit: another build, whose runs may differ.
    let other = try Self.runShards(count: 2)
    try ResultStore(path: other[1]).database.execute("UPDATE experiments SET tool_commit = 'f00d'")
    refused([shards[0], other[1]], "was written by PlatformSim \(ToolVersion.current) (commit f00d)")
  }

  /// Name, size and modification time of every file in the directories of `paths`.
  static func listing(_ paths: [String]) throws -> [String] {
    let directories = Set(paths.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path })
    return try directories.sorted().flatMap { directory in
      try FileManager.default.contentsOfDirectory(atPath: directory).sorted().map { name in
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/" + name)
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(directory)/\(name) \(attributes[.size] ?? 0) \(modified)"
      }
    }
  }

  @Test("merge reads WAL-mode shards without creating, changing or locking anything beside them")
  func shardsUntouched() throws {
    let shards = try Self.runShards(count: 2)
    for shard in shards {
      // Header bytes 18 and 19 are 2 in WAL mode (https://sqlite.org/fileformat2.html#database_header),
      // where a plain read-only open still creates -wal and -shm files.
      let header = try #require(FileHandle(forReadingAtPath: shard)).readData(ofLength: 20)
      #expect(header.count == 20 && header[18] == 2 && header[19] == 2, "shards are written in WAL mode")
    }
    let before = try Self.listing(shards)
    #expect(!before.contains { $0.contains("-wal ") || $0.contains("-shm ") }, "\(before)")
    let merged = URL(fileURLWithPath: ExperimentFixtures.scratchDatabase()).deletingLastPathComponent()
      .appendingPathComponent("merged.sqlite").path
    _ = try ShardMerge.merge(shardPaths: shards, into: merged)
    #expect(try Self.listing(shards) == before)
  }

  @Test("a shard whose write-ahead log still holds transactions is refused, then merges once it is folded in")
  func pendingWriteAheadLog() throws {
    let shards = try Self.runShards(count: 2)
    let output = URL(fileURLWithPath: ExperimentFixtures.scratchDatabase()).deletingLastPathComponent()
      .appendingPathComponent("merged.sqlite").path
    do {
      // A writer that is still open: its committed transaction is only in shard1's -wal file.
      let writer = try SQLiteDatabase(path: shards[1])
      try writer.execute("PRAGMA wal_autocheckpoint=0; CREATE TABLE pending (x); DROP TABLE pending;")
      do {
        _ = try ShardMerge.merge(shardPaths: shards, into: output)
        Issue.record("a shard with a pending write-ahead log was merged")
      } catch {
        #expect(error.description.contains("\(shards[1]) has a write-ahead log"), "\(error.description)")
        #expect(error.description.contains("still open or was killed"))
        #expect(error.isInvalidInput)
      }
      #expect(!FileManager.default.fileExists(atPath: output))
      withExtendedLifetime(writer) {}
    }
    // The writer closed: SQLite folded its log into the file and removed it.
    #expect(try ShardMerge.merge(shardPaths: shards, into: output).runs == 10)
  }
}
