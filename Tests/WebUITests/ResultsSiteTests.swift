import Foundation
import ResultStore
import Testing

@testable import WebUI

@Suite("Results site pages and API")
struct ResultsSiteTests {
  @Test("every page and API route answers 200 on a database with a run and a gate")
  func everyRouteAnswers() throws {
    let site = ResultsSite(databasePath: try SiteFixture.database())
    let targets = [
      "/", "/api/runs", "/runs/1", "/api/runs/1", "/runs/1/deployments", "/api/runs/1/deployments",
      "/runs/1/deployments/3", "/api/runs/1/deployments/3", "/runs/1/incidents/1", "/api/runs/1/incidents/1",
      "/experiments", "/api/experiments", "/experiments/1", "/api/experiments/1", "/compare/runs?a=1&b=2",
      "/api/compare/runs?a=1&b=2", "/compare/experiments?a=1&b=1", "/api/compare/experiments?a=1&b=1",
    ]
    for target in targets {
      let response = site.get(target)
      #expect(response.status == 200, "\(target): \(response.body.prefix(300))")
    }
    // Every route is exercised above.
    let templates = Set(
      targets.map { $0.split(separator: "?")[0] }.map { path in
        ResultsSite.match(path: String(path))?.route.template ?? "?"
      })
    #expect(templates.count == ResultsSite.routes.count)
  }

  @Test("an unknown run or experiment is a 404 page naming it")
  func unknownNamesIt() throws {
    let site = ResultsSite(databasePath: try SiteFixture.database())
    let run = site.get("/runs/42")
    #expect(run.status == 404)
    #expect(run.body.contains("Run 42 does not exist in this database."))
    let experiment = site.get("/experiments/7")
    #expect(experiment.status == 404 && experiment.body.contains("Experiment 7 does not exist"))
    let api = site.get("/api/runs/42/deployments/1")
    #expect(api.status == 404 && api.contentType == "application/json" && api.body.contains("Run 42"))
    #expect(site.get("/runs/1/deployments/99").body.contains("Deployment 99 of run 1 does not exist"))
    #expect(site.get("/runs/x").status == 400)
  }

  @Test("a database from a newer PlatformSim gives a clear error page, not a crash")
  func newerSchema() throws {
    let path = try SiteFixture.database()
    let store = try ResultStore(path: path)
    try store.database.execute("PRAGMA user_version = 999")
    let response = ResultsSite(databasePath: path).get("/runs/1")
    #expect(response.status == 409)
    #expect(response.body.contains("was written by a newer PlatformSim (schema version 999"), "\(response.body)")
  }

  @Test("the run page shows tiles with tiers and targets, dates, spans and drill-down links")
  func runPage() throws {
    let site = ResultsSite(databasePath: try SiteFixture.database())
    let page = site.get("/runs/1").body
    #expect(page.contains("Lead time for changes (median)"))
    #expect(page.contains(">24 min<"), "1447 s reads as 24 min")
    #expect(page.contains("tier-elite"), "lead time of 24 min is elite")
    #expect(page.contains("✗ missed"))
    #expect(page.contains("href=\"/runs/1/deployments/3\""), "timeline marks link to their deployment")
    #expect(page.contains("href=\"/runs/1/incidents/1\""))
    #expect(page.contains(">Mon 5 Jan<") || page.contains(">5 Jan 00:00<"), "dates on the time axis")
    #expect(page.contains("incident (start to resolution)"))
    #expect(!page.contains("<script"))
    let deployment = site.get("/runs/1/deployments/3").body
    #expect(deployment.contains("step analysis Failed: error-ratio: failureCondition met"))
    let caused = site.get("/runs/1/deployments/1").body
    #expect(caused.contains("ErrorRateHigh") && caused.contains("sim://rollback") && caused.contains("incident 1"))
  }

  @Test("the gate page shows the verdict per KPI with its interval, clipped at the KPI's bounds")
  func gatePage() throws {
    let site = ResultsSite(databasePath: try SiteFixture.database())
    let page = site.get("/experiments/1").body
    #expect(page.contains("Gate verdict: regressed"))
    #expect(page.contains("[0.5 %, 5.5 %]"), "the difference interval of the gated KPI")
    // incidents: stored interval −0.84…1.64, shown from 0.
    // The fixture keeps no runs, so no unit: a plain number.
    #expect(page.contains("0.4 [0, 1.64]"), "\(page)")
    let json = site.get("/api/experiments/1").body
    #expect(json.contains("\"clippedLow\":0,"))
  }

  @Test("comparing runs shows both and their KPI differences")
  func compareRuns() throws {
    let site = ResultsSite(databasePath: try SiteFixture.database())
    let page = site.get("/compare/runs?a=1&b=2").body
    #expect(page.contains("href=\"/runs/1\"") && page.contains("href=\"/runs/2\""))
    #expect(page.contains("−50 %"), "change failure rate 50 % → 0 %")
    #expect(page.contains("run 1") && page.contains("run 2"), "the overlaid timeline names both lanes")
  }
}
