import SimKernel

/// Cost in whole micro-dollars (1e-6 USD), so allocations and idle add up exactly.
public typealias MicroUSD = Int64

/// A node's hourly price split into CPU, RAM and GPU parts, as OpenCost does when a
/// provider gives only a node price (OpenCost spec, Appendix A): the parts follow
/// OpenCost's default relative rates — $0.031611 per vCPU-h, $0.004237 per GB-h of
/// RAM, $0.95 per GPU-h (`configs/default.json`) — scaled to sum to the node price.
///
/// A g5.xlarge (4 vCPU, 16 GiB, 1 GPU) is thus 11 % CPU, 6 % RAM, 83 % GPU; an
/// m5.xlarge is 65 % CPU, 35 % RAM.
public struct NodePriceSplit: Equatable, Sendable {
  public var cpuMicroUSDPerHour: MicroUSD
  public var ramMicroUSDPerHour: MicroUSD
  public var gpuMicroUSDPerHour: MicroUSD

  public static let cpuWeightPerVCPU = 0.031611
  public static let ramWeightPerGiB = 0.004237
  public static let gpuWeightPerGPU = 0.95

  public var totalMicroUSDPerHour: MicroUSD { cpuMicroUSDPerHour + ramMicroUSDPerHour + gpuMicroUSDPerHour }

  public init(priceUSDPerHour: Double, capacity: Resources) {
    let total = MicroUSD((priceUSDPerHour * 1_000_000).rounded())
    let cpuWeight = Double(capacity.cpuMillis) / 1_000 * NodePriceSplit.cpuWeightPerVCPU
    let ramWeight = Double(capacity.memoryMiB) / 1_024 * NodePriceSplit.ramWeightPerGiB
    let gpuWeight = Double(capacity.gpuCount) * NodePriceSplit.gpuWeightPerGPU
    let weight = cpuWeight + ramWeight + gpuWeight
    guard weight > 0 else {
      cpuMicroUSDPerHour = total
      ramMicroUSDPerHour = 0
      gpuMicroUSDPerHour = 0
      return
    }
    cpuMicroUSDPerHour = MicroUSD((Double(total) * cpuWeight / weight).rounded(.down))
    ramMicroUSDPerHour = MicroUSD((Double(total) * ramWeight / weight).rounded(.down))
    // The remainder goes to the GPU part, so the three parts sum to the price exactly.
    gpuMicroUSDPerHour = total - cpuMicroUSDPerHour - ramMicroUSDPerHour
  }
}

/// CPU, RAM and GPU cost amounts.
public struct CostParts: Equatable, Sendable {
  public var cpu: MicroUSD = 0
  public var ram: MicroUSD = 0
  public var gpu: MicroUSD = 0
  public init(cpu: MicroUSD = 0, ram: MicroUSD = 0, gpu: MicroUSD = 0) {
    self.cpu = cpu
    self.ram = ram
    self.gpu = gpu
  }
  public var total: MicroUSD { cpu + ram + gpu }
  public static func + (lhs: CostParts, rhs: CostParts) -> CostParts {
    CostParts(cpu: lhs.cpu + rhs.cpu, ram: lhs.ram + rhs.ram, gpu: lhs.gpu + rhs.gpu)
  }
  public static func - (lhs: CostParts, rhs: CostParts) -> CostParts {
    CostParts(cpu: lhs.cpu - rhs.cpu, ram: lhs.ram - rhs.ram, gpu: lhs.gpu - rhs.gpu)
  }
}

/// Cost arithmetic with OpenCost semantics (anchors-simulators.md §4.1).
///
/// - A workload is charged `max(request, usage)` of each resource; simulated usage
///   never exceeds the request, so that is the request.
/// - A node's cost is its billed lifetime × price; what workloads were not charged is
///   **idle** (`__idle__`): idle = node cost − allocations, per resource.
/// - All amounts are whole micro-dollars. Pod charges are rounded down; node costs are
///   summed exactly per pool and instance type and rounded once (``CostLedger/billNode``),
///   so allocated + idle equals the node cost exactly and totals are exact to the cent
///   at any scale (tests check both, the latter at 100,000 nodes).
public enum CostMath {
  static let microsecondsPerHour: Int128 = 3_600_000_000

  /// EC2 bills per second with a 60-second minimum: lifetime rounded up to whole
  /// seconds, at least 60 s.
  public static func billedDuration(lifetime: SimDuration) -> SimDuration {
    let seconds = (lifetime.microseconds + 999_999) / 1_000_000
    return .seconds(max(60, seconds))
  }

  /// Cost of `duration` at an hourly rate, rounded down.
  public static func cost(microUSDPerHour rate: MicroUSD, duration: SimDuration) -> MicroUSD {
    MicroUSD(Int128(rate) * Int128(duration.microseconds) / microsecondsPerHour)
  }

