import Foundation
import ResultStore
import Testing

@Suite("KPI SQL in docs/KPIS.md")
struct KPISQLTests {
  /// The ```sql kpi=NAME (or `metric=NAME`) blocks of docs/KPIS.md.
  static func documentedQueries(kind: String = "kpi") throws -> [(name: String, sql: String)] {
    let text = try String(
      contentsOf: PlatformSimProcess.repositoryRoot.appendingPathComponent("docs/KPIS.md"), encoding: .utf8)
    let opening = "```sql \(kind)="
    var queries: [(String, String)] = []
    var current: (name: String, lines: [String])?
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix(opening) {
        current = (String(line.dropFirst(opening.count)), [])
      } else if line.hasPrefix("```"), let block = current {
        queries.append((block.name, block.lines.joined(separator: "\n")))
        current = nil
      } else if current != nil {
        current?.lines.append(String(line))
      }
    }
    return queries
  }

  @Test("each documented query reproduces the tool's own kpis row on a run of the golden path")
  func queriesReproduceKPIs() throws {
    let queries = try Self.documentedQueries()
    #expect(queries.count >= 8)
    let database = PlatformSimProcess.scratchDirectory().appendingPathComponent("kpis.sqlite").path
    let run = try PlatformSimProcess.run(["run", "scenarios/golden-path.yaml", "--db", database, "--quiet"])
    #expect(run.status == 0, "\(run.standardError)")
    let store = try ResultStore(path: database)
    for query in queries {
      let sql = query.sql.replacingOccurrences(of: ":run", with: "1")
      let computed = try store.database.scalar(sql)?.doubleValue
      let recorded = try store.database.scalar(
        "SELECT value FROM kpis WHERE run_id = 1 AND name = ?", [.text(query.name)])?.doubleValue
      let expected = try #require(recorded, "no kpis row \(query.name)")
      let value = try #require(computed, "query \(query.name) returned nothing")
      #expect(abs(value - expected) <= 1e-9 * max(1, abs(expected)), "\(query.name): SQL \(value), kpis \(expected)")
    }
  }

  @Test("each documented cost query reproduces the run metric on a spot run, to the cent")
  func costQueriesReproduceRunMetrics() throws {
    let queries = try Self.documentedQueries(kind: "metric")
    #expect(queries.count >= 4)
    let database = PlatformSimProcess.scratchDirectory().appendingPathComponent("cost.sqlite").path
    let run = try PlatformSimProcess.run(["run", "scenarios/spot-fallback.yaml", "--db", database, "--quiet"])
    #expect(run.status == 0, "\(run.standardError)")
    let store = try ResultStore(path: database)
    let loss = try store.database.scalar(
      "SELECT value FROM run_metrics WHERE run_id = 1 AND name = 'cost.spot_loss_usd'")
    #expect((loss?.doubleValue ?? 0) > 0, "the spot run lost node time to spot")
    for query in queries {
      let sql = query.sql.replacingOccurrences(of: ":run", with: "1")
      let computed = try store.database.scalar(sql)?.doubleValue
      let recorded = try store.database.scalar(
        "SELECT value FROM run_metrics WHERE run_id = 1 AND name = ?", [.text(query.name)])?.doubleValue
      let expected = try #require(recorded, "no run_metrics row \(query.name)")
      let value = try #require(computed, "query \(query.name) returned nothing")
      #expect(abs(value - expected) < 0.005, "\(query.name): SQL \(value), run_metrics \(expected)")
    }
  }
}
