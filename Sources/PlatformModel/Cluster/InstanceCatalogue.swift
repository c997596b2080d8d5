import SimKernel

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An AWS Spot Instance Advisor interruption-frequency band: the share of running spot
/// capacity of a type that AWS reclaimed over the trailing month.
///
/// AWS publishes only the band, not a rate. PlatformSim reads a band as a monthly
/// per-instance reclaim probability `p` at the band's midpoint (`>20%` is read as
/// 25 %) and turns it into a constant hazard over a 30-day month,
/// `λ = −ln(1 − p) / 720 h` (reference/validation-data.md §2.1), so a `5-10%`
/// instance has `p = 0.075`, `λ ≈ 1.08e-4 /h` and a mean time to interruption of
/// about 9,240 h.
public enum SpotInterruptionBand: String, CaseIterable, Sendable {
  case under5 = "<5%"
  case from5To10 = "5-10%"
  case from10To15 = "10-15%"
  case from15To20 = "15-20%"
  case over20 = ">20%"

  /// The monthly reclaim probability PlatformSim assumes for the band (its midpoint).
  public var monthlyProbability: Double {
    switch self {
    case .under5: return 0.025
    case .from5To10: return 0.075
    case .from10To15: return 0.125
    case .from15To20: return 0.175
    case .over20: return 0.25
    }
  }
}

/// How often a spot instance is reclaimed: an Advisor band or a measured mean time.
public enum SpotInterruptionRate: Equatable, Sendable {
  case band(SpotInterruptionBand)
  /// Mean time between interruptions of one instance (exponential lifetimes), e.g.
  /// 1.4 h as in SkyPilot's p3.2xlarge traces (validation-data §2.5).
  case meanTimeBetween(SimDuration)

  /// The assumed 30-day month of the Advisor's "trailing month".
  public static let hoursPerMonth = 720.0

  /// Constant hazard in interruptions per second of running time.
  public var hazardPerSecond: Double {
    switch self {
    case .band(let band):
      return -log(1 - band.monthlyProbability) / (SpotInterruptionRate.hoursPerMonth * 3_600)
    case .meanTimeBetween(let mean):
      return mean.microseconds > 0 ? 1 / mean.seconds : .infinity
    }
  }

  /// Mean time to interruption of one instance, in seconds.
  public var meanSecondsBetweenInterruptions: Double { 1 / hazardPerSecond }
}

/// One instance type: its shape and its dated us-east-1 prices.
public struct InstanceType: Equatable, Sendable {
  public var name: String
  public var vcpuCount: Int
  public var memoryGiB: Double
  public var gpuCount: Int
  public var gpuModel: String?
  public var onDemandPriceUSDPerHour: Double
  /// `nil` when the type is not offered as spot (or the price is unknown).
  public var spotPriceUSDPerHour: Double?
  public var spotInterruption: SpotInterruptionRate

  public init(
    name: String, vcpuCount: Int, memoryGiB: Double, gpuCount: Int = 0, gpuModel: String? = nil,
    onDemandPriceUSDPerHour: Double, spotPriceUSDPerHour: Double?, spotInterruption: SpotInterruptionRate
  ) {
    self.name = name
    self.vcpuCount = vcpuCount
    self.memoryGiB = memoryGiB
    self.gpuCount = gpuCount
    self.gpuModel = gpuModel
    self.onDemandPriceUSDPerHour = onDemandPriceUSDPerHour
    self.spotPriceUSDPerHour = spotPriceUSDPerHour
    self.spotInterruption = spotInterruption
  }

  /// Allocatable resources of a node of this type.
  ///
  /// Kubelet reserves part of every node; PlatformSim keeps the whole shape, so a
  /// request equal to the instance size fits, as capacity planners expect.
  public var capacity: Resources {
    Resources(
      cpuMillis: Int64(vcpuCount) * 1_000, memoryMiB: Int64((memoryGiB * 1_024).rounded()), gpuCount: Int64(gpuCount))
  }

  /// The hourly price for a capacity type; spot without a price falls back to on-demand.
  public func priceUSDPerHour(_ capacityType: CapacityType) -> Double {
    capacityType == .spot ? (spotPriceUSDPerHour ?? onDemandPriceUSDPerHour) : onDemandPriceUSDPerHour
  }
}

/// The instance types a scenario may use, by name.
///
/// The built-in ``awsUSEast1`` is one dated snapshot; `scenarios/catalogue/aws-us-east-1.yaml`
/// ships the same values as a file a scenario can copy, and a scenario can override
/// any field of any entry or add types.
public struct InstanceCatalogue: Equatable, Sendable {
  public private(set) var types: [InstanceType]

  public init(types: [InstanceType]) { self.types = types }

  public var names: [String] { types.map(\.name) }