  /// A node's billed cost split into parts: CPU and RAM rounded down, GPU the
  /// remainder of the whole node's rounded-down cost.
  public static func nodeCost(split: NodePriceSplit, billed: SimDuration) -> CostParts {
    let total = cost(microUSDPerHour: split.totalMicroUSDPerHour, duration: billed)
    let cpu = cost(microUSDPerHour: split.cpuMicroUSDPerHour, duration: billed)
    let ram = cost(microUSDPerHour: split.ramMicroUSDPerHour, duration: billed)
    return CostParts(cpu: cpu, ram: ram, gpu: total - cpu - ram)
  }

  /// What a pod requesting `request` on a node of `capacity` costs for `duration`:
  /// each part × requested share × hours, rounded down.
  public static func allocation(
    request: Resources, capacity: Resources, split: NodePriceSplit, duration: SimDuration
  ) -> CostParts {
    func part(_ rate: MicroUSD, _ requested: Int64, _ available: Int64) -> MicroUSD {
      guard available > 0, requested > 0 else { return 0 }
      return MicroUSD(
        Int128(rate) * Int128(requested) * Int128(duration.microseconds) / (Int128(available) * microsecondsPerHour))
    }
    return CostParts(
      cpu: part(split.cpuMicroUSDPerHour, request.cpuMillis, capacity.cpuMillis),
      ram: part(split.ramMicroUSDPerHour, request.memoryMiB, capacity.memoryMiB),
      gpu: part(split.gpuMicroUSDPerHour, request.gpuCount, capacity.gpuCount))
  }
}

/// Accumulated cost by (bucket, pool, instance type): the OpenCost allocation view.
///
/// Bucket 0…teams−1 are teams; ``idleBucket`` is `__idle__`. Views by cost centre,
/// pool, instance type and capacity type are sums over these cells.
public struct CostLedger: Sendable {
  public let teamCount: Int
  public let poolCount: Int
  public let instanceTypeCount: Int
  /// Cells indexed by ((bucket × pools) + pool) × types + type.
  public private(set) var cells: [CostParts]
  /// Billed node cost of each pool × type, rounded once from ``exactNodeCostByPoolType``.
  public private(set) var nodeCostByPoolType: [MicroUSD]
  /// On-demand price of the same node-time, for spot savings, rounded the same way.
  public private(set) var onDemandEquivalentByPoolType: [MicroUSD]
  public private(set) var nodeSecondsByPoolType: [Double]
  /// Node cost and its on-demand equivalent of each pool × type, exactly, in micro-dollars
  /// × 3,600: a price in µ$ per hour × whole billed seconds (EC2 bills whole seconds) is
  /// an integer in that unit, so these sums never round.
  private var exactNodeCostByPoolType: [Int128]
  private var exactOnDemandByPoolType: [Int128]
  /// On-demand price of the node time lost to spot (``SpotLoss``), exactly: µ$ per hour ×
  /// microseconds, that is micro-dollars × 3.6e9.
  private var exactSpotLossOnDemand: Int128 = 0

  public init(teamCount: Int, poolCount: Int, instanceTypeCount: Int) {
    self.teamCount = teamCount
    self.poolCount = poolCount
    self.instanceTypeCount = instanceTypeCount
    cells = Array(repeating: CostParts(), count: (teamCount + 1) * poolCount * instanceTypeCount)
    nodeCostByPoolType = Array(repeating: 0, count: poolCount * instanceTypeCount)
    onDemandEquivalentByPoolType = Array(repeating: 0, count: poolCount * instanceTypeCount)
    nodeSecondsByPoolType = Array(repeating: 0, count: poolCount * instanceTypeCount)
    exactNodeCostByPoolType = Array(repeating: 0, count: poolCount * instanceTypeCount)
    exactOnDemandByPoolType = Array(repeating: 0, count: poolCount * instanceTypeCount)
  }

  public var idleBucket: Int { teamCount }

  /// Whose cells: a team's, or `__idle__`'s.
  enum Bucket: Equatable {
    case team(TeamID)
    case idle
  }

  func position(of bucket: Bucket) -> Int {
    switch bucket {
    case .team(let team): team.position
    case .idle: idleBucket
    }
  }

  func cell(_ bucket: Bucket, pool: PoolID, type: Int) -> CostParts {
    cell(bucket: position(of: bucket), pool: pool.position, type: type)
  }

  func cellIndex(bucket: Int, pool: Int, type: Int) -> Int { (bucket * poolCount + pool) * instanceTypeCount + type }

  public func cell(bucket: Int, pool: Int, type: Int) -> CostParts {
    cells[cellIndex(bucket: bucket, pool: pool, type: type)]
  }

