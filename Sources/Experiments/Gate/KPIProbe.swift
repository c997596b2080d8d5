import PlatformModel
import Scenario
import SimKernel

/// The KPI and metric names a scenario's runs report, found by a short run that
/// writes nothing.
///
/// Names depend on the scenario (pools, teams, CI stages), not on what happens, so a
/// simulated hour is enough; checking a gate's rules against them first means a typo
/// is reported (exit 2) before any replication is spent.
public enum KPIProbe {
  /// Numeric `kpis.name` values, then `run_metrics.name` values, in the order runs write them.
  public static func names(of document: ScenarioDocument) -> [String] {
    let duration = SimDuration.hours(1)
    let configuration = document.worldConfiguration(duration: duration)
    var simulation = Simulation(model: World(configuration: configuration, rows: nil))
    simulation.model.start(scheduler: &simulation.scheduler)
    let outcome = simulation.run(until: .zero + duration, limits: RunLimits(), wallClockSeconds: { 0 })
    simulation.model.recordUnfinished(endTime: outcome.finalTime)
    var names = simulation.model.kpis(endTime: outcome.finalTime).filter { $0.text == nil }.map(\.name)
    for metric in simulation.model.metrics(endTime: outcome.finalTime) where !names.contains(metric.name) {
      names.append(metric.name)
    }
    return names
  }
}
