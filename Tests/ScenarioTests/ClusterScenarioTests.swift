import Foundation
import InputReading
import PlatformModel
import SimKernel
import Testing

@testable import Scenario

/// Scenario keys of the cluster, teams and governance: valid files load, bad input
/// gives a located diagnostic naming the key.
@Suite struct ClusterScenarioTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static func scenario(
    cluster: String = defaultCluster, teams: String = defaultTeams, timeZone: String = "Europe/Berlin"
  )
    -> String
  {
    """
    apiVersion: platformsim.dev/v1alpha1
    kind: Scenario
    metadata: {name: cluster-test}
    spec:
      simulation: {start: 2026-01-05T00:00:00, timeZone: \(timeZone), duration: 7d}
      cluster:
    \(cluster)
      teams:
    \(teams)
    """
  }

  static let defaultCluster = """
        name: ml-platform-prod
        nodePools:
          - name: gpu_nodes
            instanceTypes: [g5.xlarge]
            min: 1
            max: 10
            desired: 2
    """

  static let defaultTeams = """
        - name: fraud
          tags: {Owner: a@example.com, CostCenter: CC-1}
          training:
            - template: pytorch-gpu-distributed
              arrivals: {ratePerHour: 1}
              capacity: on-demand
    """

  /// Loads `text` from a temporary file; returns the document or the diagnostics.
  static func load(_ text: String) -> (ScenarioDocument?, [Diagnostic]) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "platformsim-cluster-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent("scenario.yaml").path
    _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    defer { try? FileManager.default.removeItem(at: directory) }
    do {
      let (document, warnings) = try ScenarioLoader.load(path: path)
      return (document, warnings)
    } catch {
      return (nil, error.diagnostics)
    }
  }

  static func expectError(
    _ text: String, keyPath: String, containing fragment: String, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let (document, diagnostics) = load(text)
    #expect(document == nil, sourceLocation: sourceLocation)
    let match = diagnostics.first { $0.severity == .error && $0.keyPath.description == keyPath }
    #expect(match != nil, "no error at \(keyPath); got: \(diagnostics.map(\.rendered))", sourceLocation: sourceLocation)
    if let match {
      #expect(match.line > 0, sourceLocation: sourceLocation)
      #expect(match.rendered.contains(fragment), "\(match.rendered)", sourceLocation: sourceLocation)
    }
  }

  @Test func minimalClusterScenarioLoads() {
    let (document, diagnostics) = Self.load(Self.scenario())
    #expect(diagnostics.isEmpty)
    let cluster = document?.cluster
    #expect(cluster?.nodePools.first?.name == "gpu_nodes")
    #expect(cluster?.nodePools.first?.desiredNodes == 2)
    #expect(document?.teams.first?.jobStreams.first?.workerCount == 2)
    #expect(document?.teams.first?.tag("CostCenter") == "CC-1")
  }

  /// kube-scheduler's `percentageOfNodesToScore` reaches the model; absent, every node is scored.
  @Test func percentageOfNodesToScoreIsRead() {
    #expect(Self.load(Self.scenario()).0?.cluster?.percentageOfNodesToScore == nil)
    for value in [0, 10, 100] {
      let (document, diagnostics) = Self.load(
        Self.scenario(cluster: Self.defaultCluster + "\n    percentageOfNodesToScore: \(value)"))
      #expect(diagnostics.isEmpty, "\(diagnostics.map(\.rendered))")
      #expect(document?.cluster?.percentageOfNodesToScore == value)
    }
    Self.expectError(
      Self.scenario(cluster: Self.defaultCluster + "\n    percentageOfNodesToScore: -1"),
      keyPath: "spec.cluster.percentageOfNodesToScore", containing: "expected an integer from 0 to 100")
  }

  @Test func goldenPathLoadsWithItsCluster() throws {
    let path = Self.repository.appendingPathComponent("scenarios/golden-path.yaml").path
    let (document, _) = try ScenarioLoader.load(path: path)
    #expect(document.cluster?.name == "ml-platform-prod")
    let gpu = document.cluster?.nodePools.first { $0.name == "gpu_nodes" }
    #expect(gpu?.instanceTypes == ["g5.xlarge"] && gpu?.minNodes == 1 && gpu?.maxNodes == 10 && gpu?.desiredNodes == 2)
    #expect(document.cluster?.nodePools.contains { $0.activeSchedule != nil } == true)
    #expect(document.teams.count == 3)
  }

  @Test func capacityPlanningLoads() throws {
    let path = Self.repository.appendingPathComponent("scenarios/capacity-planning.yaml").path
    let (document, _) = try ScenarioLoader.load(path: path)
    #expect(document.cluster?.nodePools.contains { $0.capacityType == .spot } == true)
  }

  /// The shipped catalogue file and the built-in catalogue hold the same values.
  @Test func shippedCatalogueMatchesBuiltIn() {
    let url = Self.repository.appendingPathComponent("scenarios/catalogue/aws-us-east-1.yaml")
    let log = DiagnosticLog()
    let catalogue = ScenarioLoader.readCatalogueFile(at: url, log: log)
    #expect(log.diagnostics.isEmpty, "\(log.diagnostics.map(\.rendered))")
    #expect(catalogue == InstanceCatalogue.awsUSEast1)
  }

  /// A catalogue path naming a `.env` by mistake: the error names the file and what was
  /// expected, never the secret it holds.
  @Test func catalogueThatIsNoYAMLIsRefusedWithoutItsContent() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("platformsim-\(getpid())-catalogue.env")
    try "AWS_ACCESS_KEY_ID=AKIAEXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY\n".write(
      to: url, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: url) }
    let log = DiagnosticLog()
    #expect(ScenarioLoader.readCatalogueFile(at: url, log: log) == nil)
    let messages = log.diagnostics.map(\.rendered).joined(separator: "\n")
    #expect(messages.contains("\(url.path):1:1: error: found plain text"), "\(messages)")
    #expect(messages.contains("expected a mapping"), "\(messages)")
    #expect(!messages.contains("AWS_SECRET_ACCESS_KEY") && !messages.contains("AKIAEXAMPLE"), "\(messages)")
  }

  @Test func workloadThatFitsNoPoolIsAnError() {
    let teams = """
          - name: fraud
            tags: {Owner: a@example.com, CostCenter: CC-1}
            training:
              - template: pytorch-gpu-distributed
                arrivals: {ratePerHour: 1}
                resources: {cpu: 4, memoryGiB: 16, gpus: 16}
      """
    Self.expectError(
      Self.scenario(teams: teams), keyPath: "spec.teams[0].training[0].resources", containing: "no node pool can host")
  }

  @Test func minAboveMaxIsAnError() {
    let cluster = """
          name: c
          nodePools:
            - {name: gpu_nodes, instanceTypes: [g5.xlarge], min: 5, max: 2}
      """
    Self.expectError(
      Self.scenario(cluster: cluster), keyPath: "spec.cluster.nodePools[0].min", containing: "greater than `max`")
  }

  @Test func unknownInstanceTypeSuggestsTheNearest() {
    let cluster = """
          name: c
          nodePools:
            - {name: gpu_nodes, instanceTypes: [g5.xlarg], max: 2}
      """
    Self.expectError(
      Self.scenario(cluster: cluster), keyPath: "spec.cluster.nodePools[0].instanceTypes[0]",
      containing: "did you mean `g5.xlarge`?")
  }

  @Test func negativePriceIsAnError() {
    let cluster = """
          name: c
          instanceTypes:
            g5.xlarge: {onDemandUSDPerHour: -1}
          nodePools:
            - {name: gpu_nodes, instanceTypes: [g5.xlarge], max: 2}
      """
    Self.expectError(
      Self.scenario(cluster: cluster), keyPath: "spec.cluster.instanceTypes.g5.xlarge.onDemandUSDPerHour",
      containing: "found `-1`, expected a number from 0 to")
  }

  @Test func unparseableScheduleIsAnError() {
    let cluster = """
          name: c
          nodePools:
            - {name: dev, instanceTypes: [m5.xlarge], max: 2, schedule: ["Mon-Fri 7-20"]}
      """
    Self.expectError(
      Self.scenario(cluster: cluster, teams: "    []"), keyPath: "spec.cluster.nodePools[0].schedule[0]",
      containing: "HH:MM-HH:MM")
  }

  @Test func unknownTimeZoneIsAnError() {
    Self.expectError(
      Self.scenario(timeZone: "Europe/Berln"), keyPath: "spec.simulation.timeZone",
      containing: "did you mean `Europe/Berlin`?")
  }

  @Test func spotPoolNeedsASpotPrice() {
    let cluster = """
          name: c
          nodePools:
            - {name: h100, capacityType: spot, instanceTypes: [p5.4xlarge], max: 2}
      """
    Self.expectError(
      Self.scenario(cluster: cluster, teams: "    []"), keyPath: "spec.cluster.nodePools[0].instanceTypes[0]",
      containing: "has no spot price")
  }

  @Test func karpenterKindReadsItsSettings() {
    let cluster = """
          name: c
          autoscaler: {kind: karpenter, consolidationPolicy: WhenEmpty, consolidateAfter: 30s, disruptionBudget: "20%"}
          nodePools:
            - {name: gpu, instanceTypes: [g5.xlarge, g5.12xlarge], max: 4}
      """
    let (document, diagnostics) = Self.load(Self.scenario(cluster: cluster, teams: "    []"))
    #expect(diagnostics.isEmpty)
    #expect(document?.cluster?.autoscaler == nil)
    #expect(document?.cluster?.karpenter?.consolidationPolicy == .whenEmpty)
    #expect(document?.cluster?.karpenter?.consolidateAfter == .seconds(30))
    #expect(document?.cluster?.karpenter?.budgetShare == 0.2)
  }

  @Test func desiredOutsideBoundsIsAnError() {
    let cluster = """
          name: c
          nodePools:
            - {name: gpu, instanceTypes: [g5.xlarge], min: 1, max: 3, desired: 5}
      """
    Self.expectError(
      Self.scenario(cluster: cluster, teams: "    []"), keyPath: "spec.cluster.nodePools[0].desired",
      containing: "outside")
  }

  @Test func overrideKeepsOtherCatalogueFields() {
    let cluster = """
          name: c
          instanceTypes:
            g5.xlarge: {spotDiscount: 0.7, meanTimeBetweenInterruptions: 6h}
          nodePools:
            - {name: gpu_spot, capacityType: spot, instanceTypes: [g5.xlarge], max: 2}
      """
    let (document, diagnostics) = Self.load(Self.scenario(cluster: cluster, teams: "    []"))
    #expect(diagnostics.isEmpty)
    let type = document?.cluster?.catalogue.type(named: "g5.xlarge")
    #expect(type?.onDemandPriceUSDPerHour == 1.006)
    #expect(abs((type?.spotPriceUSDPerHour ?? 0) - 1.006 * 0.3) < 1e-12)
    #expect(type?.spotInterruption == .meanTimeBetween(.hours(6)))
  }
}
