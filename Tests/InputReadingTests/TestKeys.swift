import InputReading

/// A small format declared the way every real one is, for the layer's own tests.
final class Pool: ObjectKeys {
  static let schema = ObjectSchema<Pool>("Pool", "A pool of nodes (a test format).", ignoredKeys: ["legacy"])
  let name = Field("name", .string(), required: true, "Pool name.")
  let size = Field("size", .integer(minimum: 1, maximum: 10), default: "1", "Nodes.")
  let spot = Field("spot", .boolean, default: "false", "Whether nodes are spot.")
  let window = Field("window", .duration(.positive), "Maintenance window.")
  let zones = Field("zones", .list(.choice(["eu-a", "eu-b"]), minimumCount: 1), "Zones.")
  let labels = Field("labels", .dictionary(.string()), "Node labels.")
  let startup = Field("startup", .durationDistribution, "Time to start a node.")
  let children = Field("children", .list(.object(Pool.self)), "Nested pools (a recursive declaration).")
}

/// The same keys read with Go's conventions (as alertmanager.yml is).
final class GoPool: ObjectKeys {
  static let schema = ObjectSchema<GoPool>(
    "GoPool", "A pool read as Go's yaml.v2 reads it.", appendingMergeKeys: ["tags"])
  let name = Field("name", .string(), required: true, "Pool name.")
  let receiver = Field("receiver", .string(), "Where alerts go.")
  let size = Field("size", .integer(minimum: 1), "Nodes.")
  let tags = Field("tags", .list(.string()), "Tags; merged lists are kept.")
}

/// One job of a trace, as a table declares its columns.
final class JobRecord: ObjectKeys {
  static let schema = ObjectSchema<JobRecord>("JobRecord", "A job of a trace (a test table format).")
  let jobID = Field("job_id", .string(), required: true, "Job name.")
  let submitTime = Field("submit_time", .number(minimum: 0), required: true, "Seconds from the trace's start.")
  let duration = Field("duration", .number(minimum: 0, exclusiveMinimum: true), required: true, "Run time, seconds.")
  let gpuMilli = Field("gpu_milli", .integer(minimum: 0, maximum: 1000), default: "0", "Thousandths of a GPU.")
  let gpuType = Field("gpu_type", .string(), "GPU model.")
  let team = Field("team", .string(), "Owning team.")
  let tags = Field("tags", .dictionary(.string()), "Free-form tags (JSON lines).")
}

let goStyle = InputConventions(
  quote: { "\"\($0)\"" }, suggestsPrefixes: true, explainsExpectations: false, nullMeansAbsent: true,
  mergesKeys: true)

let testFormat = InputFormat(
  name: "pool", title: "Test pool", fileDescription: "a pool file", schemaID: "https://example.invalid/pool.json",
  root: Pool.self, conventions: .platformSim, signature: FormatSignature(kinds: ["Pool"], keys: ["name"]))

/// Parses `yaml` and reads its top-level mapping as `Keys`, returning the reader (if
/// the document is a mapping) and every diagnostic rendered.
func read<Keys: ObjectKeys>(
  _ yaml: String, as keys: Keys.Type, conventions: InputConventions = .platformSim, file: String = "pool.yaml"
) -> (reader: ObjectReader<Keys>?, diagnostics: [String], log: DiagnosticLog) {
  let log = DiagnosticLog()
  guard let root = InputFile.parseDocument(yaml, file: file, log: log, conventions: conventions, emptyHint: "empty")
  else { return (nil, log.diagnostics.map(\.rendered), log) }
  let context = ReadContext(file: file, log: log, conventions: conventions)
  let reader = YAMLValue(node: root, path: .root, context: context).readObject(keys)
  return (reader, log.diagnostics.map(\.rendered), log)
}
