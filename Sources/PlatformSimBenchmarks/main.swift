import Foundation

/// `platformsim-bench`: the benchmarks of docs/PERFORMANCE.md, with their peers, in one run.
///
/// Usage: `swift run -c release platformsim-bench [--quick] [--filter NAME]... [--json]`
///
/// Progress goes to standard error; the Markdown table (or JSON with `--json`) to
/// standard output, so `> table.md` captures just the result.
struct BenchmarkOptions {
  /// Small sizes and 3 repetitions: a smoke run, not figures to record.
  var quick = false
  /// Benchmark names, or dash-separated prefixes of them (`kernel`), to run; empty runs all.
  var filters: [String] = []
  var json = false

  static let usage = """
    usage: platformsim-bench [--quick] [--filter NAME]... [--json]

      --quick        small sizes and 3 repetitions (a smoke run; do not record its figures)
      --filter NAME  run only the benchmark NAME, or those starting with NAME- (repeatable):
                     kernel-hold-100, kernel-hold-10000, runner-pool, runner-pool-rows, results-writing,
                     scenario-golden-path, scenario-org-scale, web-runs, web-run, web-run-api,
                     web-deployments, web-deployment, web-incident, web-compare-runs, web-experiment,
                     web-compare-experiments, web-export, scale-large-cluster, scale-org-scale,
                     trace-replay-openb, trace-replay-1m;
                     `--filter kernel` runs both kernel sizes, `--filter scenario` both scenarios,
                     `--filter web` the pages of `platformsim serve` (PLATFORMSIM_BENCH_WEB_DB: a database to use),
                     `--filter scale` both generators at 1×, 2× and 4× and their growth exponents
                     (PLATFORMSIM_BENCH_SCALES: sizes such as 1,2,4,10; PLATFORMSIM_BENCH_SCALE_DAYS: days;
                     PLATFORMSIM_BENCH_SCALE_ROUNDS: rounds, default 3);
                     scenario and scale runs use PLATFORMSIM_BENCH_THREADS threads (default: the processors)
      --json         print JSON instead of the Markdown table

    Build and run in release mode: swift run -c release platformsim-bench
    """

  /// Parses the command line; on a mistake prints why and the usage, and exits 2.
  static func parse(_ arguments: [String]) -> BenchmarkOptions {
    var options = BenchmarkOptions()
    var remaining = arguments[...]
    while let argument = remaining.popFirst() {
      switch argument {
      case "--quick": options.quick = true
      case "--json": options.json = true
      case "--filter":
        guard let name = remaining.popFirst() else { fail("--filter needs a benchmark name") }
        options.filters.append(name)
      case "-h", "--help":
        print(usage)
        exit(0)
      default:
        fail("unknown argument `\(argument)`")
      }
    }
    return options
  }

  private static func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("platformsim-bench: \(message)\n\n\(usage)\n".utf8))
    exit(2)
  }

  func selects(_ name: String) -> Bool {
    filters.isEmpty || filters.contains { name == $0 || name.hasPrefix($0 + "-") }
  }
}

func progress(_ message: String) {
  FileHandle.standardError.write(Data("[bench] \(message)\n".utf8))
}

let options = BenchmarkOptions.parse(Array(CommandLine.arguments.dropFirst()))
#if DEBUG
  progress("warning: this is a debug build; figures are meaningless. Use `swift run -c release platformsim-bench`.")
#endif
let repetitions = options.quick ? 3 : 7
let holdIterations = options.quick ? 200_000 : 3_000_000
var results: [BenchmarkResult] = []

