import ResultRows

extension KPIRow {
  /// A KPI's row, with whether it met its target.
  init(_ kpi: KPIValue) {
    self.init(
      name: kpi.name, value: kpi.value, valueText: kpi.text, unit: kpi.unit, target: kpi.target,
      comparison: kpi.comparison?.rawValue, met: kpi.met,
      definitionSource: kpi.source.rawValue)
  }
}
