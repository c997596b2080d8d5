import Foundation
import ResultRows
import Testing

@testable import ResultStore

/// A table of every kind of value, for the round trip below.
private struct SampleRow: ResultRow, Equatable {
  static let table = ResultTable<SampleRow>(
    "sample", perRun: false,
    columns: [.column("i", \.integer), .column("r", \.real), .column("t", \.text), .column("n", \.optionalText)])

  var integer: Int64
  var real: Double?
  var text: String
  var optionalText: String?

  init(integer: Int64, real: Double?, text: String, optionalText: String?) {
    self.integer = integer
    self.real = real
    self.text = text
    self.optionalText = optionalText
  }

  init(from row: RowReader<SampleRow>) throws(RowDecodingError) {
    self.init(
      integer: try row[\.integer], real: try row[\.real], text: try row[\.text], optionalText: try row[\.optionalText])
  }

  func encode(to row: inout RowEncoder) {
    row.append(integer)
    row.append(real)
    row.append(text)
    row.append(optionalText)
  }
}

/// Rows written through the SQLite sink's inserter come back exactly: every kind of
/// value, NULLs, empty and non-ASCII text, across multi-row and single-row statements.
@Suite struct RowInserterTests {
  @Test func rowsRoundTripThroughMultiRowAndSingleRowStatements() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rowinserter-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try ResultStore(path: directory.appendingPathComponent("t.sqlite").path)
    try store.database.execute("CREATE TABLE sample (i INTEGER, r REAL, t TEXT, n TEXT)")
    let labels = ["background", "", "pipeline", "Zürich ✓", String(repeating: "x", count: 300)]
    let rowCount = 1_000
    // 137 rows per insert: two 50-row statements and 37 single-row ones each time.
    var written: [SampleRow] = []
    for batchStart in stride(from: 0, to: rowCount, by: 137) {
      var batch: [SampleRow] = []
      for index in batchStart..<min(rowCount, batchStart + 137) {
        batch.append(
          SampleRow(
            integer: Int64(index) - 500, real: index % 11 == 0 ? Double.nan : Double(index) * 0.25,
            text: labels[index % labels.count], optionalText: index % 3 == 0 ? nil : "n\(index)"))
      }
      try store.database.insert(batch)
      written += batch
    }
    let read = try store.database.rows(SampleRow.self, orderBy: "rowid")
    #expect(read.count == rowCount)
    for (index, row) in read.enumerated() {
      // NaN is stored as NULL.
      #expect(row.real == (index % 11 == 0 ? nil : written[index].real))
      #expect(row.integer == written[index].integer)
      #expect(row.text == written[index].text)
      #expect(row.optionalText == written[index].optionalText)
    }
  }
}