for pendingCount in [100, 10_000] where options.selects("kernel-hold-\(pendingCount)") {
  progress("kernel hold model, \(pendingCount) pending, \(repetitions) × \(holdIterations) events, ours and reference")
  results.append(
    KernelHoldBenchmark.run(pendingCount: pendingCount, iterations: holdIterations, repetitions: repetitions))
}
if options.selects("runner-pool") {
  let customers = options.quick ? 200_000 : 4_000_000
  let peerCustomers = options.quick ? 20_000 : 200_000
  progress(
    "runner pool M/M/c: \(repetitions) × (ours and the minimal loop with \(customers) customers, SimPy with \(peerCustomers))"
  )
  results.append(RunnerPoolBenchmark.run(customers: customers, peerCustomers: peerCustomers, repetitions: repetitions))
}
if options.selects("runner-pool-rows") {
  let customers = options.quick ? 200_000 : 4_000_000
  progress("runner pool M/M/c with job rows in SQLite: \(repetitions) × \(customers) customers")
  results.append(RunnerPoolRowsBenchmark.run(customers: customers, repetitions: repetitions))
}
if options.selects("results-writing") {
  let rows = options.quick ? 200_000 : 2_000_000
  progress("results writing: \(repetitions) × \(rows) runner_jobs rows into SQLite")
  results.append(ResultsWritingBenchmark.run(rows: rows, repetitions: repetitions))
}

for benchmark in ScenarioBenchmark.cases where options.selects(benchmark.name) {
  // Whole runs are long: fewer repetitions (the median of 3 still discards one outlier).
  let days: Double? = options.quick ? 3 : nil
  let scenarioRepetitions = options.quick ? 1 : 3
  progress("\(benchmark.path): \(scenarioRepetitions) × \(days.map { "\(Int($0)) d" } ?? "the scenario's duration")")
  results.append(ScenarioBenchmark.run(benchmark, days: days, repetitions: scenarioRepetitions))
}

if options.filters.contains(where: { $0 == "scale" || $0.hasPrefix("scale-") }) {
  // Only when asked for: several minutes of whole runs.
  let environment = ProcessInfo.processInfo.environment
  let scales =
    environment["PLATFORMSIM_BENCH_SCALES"].map { $0.split(separator: ",").compactMap { Double($0) } }
    ?? (options.quick ? [1, 2] : [1, 2, 4])
  let days = environment["PLATFORMSIM_BENCH_SCALE_DAYS"].flatMap(Double.init) ?? (options.quick ? 2 : nil)
  let rounds = environment["PLATFORMSIM_BENCH_SCALE_ROUNDS"].flatMap(Int.init) ?? (options.quick ? 1 : 3)
  for benchmark in ScaleBenchmark.cases where options.selects(benchmark.name) {
    results += ScaleBenchmark.run(benchmark, scales: scales, days: days, rounds: rounds)
  }
}
if options.selects("trace-replay-openb") {
  progress("trace replay: openb default trace on its own GPU nodes")
  if let result = TraceReplayBenchmark.openb(repetitions: options.quick ? 1 : 5) { results.append(result) }
}
if options.selects("trace-replay-1m") {
  let jobs = options.quick ? 50_000 : 1_000_000
  progress("trace replay: \(jobs) synthetic generic jobs on 5,000 nodes")
  results.append(TraceReplayBenchmark.synthetic(jobs: jobs, nodes: 5_000, repetitions: options.quick ? 1 : 3))
}

if options.filters.contains(where: { $0 == "web" || $0.hasPrefix("web-") }) {
  // Only when asked for: it simulates an organisation-scale month first.
  results += WebPagesBenchmark.run(repetitions: repetitions, quick: options.quick)
}

if results.isEmpty {
  progress("no benchmark matches the filters \(options.filters)")
  exit(2)
}
if options.json {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
  // A failed growth benchmark's placeholder exponent is infinite, which plain JSON cannot hold.
  encoder.nonConformingFloatEncodingStrategy = .convertToString(
    positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
  do {
    print(
      String(
        decoding: try encoder.encode(JSONReport(results, repetitions: repetitions, quick: options.quick)), as: UTF8.self
      ))
  } catch {
    progress("could not encode the JSON report: \(error)")
    exit(1)
  }
} else {
  print(markdownReport(results, repetitions: repetitions, quick: options.quick))
}
// A failed measurement is not a figure: the report above says which, and the exit code
// tells a CI job (1, as for any run that did not complete; 2 stays for usage mistakes).
let failed = results.filter { !$0.errors.isEmpty }.map(\.name)
if !failed.isEmpty {
  progress("benchmarks with failed repetitions: \(failed.joined(separator: ", "))")
  exit(1)
}
