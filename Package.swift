// swift-tools-version: 6.1
import PackageDescription

/// PlatformSim: a deterministic discrete-event simulator of an ML platform.
///
/// Dependencies point one way: platformsim → PlatformSimCLI → Experiments, Reports →
/// Scenario → PlatformModel → Policies, and PlatformModel → SimKernel. The model emits
/// typed rows (ResultRows) and knows nothing of SQLite; ResultStore stores and reads
/// those rows, and RunLifecycle runs a world into a store (docs/ARCHITECTURE.md).
let package = Package(
  name: "PlatformSim",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "platformsim", targets: ["platformsim"]),
    .executable(name: "platformsim-bench", targets: ["PlatformSimBenchmarks"]),
    .executable(name: "policy-bench", targets: ["PolicyBenchmark"]),
    // `platformsim serve` runs this executable (docs/ARCHITECTURE.md: why the web server
    // is not linked into `platformsim`).
    .executable(name: "platformsim-serve", targets: ["PlatformSimServe"]),
    // The input readers under libFuzzer (scripts/fuzz.sh), or a replayer of saved inputs.
    .executable(name: "platformsim-fuzz", targets: ["PlatformSimFuzz"]),
    .library(name: "SimKernel", targets: ["SimKernel"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
    // The web UI's HTTP server (`platformsim serve`), and NIOCore for its error values.
    // swift-configuration support is left out: nothing here reads configuration through it.
    .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1", traits: ["FullFoundation"]),
    .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
    .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
    // SHA-256 of scenario files and result tables; the web server's stack already builds it.
    .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
  ],
  targets: [
    // The system SQLite (Debian: libsqlite3-dev), used through its C API.
    .systemLibrary(
      name: "CSQLite",
      path: "Sources/CSQLite",
      providers: [.apt(["libsqlite3-dev"])]
    ),
    .target(name: "SimKernel"),
    // Content fingerprints (scenario digests, table digests): swift-crypto's SHA-256 in hex.
    .target(name: "Hashing", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
    // The git commit of the build (`ToolCommit`), written into BuildInfo before every
    // build by the EmbedGitCommit plugin (docs/DISTRIBUTED.md, "Versions").
    .plugin(name: "EmbedGitCommit", capability: .buildTool()),
    .target(name: "BuildInfo", plugins: ["EmbedGitCommit"]),
    // The one input layer: located diagnostics, typed keys, JSON Schema, table records.
    .target(name: "InputReading", dependencies: ["SimKernel", .product(name: "Yams", package: "Yams")]),
    // Simulated Prometheus and Alertmanager: a library usable on its own.
    // Cache prefetch hints (`__builtin_prefetch`) for the series store's storage-order reads.
    .target(name: "CPrefetch"),
    .target(
      name: "Monitoring",
      dependencies: ["SimKernel", "InputReading", "CPrefetch", .product(name: "Yams", package: "Yams")]),
    // The results tables as row types, the sink protocol the model emits rows to, and an
    // in-memory sink; no SQLite.
    .target(name: "ResultRows"),
    // SQLite through its C API: migrations, the SQLite sink, run rows, reading rows back.
    .target(name: "ResultStore", dependencies: ["CSQLite", "ResultRows", "Hashing"]),
    // Decision points (protocols, observations, actions), built-ins and the
    // external-process adapter; the model consults policies only through these.
    .target(name: "Policies"),
    .target(name: "PlatformModel", dependencies: ["SimKernel", "ResultRows", "Monitoring", "Policies"]),
    // The run lifecycle: a run row as `running`, the model's rows streamed into the
    // store, the status last.
    .target(
      name: "RunLifecycle", dependencies: ["PlatformModel", "ResultStore", "ResultRows", "Policies", "SimKernel"]),
    .target(
      name: "Scenario",
      dependencies: [
        "SimKernel", "Hashing", "InputReading", "PlatformModel", "Policies", "Monitoring",
        .product(name: "Yams", package: "Yams"),
      ]
    ),
    // Replications, common random numbers, comparisons, sweeps, gates and shards.
    .target(
      name: "Experiments",
      dependencies: [
        "BuildInfo", "Hashing", "Scenario", "InputReading", "PlatformModel", "ResultRows", "ResultStore",
        "RunLifecycle", "SimKernel", .product(name: "Yams", package: "Yams"),
      ]
    ),
    // Markdown and self-contained HTML (inline SVG) reports from the results database.
    .target(name: "Reports", dependencies: ["ResultRows", "ResultStore"]),
    // The results site: HTML pages and a JSON API over a results database, without HTTP
    // types, so pages render (and are benchmarked) without a server.
    .target(name: "WebUI", dependencies: ["Reports", "ResultRows", "ResultStore", "Experiments"]),
    // OpenMetrics text of a run's simulated series (`platformsim export openmetrics`).
    .target(name: "Exports", dependencies: ["Reports", "ResultRows", "ResultStore"]),
    // The HTTP server (Hummingbird) around WebUI.
    .target(
      name: "PlatformSimServer",
      dependencies: [
        "WebUI", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
      ]),
    .executableTarget(name: "PlatformSimServe", dependencies: ["PlatformSimCLI", "PlatformSimServer"]),
    .target(
      name: "PlatformSimCLI",
      dependencies: [
        "BuildInfo", "Experiments", "Reports", "Exports", "Scenario", "PlatformModel", "ResultRows", "ResultStore",
        "RunLifecycle", "SimKernel", "Monitoring", "InputReading",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(name: "platformsim", dependencies: ["PlatformSimCLI"]),
    // Each input reader as a fuzz target (docs/VALIDATION.md, "Fuzzing").
    .target(name: "FuzzTargets", dependencies: ["Scenario", "Experiments", "Monitoring", "InputReading"]),
    .executableTarget(name: "PlatformSimFuzz", dependencies: ["FuzzTargets"]),
    .executableTarget(
      name: "PlatformSimBenchmarks",
      dependencies: [
        "SimKernel", "InputReading", "PlatformModel", "ResultRows", "ResultStore", "RunLifecycle", "Scenario",
        "Policies", "WebUI",
        "Exports",
      ]
    ),
    // Round-trip overhead of external policies (docs/PERFORMANCE.md).
    .executableTarget(name: "PolicyBenchmark", dependencies: ["Policies"]),
    .testTarget(name: "SimKernelTests", dependencies: ["SimKernel"]),
    .testTarget(name: "MonitoringTests", dependencies: ["Monitoring", "SimKernel", "InputReading", "Hashing"]),
    .testTarget(
      name: "InputReadingTests", dependencies: ["InputReading", "SimKernel", .product(name: "Yams", package: "Yams")],
      exclude: ["Fixtures"]),
    .testTarget(
      name: "ScenarioTests",
      dependencies: ["Scenario", "SimKernel", "Policies", "InputReading"],
      resources: [.copy("InvalidScenarios")]
    ),
    .testTarget(name: "ResultRowsTests", dependencies: ["ResultRows"]),
    .testTarget(name: "FuzzTargetsTests", dependencies: ["FuzzTargets"]),
    .testTarget(name: "ResultStoreTests", dependencies: ["ResultStore", "ResultRows", "Hashing"]),
    .testTarget(name: "PoliciesTests", dependencies: ["Policies"]),
    .testTarget(
      name: "PlatformModelTests",
      dependencies: ["PlatformModel", "SimKernel", "ResultRows", "Monitoring", "Policies"]
    ),
    .testTarget(name: "ReportsTests", dependencies: ["Reports", "ResultRows", "ResultStore"]),
    .testTarget(
      name: "WebUITests",
      dependencies: [
        "WebUI", "Exports", "Reports", "ResultRows", "ResultStore", .product(name: "Yams", package: "Yams"),
      ]),
    .testTarget(
      name: "ExperimentsTests",
      dependencies: [
        "BuildInfo", "Experiments", "Scenario", "PlatformModel", "ResultRows", "ResultStore", "SimKernel",
        "InputReading",
      ]
    ),
    .testTarget(
      name: "EndToEndTests",
      dependencies: [
        "BuildInfo", "Hashing", "PlatformSimCLI", "ResultRows", "ResultStore", "RunLifecycle", "Scenario",
        "Policies", "InputReading",
      ]
    ),
  ]
)
