import ResultRows
import Testing

@Suite("Run rows and sinks")
struct RunRowsTests {
  @Test("a table's rows reach the sink in batches, in emission order, and the rest at flush")
  func batches() throws {
    let sink = MemoryRunSink()
    let rows = RunRows(sink: sink, rowsPerBatch: 3)
    let metrics = rows.table(RunMetric.self)
    #expect(rows.table(RunMetric.self) === metrics, "one stream per table")
    let emitted = (0..<7).map { RunMetric(name: "m\($0)", value: $0 == 3 ? nil : Double($0), unit: "x") }
    for metric in emitted { metrics.append(metric) }
    #expect(metrics.deliveredRowCount == 6)
    #expect(metrics.bufferedRowCount == 1)
    rows.flush()
    #expect(try sink.rows(RunMetric.self) == emitted)
  }

  @Test("a non-finite number is stored as NULL, as SQLite would hold it")
  func nonFiniteNumbers() throws {
    let sink = MemoryRunSink()
    let rows = RunRows(sink: sink)
    rows.emit(RunMetric(name: "nan", value: .nan, unit: "x"))
    rows.emit(RunMetric(name: "infinite", value: .infinity, unit: "x"))
    rows.flush()
    #expect(try sink.rows(RunMetric.self).map(\.value) == [nil, nil])
  }

  @Test("text survives encoding: empty, non-ASCII, long")
  func text() throws {
    let sink = MemoryRunSink()
    let rows = RunRows(sink: sink)
    let names = ["", "Zürich ✓", String(repeating: "x", count: 5_000)]
    for name in names { rows.emit(RunMetric(name: name, value: 1, unit: name)) }
    rows.flush()
    #expect(try sink.rows(RunMetric.self).map(\.name) == names)
    #expect(try sink.rows(RunMetric.self).map(\.unit) == names)
  }
}
