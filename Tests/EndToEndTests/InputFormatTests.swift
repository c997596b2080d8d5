import Foundation
import InputReading
import PlatformSimCLI
import Testing

/// Every input format on the one input layer: its published JSON Schema is what the
/// code declares, it validates the bundled example files (with an independent JSON
/// Schema validator), and it recognises its own files and no other format's.
@Suite("Input formats")
struct InputFormatTests {
  /// A bundled example of each format.
  static let examples: [String: [String]] = [
    "scenario": ["scenarios/golden-path.yaml", "scenarios/serving-on-cluster.yaml", "scenarios/rollouts/flagger.yaml"],
    "instance-catalogue": ["scenarios/catalogue/aws-us-east-1.yaml"],
    "argo-rollout": [
      "scenarios/policies/golden-path/rollout.yaml", "scenarios/policies/golden-path/rollout-bluegreen.yaml",
    ],
    "argo-analysis-template": ["scenarios/policies/golden-path/analysis-error-ratio.yaml"],
    "flagger-canary": ["scenarios/policies/golden-path/flagger-canary.yaml"],
    "flagger-metric-template": ["scenarios/policies/golden-path/flagger-error-ratio.yaml"],
    "rule-file": ["scenarios/monitoring/error-rate-rules.plain.yaml"],
    "prometheus-rule": [
      "scenarios/monitoring/error-rate-rules.yaml", "scenarios/policies/golden-path/serving-alerts.yaml",
    ],
    "alertmanager": ["scenarios/monitoring/alertmanager.yml"],
    "promtool-test": ["scenarios/monitoring/error-rate-rules.test.yaml"],
    "gate": ["scenarios/experiments/gate.yaml"],
    "sweep": ["scenarios/experiments/sweep-runners.yaml"],
  ]

  static func schemaPath(_ format: InputFormat) -> String {
    format.name == "scenario" ? "docs/scenario.schema.json" : "docs/schemas/\(format.name).schema.json"
  }

  @Test("docs/schemas/ holds each format's JSON Schema as the code declares it", arguments: InputFormat.all.map(\.name))
  func publishedSchema(name: String) throws {
    let format = try #require(InputFormat.all.first { $0.name == name })
    let url = PlatformSimProcess.repositoryRoot.appendingPathComponent(Self.schemaPath(format))
    let committed = try String(contentsOf: url, encoding: .utf8)
    #expect(committed == JSONSchemaWriter.schema(for: format), "regenerate with scripts/update-generated-docs.sh")
    #expect(try JSONSerialization.jsonObject(with: Data(committed.utf8)) is [String: Any])
  }

  @Test("every format has bundled examples, and each is recognised by its own format only")
  func signatures() throws {
    #expect(Set(Self.examples.keys) == Set(InputFormat.all.map(\.name)))
    for (name, files) in Self.examples {
      for file in files {
        let text = try String(
          contentsOf: PlatformSimProcess.repositoryRoot.appendingPathComponent(file), encoding: .utf8)
        let root = try #require(InputFile.parseDocument(text, file: file, log: DiagnosticLog(), emptyHint: nil))
        let claims = InputFormat.all.filter { $0.signature.matches(root) }.map(\.name)
        #expect(claims == [name], "\(file) is claimed by \(claims)")
      }
    }
  }

  @Test("each bundled example validates against its format's published JSON Schema (python3-jsonschema)")
  func examplesValidate() throws {
    var pairs: [String] = []
    for format in InputFormat.all {
      for file in Self.examples[format.name] ?? [] { pairs += [Self.schemaPath(format), file] }
    }
    let script = """
      import json, sys, yaml
      from jsonschema import Draft202012Validator
      failures = []
      args = sys.argv[1:]
      for schema_path, file in zip(args[0::2], args[1::2]):
          schema = json.load(open(schema_path))
          # Timestamps stay strings, as PlatformSim reads them.
          loader = yaml.SafeLoader
          loader.yaml_implicit_resolvers = {k: [r for r in v if r[0] != 'tag:yaml.org,2002:timestamp']
                                            for k, v in loader.yaml_implicit_resolvers.items()}
          document = yaml.load(open(file), Loader=loader)
          for error in Draft202012Validator(schema).iter_errors(document):
              failures.append(f"{file}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
      print("\\n".join(failures))
      sys.exit(1 if failures else 0)
      """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + pairs
    process.currentDirectoryURL = PlatformSimProcess.repositoryRoot
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(
      process.terminationStatus == 0,
      "\(text)(needs python3-jsonschema and python3-yaml: apt-get install python3-jsonschema python3-yaml)")
  }
}
