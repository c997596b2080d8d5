// swift-tools-version: 6.1
import PackageDescription

/// PlatformSim: a deterministic discrete-event simulator of an ML platform.
///
/// Dependencies point one way: platformsim → PlatformSimCLI → Experiments, Reports →
/// Scenario → PlatformModel → Policies, and PlatformModel → SimKernel, with ResultStore
/// beside them (docs/ARCHITECTURE.md).
let package = Package(
  name: "PlatformSim",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "platformsim", targets: ["platformsim"]),
    .executable(name: "platformsim-bench", targets: ["PlatformSimBenchmarks"]),
    .executable(name: "policy-bench", targets: ["PolicyBenchmark"]),
    .library(name: "SimKernel", targets: ["SimKernel"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
  ],
  targets: [
    // The system SQLite (Debian: libsqlite3-dev), used through its C API.
    .systemLibrary(
      name: "CSQLite",
      path: "Sources/CSQLite",
      providers: [.apt(["libsqlite3-dev"])]
    ),
    .target(name: "SimKernel"),
    // The one input layer: located diagnostics, typed keys, JSON Schema, table records.
    .target(name: "InputReading", dependencies: ["SimKernel", .product(name: "Yams", package: "Yams")]),
    // Simulated Prometheus and Alertmanager: a library usable on its own.
    .target(name: "Monitoring", dependencies: ["SimKernel", "InputReading", .product(name: "Yams", package: "Yams")]),
    .target(name: "ResultStore", dependencies: ["CSQLite", "SimKernel"]),
    // Decision points (protocols, observations, actions), built-ins and the
    // external-process adapter; the model consults policies only through these.
    .target(name: "Policies"),
    .target(name: "PlatformModel", dependencies: ["SimKernel", "ResultStore", "Monitoring", "Policies"]),
    .target(
      name: "Scenario",
      dependencies: [
        "SimKernel", "InputReading", "PlatformModel", "Policies", "Monitoring", .product(name: "Yams", package: "Yams")]
    ),
    // Replications, common random numbers, comparisons, sweeps, gates and shards.
    .target(
      name: "Experiments",
      dependencies: [
        "Scenario", "InputReading", "PlatformModel", "ResultStore", "SimKernel", .product(name: "Yams", package: "Yams"),
      ]
    ),
    // Markdown and self-contained HTML (inline SVG) reports from the results database.
    .target(name: "Reports", dependencies: ["ResultStore"]),
    .target(
      name: "PlatformSimCLI",
      dependencies: [
        "Experiments", "Reports", "Scenario", "PlatformModel", "ResultStore", "SimKernel", "Monitoring", "InputReading",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(name: "platformsim", dependencies: ["PlatformSimCLI"]),
    .executableTarget(
      name: "PlatformSimBenchmarks",
      dependencies: ["SimKernel", "PlatformModel", "ResultStore", "Scenario", "Policies"]
    ),
    // Round-trip overhead of external policies (docs/PERFORMANCE.md).
    .executableTarget(name: "PolicyBenchmark", dependencies: ["Policies"]),
    .testTarget(name: "SimKernelTests", dependencies: ["SimKernel"]),
    .testTarget(name: "MonitoringTests", dependencies: ["Monitoring", "SimKernel", "InputReading"]),
    .testTarget(
      name: "InputReadingTests", dependencies: ["InputReading", "SimKernel", .product(name: "Yams", package: "Yams")],
      exclude: ["Fixtures"]),
    .testTarget(
      name: "ScenarioTests",
      dependencies: ["Scenario", "SimKernel", "Policies", "InputReading"],
      resources: [.copy("InvalidScenarios")]
    ),
    .testTarget(name: "ResultStoreTests", dependencies: ["ResultStore"]),
    .testTarget(name: "PoliciesTests", dependencies: ["Policies"]),
    .testTarget(
      name: "PlatformModelTests",
      dependencies: ["PlatformModel", "SimKernel", "ResultStore", "Monitoring", "Policies"]
    ),
    .testTarget(name: "ReportsTests", dependencies: ["Reports", "ResultStore"]),
    .testTarget(
      name: "ExperimentsTests",
      dependencies: ["Experiments", "Scenario", "PlatformModel", "ResultStore", "SimKernel", "InputReading"]
    ),
    .testTarget(
      name: "EndToEndTests",
      dependencies: ["PlatformSimCLI", "ResultStore", "Scenario", "Policies", "InputReading"]
    ),
  ]
)
