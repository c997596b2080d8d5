import BuildInfo
import PlatformModel
import ResultRows
import ResultStore
import RunLifecycle
import Scenario
import SimKernel

/// What an experiment is for, as stored in `experiments.kind`.
public enum ExperimentKind: String, Sendable {
  /// Replications of one scenario.
  case run
  /// Baseline against candidate, paired by replication.
  case compare
  /// A grid of scenario values crossed with replications.
  case sweep
  /// A comparison judged by a gate file's rules.
  case gate
}

/// How the alternatives' random numbers relate, as stored in `experiments.pairing`.
public enum SeedPairing: String, Sendable {
  /// Replication r of every alternative uses RandomSeed(root, r): common random numbers.
  case common
  /// The candidate's replications are offset, so alternatives see independent worlds
  /// (only useful to measure what common random numbers save).
  case independent

  /// The seed offset of the alternative at `variantIndex`.
  func replicationOffset(variantIndex: Int) -> UInt32 {
    self == .common ? 0 : UInt32(variantIndex) * 1_000_000
  }
}

/// One alternative of an experiment: a scenario, possibly edited by a sweep.
public struct ExperimentVariant: Sendable {
  /// `scenario`, `baseline`, `candidate` or `point-N`: stored in `runs.variant`.
  public var name: String
  public var document: ScenarioDocument
  /// The sweep values that define it, in axis order (empty otherwise).
  public var settings: [(axis: String, value: String)]

  public init(name: String, document: ScenarioDocument, settings: [(axis: String, value: String)] = []) {
    self.name = name
    self.document = document
    self.settings = settings
  }
}

/// A slice of an experiment's replications, for running one experiment on several
/// machines: shard i of n runs the replications r with r mod n = i.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
  public var index: Int
  public var count: Int

  public static let whole = Shard(index: 0, count: 1)

  public init(index: Int, count: Int) {
    precondition(count >= 1 && index >= 0 && index < count, "shard \(index)/\(count) out of range")
    self.index = index
    self.count = count
  }

  /// Parses `i/n` with 0 ≤ i < n (i is 0-based, like Kubernetes' JOB_COMPLETION_INDEX).
  public init?(parsing text: String) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, index >= 0, index < count
    else { return nil }
    self.init(index: index, count: count)
  }

  public func contains(replication: Int) -> Bool { replication % count == index }
  public var description: String { "\(index)/\(count)" }
}

/// Everything needed to run an experiment: alternatives, replications, seeds, window.
public struct ExperimentPlan: Sendable {
  public var name: String
  public var kind: ExperimentKind
  public var variants: [ExperimentVariant]
  public var replications: Int
  /// The root seed; replication r of every variant uses RandomSeed(root: seed, replication: r).
  public var seed: UInt64
  /// Overrides every variant's `spec.simulation.duration` when set.
  public var duration: SimDuration?
  public var confidence: Double
  public var pairing: SeedPairing
  public var shard: Shard

  public init(
    name: String, kind: ExperimentKind, variants: [ExperimentVariant], replications: Int, seed: UInt64,
    duration: SimDuration? = nil, confidence: Double = 0.95, pairing: SeedPairing = .common, shard: Shard = .whole
  ) {
    precondition(!variants.isEmpty && replications >= 1, "an experiment needs a variant and a replication")
    self.name = name
    self.kind = kind
    self.variants = variants
    self.replications = replications
    self.seed = seed
    self.duration = duration
    self.confidence = confidence
    self.pairing = pairing
    self.shard = shard
  }

  /// One run of the plan.
  public struct Unit: Sendable, Equatable {
    public var variantIndex: Int
    public var replication: Int
  }

  /// The runs this shard executes, variant by variant, replications ascending: the
  /// order run ids are assigned in, whatever order the runs finish in.
  public var units: [Unit] {
    variants.indices.flatMap { variantIndex in
      (0..<replications).filter(shard.contains(replication:)).map { Unit(variantIndex: variantIndex, replication: $0) }
    }
  }

  /// The run request of `unit`, its run row tagged with `experimentID`.
  func request(for unit: Unit, experimentID: Int64) -> RunRequest {
    let variant = variants[unit.variantIndex]
    let document = variant.document
    let runDuration = duration ?? document.duration
    let replicationSeed = UInt32(unit.replication) + pairing.replicationOffset(variantIndex: unit.variantIndex)
    let configuration = document.worldConfiguration(seed: seed, replication: replicationSeed, duration: runDuration)
    let start = RunStart(
      scenarioName: document.name, scenarioPath: document.path, scenarioDigest: document.digest, seed: seed,
      replication: unit.replication, toolVersion: ToolVersion.current, timeZone: document.timeZone,
      simulatedStartEpochSeconds: Double(document.startEpochSeconds),
      simulatedEndEpochSeconds: configuration.calendar.epochSeconds(at: .zero + runDuration),
      experimentID: experimentID, variant: variant.name, toolCommit: ToolCommit.current)
    return RunRequest(configuration: configuration, duration: runDuration, limits: document.limits, start: start)
  }
}
