import Foundation
import Testing

@testable import ResultStore

/// Rows written through TableWriter come back exactly: every kind of value, NULLs,
/// empty and non-ASCII text, across multi-row and single-row statements and flushes.
@Suite struct TableWriterTests {
  @Test func rowsRoundTripThroughBatchesAndFlushes() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tablewriter-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try ResultStore(path: directory.appendingPathComponent("t.sqlite").path)
    try store.database.execute("CREATE TABLE sample (i INTEGER, r REAL, t TEXT, n TEXT)")
    // 137 rows per flush: two 50-row statements and 37 single-row ones each time.
    let writer = store.tableWriter("sample", columns: ["i", "r", "t", "n"], rowsPerFlush: 137)
    let labels = ["background", "", "pipeline", "Zürich ✓", String(repeating: "x", count: 300)]
    let rowCount = 1_000
    for index in 0..<rowCount {
      writer.append(Int64(index) - 500)
      writer.append(index % 11 == 0 ? Double.nan : Double(index) * 0.25)
      writer.append(labels[index % labels.count])
      writer.append(index % 3 == 0 ? nil : "n\(index)" as String?)
      try writer.endRow()
    }
    try writer.flush()
    #expect(writer.writtenRowCount == rowCount)
    let rows = try store.database.query("SELECT i, r, t, n FROM sample ORDER BY rowid")
    #expect(rows.count == rowCount)
    for (index, row) in rows.enumerated() {
      #expect(row[0] == .integer(Int64(index) - 500))
      #expect(row[1] == (index % 11 == 0 ? .null : .real(Double(index) * 0.25)))
      #expect(row[2] == .text(labels[index % labels.count]))
      #expect(row[3] == (index % 3 == 0 ? .null : .text("n\(index)")))
    }
  }
}
