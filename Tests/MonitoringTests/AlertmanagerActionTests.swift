import Foundation
import SimKernel
import Testing

@testable import Monitoring

/// `sim://` webhook URLs become platform actions; the example scenario file routes
/// critical ErrorRateHigh to a rollback and everything else to a page.
@Suite struct AlertmanagerActionTests {
  @Test func parsesKindsAndParameters() throws {
    let scale = try #require(PlatformAction(url: "sim://scale?replicas=+1&service=serving-a"))
    #expect(scale.kind == .scale)
    #expect(scale.parameter("replicas") == "+1")
    #expect(scale.parameter("service") == "serving-a")
    #expect(scale.parameters.map(\.name) == ["replicas", "service"])

    let rollback = try #require(PlatformAction(url: "sim://rollback"))
    #expect(rollback.kind == .rollback)
    #expect(rollback.parameters.isEmpty)

    let page = try #require(PlatformAction(url: "sim://page/ml-oncall?note=error%20budget%2Fburn"))
    #expect(page.kind == .page)
    #expect(page.path == "ml-oncall")
    #expect(page.parameter("note") == "error budget/burn")

    #expect(PlatformAction(url: "sim://restart?pods=all")?.kind == .other("restart"))
    #expect(PlatformAction(url: "https://hooks.example/rollback") == nil)
  }

  static var scenarioPath: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("scenarios/monitoring/alertmanager.yml").path
  }

  @Test func exampleScenarioRoutesCriticalErrorRateToRollbackAndTheRestToAPage() throws {
    let loaded = try AlertmanagerConfig.load(path: Self.scenarioPath)
    #expect(
      loaded.platformActions.map { "\($0.receiver) \($0.action)" } == [
        "rollback sim://rollback", "page-oncall sim://page",
      ])
    let alertmanager = Alertmanager(config: loaded)
    driveAlertmanager(
      alertmanager,
      posts: [
        (
          .zero,
          [
            firing(["alertname": "ErrorRateHigh", "severity": "critical", "service": "serving-a"]),
            // Same name and service at warning: inhibited by the critical one.
            firing(["alertname": "ErrorRateHigh", "severity": "warning", "service": "serving-a"]),
            // Critical, but not ErrorRateHigh: a page.
            firing(["alertname": "GPUNodeLost", "severity": "critical", "service": "training"]),
            // ErrorRateHigh at warning for another service: a page.
            firing(["alertname": "ErrorRateHigh", "severity": "warning", "service": "serving-b"]),
          ]
        )
      ], until: at("1m"))
    #expect(
      alertmanager.actionNotifications.map {
        "\($0.time) \($0.action?.url ?? "") \($0.groupLabels["alertname"] ?? "")/\($0.groupLabels["service"] ?? "")"
      }
        == [
          "t+10s sim://rollback ErrorRateHigh/serving-a",
          "t+30s sim://page ErrorRateHigh/serving-b",
          "t+30s sim://page GPUNodeLost/training",
        ])
    #expect(
      alertmanager.notifications.first?.groupKey.rawValue
        == #"{}/{alertname="ErrorRateHigh",severity="critical"}:{alertname="ErrorRateHigh", service="serving-a"}"#)
  }

  @Test func rollbackIsNotRepeatedWhenTheAlertResolves() throws {
    let alertmanager = Alertmanager(config: try AlertmanagerConfig.load(path: Self.scenarioPath))
    driveAlertmanager(
      alertmanager,
      posts: [
        (.zero, [firing(["alertname": "ErrorRateHigh", "severity": "critical", "service": "serving-a"], until: "3m")])
      ],
      until: at("1h"))
    #expect(alertmanager.notifications.map { "\($0.time) \($0.status.rawValue)" } == ["t+10s firing"])
  }

  @Test func missingFileIsADiagnostic() {
    do {
      _ = try AlertmanagerConfig.load(path: "/nonexistent/alertmanager.yml")
      Issue.record("expected an error")
    } catch {
      #expect(
        error.diagnostics.first?.rendered
          == "/nonexistent/alertmanager.yml: error: no such file")
    }
  }
}
