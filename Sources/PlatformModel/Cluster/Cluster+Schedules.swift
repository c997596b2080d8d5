import SimKernel

/// Pools that sleep outside weekly windows (dev pools scaled to zero at night and at
/// weekends), read on the scenario's local clock.
///
/// At the window's end the pool's desired size drops to zero and its nodes are
/// removed at once; their jobs are evicted and requeued. At the window's start the
/// pool returns to its configured desired size (at least its minimum).
extension Cluster {
  mutating func poolScheduleChanged(_ pool: Int, scheduler: inout Scheduler<WorldEvent>, calendar: SimCalendar) {
    let config = configuration.nodePools[pool]
    guard let schedule = config.activeSchedule else { return }
    let active = schedule.contains(scheduler.now, calendar: calendar)
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
}