  public func type(named name: String) -> InstanceType? { types.first { $0.name == name } }

  public func index(of name: String) -> Int? { types.firstIndex { $0.name == name } }

  /// Adds `type`, or replaces the entry of the same name.
  public mutating func upsert(_ type: InstanceType) {
    if let index = index(of: type.name) { types[index] = type } else { types.append(type) }
  }

  /// Linux us-east-1 prices from SkyPilot's public catalogue `catalogs/v8/aws/vms.csv`
  /// (snapshot commit 00148f2a, mid/late 2025, after AWS's June-2025 P4/P5 price cut;
  /// reference/validation-data.md §2.4).
  ///
  /// Spot prices are the midpoint of the per-AZ spot prices in that snapshot.
  ///
  /// m5.4xlarge is not in §2.4: its prices are 4× m5.xlarge (AWS prices m5 sizes
  /// linearly). Interruption bands are assumptions for illustration, not data —
  /// set the band from the current Spot Advisor for real planning.
  public static let awsUSEast1 = InstanceCatalogue(types: [
    InstanceType(
      name: "m5.xlarge", vcpuCount: 4, memoryGiB: 16, onDemandPriceUSDPerHour: 0.192, spotPriceUSDPerHour: 0.0635,
      spotInterruption: .band(.under5)),
    InstanceType(
      name: "m5.4xlarge", vcpuCount: 16, memoryGiB: 64, onDemandPriceUSDPerHour: 0.768, spotPriceUSDPerHour: 0.254,
      spotInterruption: .band(.under5)),
    InstanceType(
      name: "g5.xlarge", vcpuCount: 4, memoryGiB: 16, gpuCount: 1, gpuModel: "A10G", onDemandPriceUSDPerHour: 1.006,
      spotPriceUSDPerHour: 0.4377, spotInterruption: .band(.from5To10)),
    InstanceType(
      name: "g5.12xlarge", vcpuCount: 48, memoryGiB: 192, gpuCount: 4, gpuModel: "A10G",
      onDemandPriceUSDPerHour: 5.672, spotPriceUSDPerHour: 2.43, spotInterruption: .band(.from10To15)),
    InstanceType(
      name: "p4d.24xlarge", vcpuCount: 96, memoryGiB: 1_152, gpuCount: 8, gpuModel: "A100-40GB",
      onDemandPriceUSDPerHour: 21.9576, spotPriceUSDPerHour: 8.035, spotInterruption: .band(.over20)),
    InstanceType(
      name: "p4de.24xlarge", vcpuCount: 96, memoryGiB: 1_152, gpuCount: 8, gpuModel: "A100-80GB",
      onDemandPriceUSDPerHour: 27.447, spotPriceUSDPerHour: 9.31, spotInterruption: .band(.over20)),
    InstanceType(
      name: "p5.4xlarge", vcpuCount: 16, memoryGiB: 256, gpuCount: 1, gpuModel: "H100",
      onDemandPriceUSDPerHour: 6.88, spotPriceUSDPerHour: nil, spotInterruption: .band(.from15To20)),
  ])
}

/// CPU, memory and GPU amounts: a node's capacity or a pod's requests.
public struct Resources: Equatable, Sendable {
  public var cpuMillis: Int64
  public var memoryMiB: Int64
  public var gpuCount: Int64

  public init(cpuMillis: Int64, memoryMiB: Int64, gpuCount: Int64) {
    self.cpuMillis = cpuMillis
    self.memoryMiB = memoryMiB
    self.gpuCount = gpuCount
  }

  public static let zero = Resources(cpuMillis: 0, memoryMiB: 0, gpuCount: 0)

  /// Whether `self` fits into `available` in every dimension.
  @inlinable public func fits(in available: Resources) -> Bool {
    cpuMillis <= available.cpuMillis && memoryMiB <= available.memoryMiB && gpuCount <= available.gpuCount
  }

  @inlinable public static func + (lhs: Resources, rhs: Resources) -> Resources {
    Resources(
      cpuMillis: lhs.cpuMillis + rhs.cpuMillis, memoryMiB: lhs.memoryMiB + rhs.memoryMiB,
      gpuCount: lhs.gpuCount + rhs.gpuCount)
  }

  @inlinable public static func - (lhs: Resources, rhs: Resources) -> Resources {
    Resources(
      cpuMillis: lhs.cpuMillis - rhs.cpuMillis, memoryMiB: lhs.memoryMiB - rhs.memoryMiB,
      gpuCount: lhs.gpuCount - rhs.gpuCount)
  }

  @inlinable public static func * (lhs: Resources, rhs: Int64) -> Resources {
    Resources(cpuMillis: lhs.cpuMillis * rhs, memoryMiB: lhs.memoryMiB * rhs, gpuCount: lhs.gpuCount * rhs)
  }
}
