/// The scenario file format, version `platformsim.dev/v1alpha1`.
///
/// Each section's keys, shapes, defaults and meanings are declared here once; the
/// loader validates against them and `platformsim schema` publishes them as JSON
/// Schema (docs/scenario.schema.json). docs/SCENARIOS.md explains each section.
public enum ScenarioSchema {
  public static let apiVersion = "platformsim.dev/v1alpha1"

  public static let arrivalProcess = ObjectSchema(
    "ArrivalProcess",
    "A Poisson arrival process, optionally shaped by local hour of day and day of week (drawn by thinning).",
    fields: [
      FieldSchema("ratePerHour", .number(minimum: 0), required: true, "Mean arrivals per hour at a profile factor of 1."),
      FieldSchema(
        "hourOfDay", .array(of: .number(minimum: 0), exactCount: 24), default: "all 1",
        "24 relative factors for local hours 0–23."),
      FieldSchema(
        "dayOfWeek", .array(of: .number(minimum: 0), exactCount: 7), default: "all 1",
        "7 relative factors, Monday to Sunday."),
    ])

  public static let jobStream = ObjectSchema(
    "JobStream", "Jobs that arrive by a process and take a sampled time.",
    fields: [
      FieldSchema("arrivals", .object(arrivalProcess), required: true, "When jobs arrive."),
      FieldSchema("duration", .durationDistribution, required: true, "How long each job holds a runner."),
    ])

  public static let runnerPool = ObjectSchema(
    "RunnerPool", "The CI runners that pipeline jobs wait for (an M/M/c queue when arrivals and durations are exponential).",
    fields: [
      FieldSchema("runners", .integer(minimum: 1, maximum: 100_000), required: true, "Number of runners."),
      FieldSchema("backgroundJobs", .object(jobStream), "Jobs from outside the modelled pipeline that share the runners."),
      FieldSchema("recordJobs", .boolean, default: "true", "Write one `runner_jobs` row per job."),
    ])

  public static let delivery = ObjectSchema(
    "Delivery", "The GitOps delivery pipeline.",
    fields: [
      FieldSchema("runnerPool", .object(runnerPool), "The CI runner pool.")
    ])

  public static let simulation = ObjectSchema(
    "Simulation", "The simulated window and its randomness.",
    fields: [
      FieldSchema("start", .instant, required: true, "First instant; without an offset it is local time in `timeZone`."),
      FieldSchema("timeZone", .string(), default: "UTC", "IANA time zone of the platform's calendar, e.g. `Europe/Berlin`."),
      FieldSchema("duration", .duration(.positive), required: true, "Length of the simulated window, e.g. `30d`."),
      FieldSchema("seed", .integer(minimum: 0), default: "1", "Root seed; `--seed` overrides it."),
    ])

  public static let limits = ObjectSchema(
    "Limits", "Guards that stop a run cleanly (status `stopped`) before it exhausts the machine.",
    fields: [
      FieldSchema("maxEvents", .integer(minimum: 1), default: "no limit", "Most events to process."),
      FieldSchema("maxWallSeconds", .number(minimum: 0, exclusiveMinimum: true), default: "no limit", "Most wall-clock seconds to spend."),
    ])

  public static let outputs = ObjectSchema(
    "Outputs", "Where results go.",
    fields: [
      FieldSchema(
        "database", .filePath, default: "reports/platformsim.sqlite (relative to the working directory)",
        "SQLite results file, relative to the scenario file; `--db` overrides it.")
    ])

  public static let spec = ObjectSchema(
    "ScenarioSpec", "What to simulate.",
    fields: [
      FieldSchema("simulation", .object(simulation), required: true, "The simulated window, time zone and seed."),
      FieldSchema("limits", .object(limits), "Run guards."),
      FieldSchema("outputs", .object(outputs), "Where results go."),
      FieldSchema("delivery", .object(delivery), "The delivery pipeline and its CI runners."),
      FieldSchema("cluster", .object(cluster), "The Kubernetes cluster: node pools, spot market, autoscaling."),
      FieldSchema("teams", .array(of: .object(team)), "Teams, their tags and their training workloads."),
      FieldSchema("governance", .object(governance), "Required tags and admission policy."),
    ])

  public static let metadata = ObjectSchema(
    "Metadata", "Names the scenario.",
    fields: [
      FieldSchema("name", .string(pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$"), required: true, "Name written into every run row."),
      FieldSchema("description", .string(), "What the scenario is for."),
      FieldSchema("labels", .dictionary(of: .string()), "Free-form labels."),
    ])

  public static let document = ObjectSchema(
    "Scenario", "A PlatformSim scenario.",
    fields: [
      FieldSchema("apiVersion", .choice([apiVersion]), required: true, "Format version."),
      FieldSchema("kind", .choice(["Scenario"]), required: true, "Always `Scenario`."),
      FieldSchema("metadata", .object(metadata), required: true, "Name and description."),
      FieldSchema("spec", .object(spec), required: true, "What to simulate."),
    ])
}
