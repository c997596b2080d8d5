import ResultRows
import Testing

/// A row type of ``ResultTables/rowTypes``, named by its table for test output.
struct RowTypeCase: Sendable, CustomStringConvertible {
  let type: any ResultRow.Type
  var description: String { type.tableDescription.name }
}

/// Values for every column of `table`, distinct between columns of one storage class
/// in the variants that can be: `variant` 0…4 give integer columns the bits of their
/// position (so two booleans swapped show in one of them), 5 distinct numbers and
/// texts, 6 NULL wherever a column allows it.
func sampleValues(_ table: TableDescription, variant: Int) -> [StoredValue] {
  table.columns.enumerated().map { index, column in
    if variant == 6 && column.isNullable { return .null }
    // Columns whose type is an enumeration take one of its values.
    if table.name == "runs" && column.name == "status" {
      return .text(variant.isMultiple(of: 2) ? "completed" : "stopped")
    }
    switch column.storage {
    case .integer: return .integer(variant < 5 ? Int64((index >> variant) & 1) : 1_000 + Int64(index))
    case .real: return .real(Double(index) + 0.25 + Double(variant))
    case .text: return .text("column-\(index)-\(variant)")
    }
  }
}

@Suite("Row types")
struct RowCodingTests {
  static let cases = ResultTables.rowTypes.map(RowTypeCase.init)

  @Test("encode(to:) writes each declared column's value, in the declared order", arguments: cases)
  func encodingFollowsTheDeclaration(_ rowType: RowTypeCase) throws {
    try checkEncoding(rowType.type)
  }

  func checkEncoding<Row: ResultRow>(_ type: Row.Type) throws {
    let table = Row.table
    for variant in 0...6 {
      let row = try Row(from: RowReader(valuesInColumnOrder: sampleValues(table.description, variant: variant)))
      var encoder = RowEncoder()
      row.encode(to: &encoder)
      #expect(encoder.fieldCount == table.columns.count, "\(table.name): one field per column")
      let encoded = (0..<encoder.fieldCount).map { encoder.value(at: $0) }
      #expect(encoded == table.values(of: row), "\(table.name), variant \(variant): encode(to:) and the table disagree")
    }
  }

  @Test("a row read back from its encoding equals the row", arguments: cases)
  func roundTrip(_ rowType: RowTypeCase) throws {
    try checkRoundTrip(rowType.type)
  }

  func checkRoundTrip<Row: ResultRow>(_ type: Row.Type) throws {
    for variant in 0...6 {
      let row = try Row(from: RowReader(valuesInColumnOrder: sampleValues(Row.table.description, variant: variant)))
      let sink = MemoryRunSink()
      let rows = RunRows(sink: sink)
      rows.emit(row)
      rows.flush()
      #expect(try sink.rows(Row.self) == [row])
    }
  }

  @Test("columns are found by name, whatever order a reader hands them in")
  func readsByName() throws {
    let table = RunnerJobRow.table
    let values = sampleValues(table.description, variant: 5)
    let inOrder = try RunnerJobRow(from: RowReader(valuesInColumnOrder: values))
    let names = table.columns.map(\.name)
    let reversed = try RunnerJobRow(
      from: RowReader(names: names.reversed() + ["extra"], values: values.reversed() + [.null]))
    #expect(reversed == inOrder)
    #expect(inOrder.jobID == 1_000 && inOrder.queuedAt == 3.25 + 5)
  }

  @Test("a missing column or a value of the wrong type names its table and column")
  func decodingErrors() {
    #expect {
      try RunMetric(from: RowReader(names: ["name", "unit"], values: [.text("x"), .text("u")]))
    } throws: { error in
      (error as? RowDecodingError)?.description == "run_metrics.value: no such column was read"
    }
    #expect {
      try RunMetric(from: RowReader(valuesInColumnOrder: [.text("x"), .real(1), .null]))
    } throws: { error in
      (error as? RowDecodingError)?.description == "run_metrics.unit: found NULL, expected TEXT"
    }
  }

  @Test("every table is declared by exactly one row type, its columns once each")
  func tablesAreDeclaredOnce() {
    let names = ResultTables.all.map(\.name)
    #expect(Set(names).count == names.count)
    for table in ResultTables.all {
      #expect(Set(table.storedColumns.map(\.name)).count == table.storedColumns.count, "\(table.name)")
    }
  }
}
