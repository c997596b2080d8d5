/// Every results table PlatformSim writes, by its row type.
///
/// A test holds the SQLite migrations to this list: each table they create has a row
/// type here with the same columns, in the same order, of the same types and
/// nullability (`Tests/ResultStoreTests/SchemaDeclarationTests.swift`).
public enum ResultTables {
  /// Row types in the order of the migrations that created their tables.
  public static let rowTypes: [any ResultRow.Type] = [
    RunRow.self, RunMetric.self, RunnerJobRow.self,
    ChangeRow.self, DeploymentRow.self, DeploymentChangeRow.self, IncidentRow.self, IncidentChangeRow.self,
    PipelineStageRow.self, ServiceTrafficRow.self, KPIRow.self,
    ClusterNodeRow.self, TrainingJobRow.self, CostAllocationRow.self, ClusterPodRow.self,
    AlertRow.self, AlertNotificationRow.self, SeriesRow.self, SeriesSampleRow.self, ModelVersionRow.self,
    ExperimentRow.self, SweepPointRow.self, ExperimentKPIRow.self, ExperimentDifferenceRow.self, GateResultRow.self,
    PolicyFaultRow.self, PolicyLogRow.self,
    ServingPodRow.self,
    TraceItemRow.self, TraceAllocationRow.self,
  ]

  /// Every table as sinks see it, in the order of ``rowTypes``.
  public static var all: [TableDescription] { rowTypes.map { $0.tableDescription } }
}