  mutating func charge(_ parts: CostParts, bucket: Int, pool: Int, type: Int) {
    cells[cellIndex(bucket: bucket, pool: pool, type: type)] =
      cells[cellIndex(bucket: bucket, pool: pool, type: type)] + parts
  }

  /// Charges `parts` to `team`'s cell of `pool` and `type`.
  mutating func charge(_ parts: CostParts, to team: TeamID, pool: PoolID, type: Int) {
    charge(parts, bucket: team.position, pool: pool.position, type: type)
  }

  /// Bills a node of `pool` and `type` for `billed` (whole seconds) and books its idle
  /// (cost − what its pods were charged) to `__idle__`; returns its cost and what the
  /// same time costs on demand.
  ///
  /// The pool × type's exact running sum is rounded (down) to the micro-dollar once, and
  /// the node gets the difference that makes: its row is within 1 µ$ of its exact cost,
  /// the rows of a pool × type add up to that cell's total exactly, and each cell is
  /// within 1 µ$ of exact however many nodes it billed (carry rounding). CPU and RAM
  /// are each rounded down; GPU is the rest of the node's amount, never less than its
  /// rounded-down exact part, so allocations never exceed it.
  mutating func billNode(
    split: NodePriceSplit, onDemandMicroUSDPerHour: MicroUSD, billed: SimDuration, allocated: CostParts, pool: PoolID,
    type: Int
  ) -> (cost: CostParts, onDemandEquivalent: MicroUSD) {
    precondition(billed.microseconds % 1_000_000 == 0, "billed time is whole seconds")
    let seconds = Int128(billed.microseconds / 1_000_000)
    let index = pool.position * instanceTypeCount + type
    func carry(_ sums: inout [Int128], _ microUSDPerHour: MicroUSD) -> MicroUSD {
      let before = sums[index] / 3_600
      sums[index] += Int128(microUSDPerHour) * seconds
      return MicroUSD(sums[index] / 3_600 - before)
    }
    let total = carry(&exactNodeCostByPoolType, split.totalMicroUSDPerHour)
    let onDemand = carry(&exactOnDemandByPoolType, onDemandMicroUSDPerHour)
    let cpu = CostMath.cost(microUSDPerHour: split.cpuMicroUSDPerHour, duration: billed)
    let ram = CostMath.cost(microUSDPerHour: split.ramMicroUSDPerHour, duration: billed)
    let cost = CostParts(cpu: cpu, ram: ram, gpu: total - cpu - ram)
    let idle = cost - allocated
    precondition(
      idle.cpu >= 0 && idle.ram >= 0 && idle.gpu >= 0, "allocations exceed node cost: \(allocated) > \(cost)")
    charge(idle, bucket: idleBucket, pool: pool.position, type: type)
    nodeCostByPoolType[index] += cost.total
    onDemandEquivalentByPoolType[index] += onDemand
    nodeSecondsByPoolType[index] += billed.seconds
    return (cost, onDemand)
  }

  /// Adds node time lost to spot at the node's on-demand price.
  mutating func addSpotLoss(duration: SimDuration, onDemandMicroUSDPerHour: MicroUSD) {
    exactSpotLossOnDemand += Int128(onDemandMicroUSDPerHour) * Int128(duration.microseconds)
  }

  /// On-demand price of the node time lost to spot, rounded once (down).
  public var spotLossOnDemand: MicroUSD { MicroUSD(exactSpotLossOnDemand / CostMath.microsecondsPerHour) }

  /// Billed cost of the nodes of one pool and instance type.
  func nodeCost(pool: PoolID, type: Int) -> MicroUSD { nodeCostByPoolType[pool.position * instanceTypeCount + type] }

  /// What the same node-time of one pool and instance type would have cost on demand.
  func onDemandEquivalent(pool: PoolID, type: Int) -> MicroUSD {
    onDemandEquivalentByPoolType[pool.position * instanceTypeCount + type]
  }

  /// Everything charged to `team`.
  func teamTotal(_ team: TeamID) -> MicroUSD { teamTotal(team.position) }

  /// Everything charged, teams and idle together.
  public var allocatedPlusIdle: MicroUSD { cells.reduce(0) { $0 + $1.total } }
  /// Total billed node cost.
  public var nodeCost: MicroUSD { nodeCostByPoolType.reduce(0, +) }

  public func teamTotal(_ team: Int) -> MicroUSD {
    var total: MicroUSD = 0
    for pool in 0..<poolCount {
      for type in 0..<instanceTypeCount { total += cell(bucket: team, pool: pool, type: type).total }
    }
    return total
  }

  public var idleTotal: MicroUSD { teamTotal(idleBucket) }
}

extension MicroUSD {
  /// The amount in dollars.
  public var usd: Double { Double(self) / 1_000_000 }
}
