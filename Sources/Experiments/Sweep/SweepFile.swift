import Foundation
import Hashing
import InputReading
import Scenario
import SimKernel
import Yams

extension InputFormat {
  /// A sweep file (`kind: Sweep`): a scenario, axes of values, replications per point.
  public static let sweep = InputFormat(
    name: "sweep", title: "PlatformSim sweep", fileDescription: "a sweep file",
    schemaID: "https://platformsim.dev/schemas/sweep-v1alpha1.json", root: SweepDefinition.Keys.self,
    conventions: .platformSim, signature: FormatSignature(kinds: ["Sweep"], keys: ["axes", "scenario"]))
}

/// A sweep file: a scenario, axes of values to try, and replications per point.
///
/// ```yaml
/// apiVersion: platformsim.dev/v1alpha1
/// kind: Sweep
/// name: runner-count
/// scenario: ../golden-path.yaml
/// replications: 5
/// axes:
///   spec.delivery.runnerPool.runners: [2, 4, 8]
///   spec.teams[0].defects.probability: [0.02, 0.1]
/// ```
///
/// Points are the cross product of the axes, the first axis varying slowest.
public struct SweepDefinition {
  public struct Axis {
    public var path: ScenarioKeyPath
    public var text: String
    /// Values as YAML nodes (any shape the scenario accepts there) and as written.
    public var values: [Node]
    public var valueTexts: [String]
  }

  public var file: String
  public var name: String
  public var scenarioPath: String
  public var replications: Int?
  public var seed: UInt64?
  public var duration: SimDuration?
  public var axes: [Axis]

  /// The keys of a sweep file.
  final class Keys: ExperimentKeys {
    static let schema = ObjectSchema<Keys>("Sweep", "A grid of scenario values crossed with replications.")
    let apiVersion = Field("apiVersion", .choice([ScenarioSchema.apiVersion]), "The file format version.")
    let kind = Field("kind", .choice(["Sweep"]), "Always `Sweep`.")
    let name = Field("name", .string(), "The experiment's name (default: the file name).")
    let scenario = Field("scenario", .existingFile, required: true, "The scenario to vary, relative to this file.")
    let replications = Field(
      "replications", .integer(minimum: 1, maximum: 10_000), "Replications per point (default 5).")
    let seed = Field("seed", .integer(minimum: 0), "Root seed (default: the scenario's).")
    let until = Field("until", .duration(.positive), "Simulate only this long (default: the scenario's duration).")
    let axes = Field(
      "axes", .dictionary(.any(.array(of: .oneOf([.number(), .string()]), minimumCount: 1))), required: true,
      "Key path → list of values, e.g. `spec.delivery.runnerPool.runners: [2, 4, 8]`.")
  }

  /// Reads and validates the sweep file at `path`.
  public static func load(path: String) throws(ExperimentError) -> SweepDefinition {
    let file = try ExperimentFile<Keys>(path: path, format: .sweep)
    let (log, reader, name) = (file.log, file.reader, file.name)
    let scenario = reader?[\.scenario]
    let replications = reader?[\.replications]
    let seed = reader?[\.seed].map { UInt64($0) }
    let duration = reader?[\.until]
    var axes: [Axis] = []
    let entries = reader?[\.axes]
    entries?.forEach { key, value, _ in
      guard let value else { return }
      guard let keyPath = ScenarioKeyPath(parsing: key) else {
        value.error(
          "`\(key)` is not a key path",
          hint: "write keys with dots and list indices in brackets, e.g. `spec.teams[0].defects.probability`")
        return
      }
      // Any value the scenario accepts at that path; the scenario's reader checks it.
      guard let elements = value.readArray(minimumCount: 1) else { return }
      axes.append(
        Axis(
          path: keyPath, text: key, values: elements.map(\.node),
          valueTexts: elements.map { $0.scalarText ?? "\($0.node)" }))
    }
    if entries != nil && axes.isEmpty && !log.hasErrors {
      entries?.value.error("a sweep needs at least one axis")
    }
    guard reader != nil, let scenario, !log.hasErrors else { throw .invalidFile(DiagnosticsError(log.diagnostics)) }
    return SweepDefinition(
      file: path, name: name, scenarioPath: scenario.path, replications: replications, seed: seed, duration: duration,
      axes: axes)
  }

  /// Every point of the grid, each a scenario edited by the point's values.
  ///
  /// - Throws: ``ExperimentError/unknownKeyPath(file:axis:missing:available:)`` for an
  ///   axis the scenario does not have; ``ExperimentError/invalidFile(_:)`` when an
  ///   edited scenario fails validation (located in the scenario).
  public func variants() throws(ExperimentError) -> [ExperimentVariant] {
    let root: Node
    do {
      root = try ScenarioLoader.parseFile(path: scenarioPath)
    } catch {
      throw .invalidFile(error)
    }
    var points: [[Int]] = [[]]
    for axis in axes { points = points.flatMap { prefix in axis.values.indices.map { prefix + [$0] } } }
    var variants: [ExperimentVariant] = []
    for (pointIndex, point) in points.enumerated() {
      var edited = root
      var settings: [(axis: String, value: String)] = []
      for (axisIndex, valueIndex) in point.enumerated() {
        let axis = axes[axisIndex]
        switch ScenarioPatch.replacing(in: edited, at: axis.path, with: axis.values[valueIndex]) {
        case .success(let replaced): edited = replaced
        case .failure(let missing):
          throw .unknownKeyPath(file: file, axis: axis.text, missing: missing.missing, available: missing.available)
        }
        settings.append((axis.text, axis.valueTexts[valueIndex]))
      }
      let text = (try? Yams.serialize(node: edited)) ?? ""
      var hasher = ContentHash()
      hasher.update(Array(text.utf8))
      do {
        let document = try ScenarioLoader.load(root: edited, path: scenarioPath, digest: hasher.finalizeHex()).document
        variants.append(ExperimentVariant(name: "point-\(pointIndex + 1)", document: document, settings: settings))
      } catch {
        // A value the sweep put in carries its location in the sweep file: point there.
        let axisPaths = axes.map(\.path.description)
        let located = error.diagnostics.map { diagnostic -> Diagnostic in
          var moved = diagnostic
          if axisPaths.contains(diagnostic.keyPath.description) { moved.file = file }
          return moved
        }
        throw .invalidPoint(
          file: file, point: "point-\(pointIndex + 1)",
          settings: settings.map { "\($0.axis) = \($0.value)" }.joined(separator: ", "), DiagnosticsError(located))
      }
    }
    return variants
  }
}
