import Policies
import SimKernel

/// Pools that sleep outside weekly windows, as the dev-schedule policy decides at
/// each window change (dev pools scaled to zero at night and at
/// weekends), read on the scenario's local clock.
///
/// At the window's end the pool's desired size drops to zero and its nodes are
/// removed at once; their jobs are evicted and requeued. At the window's start the
/// pool returns to its configured desired size (at least its minimum).
extension Cluster {
  mutating func poolScheduleChanged(_ pool: Int, scheduler: inout Scheduler<WorldEvent>, calendar: SimCalendar) {
    let config = configuration.nodePools[pool]
    guard let schedule = config.activeSchedule else { return }
    let withinWindow = schedule.contains(scheduler.now, calendar: calendar)
    let active = scheduleDecision(pool, withinWindow: withinWindow, now: scheduler.now)
    if active && !pools[pool].scheduleActive {
      accrueScheduleSavings(pool: pool, until: scheduler.now)
      pools[pool].scheduleActive = true
      pools[pool].scheduleOffSince = nil
      pools[pool].desired = max(config.minNodes, config.desiredNodes)
      reconcile(pool: pool, scheduler: &scheduler)
    } else if !active && pools[pool].scheduleActive {
      pools[pool].scheduleActive = false
      pools[pool].nodesAtScheduleOff = max(config.minNodes, liveNodeCount(pool: pool))
      pools[pool].scheduleOffSince = scheduler.now
      pools[pool].desired = 0
      pools[pool].queuedTypes = []
      for id in activeNodes where nodes[Int(id.rawValue)].pool == pool {
        terminateNode(id, reason: .schedule, scheduler: &scheduler)
      }
    }
    if let next = schedule.nextChange(after: scheduler.now, calendar: calendar) {
      scheduler.schedule(.cluster(.poolScheduleChange(PoolID(Int32(pool)))), at: next)
    }
  }

  /// Asks the dev-schedule policy whether `pool` is awake (by default: exactly inside
  /// its weekly windows).
  func scheduleDecision(_ pool: Int, withinWindow: Bool, now: SimTime) -> Bool {
    let config = configuration.nodePools[pool]
    let observation = DevScheduleObservation(
      pool: config.name, withinWindow: withinWindow, active: pools[pool].scheduleActive,
      liveNodes: liveNodeCount(pool: pool), desiredNodes: config.desiredNodes, minNodes: config.minNodes,
      localTime: calendar.formatted(now))
    return policies.devSchedule.decide(observation, at: PolicyTime(microseconds: now.microseconds)).active
  }
}
