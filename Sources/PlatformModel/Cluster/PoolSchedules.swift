import Policies
import SimKernel

/// Events of the pools' weekly schedules.
public enum PoolScheduleEvent: Sendable {
  /// A pool's weekly window opens or closes.
  case windowChange(PoolID)
}

/// Pools that sleep outside weekly windows — dev pools scaled to zero at night and at
/// weekends —, as the dev-schedule policy decides at each window change, read on the
/// scenario's local clock.
///
/// At the window's end the pool's desired size drops to zero and its nodes are
/// removed at once; their jobs are evicted and requeued. At the window's start the
/// pool returns to its configured desired size (at least its minimum). The node-time
/// a schedule kept switched off is reported as savings.
struct PoolSchedules {
  struct State {
    var active = true
    /// Nodes the pool had when it was switched off (at least its minimum).
    var nodesAtSwitchOff = 0
    var offSince: SimTime?
    var savedNodeSeconds = 0.0
    var savedMicroUSD: MicroUSD = 0
  }

  private(set) var states: IDArray<PoolID, State>

  init(poolCount: Int) { states = IDArray(repeating: State(), count: poolCount) }

  func isActive(_ pool: PoolID) -> Bool { states[pool].active }

  mutating func switchOff(_ pool: PoolID, nodes: Int, at time: SimTime) {
    states[pool].active = false
    states[pool].nodesAtSwitchOff = nodes
    states[pool].offSince = time
  }

  mutating func switchOn(_ pool: PoolID) {
    states[pool].active = true
    states[pool].offSince = nil
  }

  /// Adds the node-time saved since the last accrual: the nodes at switch-off × the
  /// time off, priced at `priceUSDPerHour` (the pool's first type).
  mutating func accrueSavings(_ pool: PoolID, until time: SimTime, priceUSDPerHour: Double) {
    guard let since = states[pool].offSince else { return }
    let off = time - since
    let count = states[pool].nodesAtSwitchOff
    states[pool].savedNodeSeconds += Double(count) * off.seconds
    states[pool].savedMicroUSD +=
      CostMath.cost(microUSDPerHour: MicroUSD((priceUSDPerHour * 1_000_000).rounded()), duration: off) * MicroUSD(count)
    states[pool].offSince = time
  }

  var savedNodeSeconds: Double { states.reduce(0.0) { $0 + $1.savedNodeSeconds } }
  var savedMicroUSD: MicroUSD { states.reduce(0 as MicroUSD) { $0 + $1.savedMicroUSD } }
}

/// Window changes across components: the pool's desired size, its nodes, savings.
extension Cluster {
  mutating func handle(_ event: PoolScheduleEvent, scheduler: inout Scheduler<WorldEvent>, calendar: SimCalendar) {
    switch event {
    case .windowChange(let pool): poolScheduleChanged(pool, scheduler: &scheduler, calendar: calendar)
    }
  }

  /// At the start of the run: a pool outside its window starts switched off; its next
  /// window change is scheduled.
  mutating func startSchedule(of pool: PoolID, scheduler: inout Scheduler<WorldEvent>, calendar: SimCalendar) {
    let config = nodePools.configurations[pool]
    guard let schedule = config.activeSchedule else { return }
    let withinWindow = schedule.contains(scheduler.now, calendar: calendar)
    if !scheduleDecision(pool, withinWindow: withinWindow, now: scheduler.now) {
      poolSchedules.switchOff(pool, nodes: max(config.minNodes, config.desiredNodes), at: scheduler.now)
      nodePools.setDesired(pool, 0)
    }
    if let next = schedule.nextChange(after: scheduler.now, calendar: calendar) {
      scheduler.schedule(.cluster(.poolSchedules(.windowChange(pool))), at: next)
    }
  }

  mutating func poolScheduleChanged(_ pool: PoolID, scheduler: inout Scheduler<WorldEvent>, calendar: SimCalendar) {
    let config = nodePools.configurations[pool]
    guard let schedule = config.activeSchedule else { return }
    let withinWindow = schedule.contains(scheduler.now, calendar: calendar)
    let active = scheduleDecision(pool, withinWindow: withinWindow, now: scheduler.now)
    if active && !poolSchedules.isActive(pool) {
      accrueScheduleSavings(pool: pool, until: scheduler.now)
      poolSchedules.switchOn(pool)
      nodePools.setDesired(pool, max(config.minNodes, config.desiredNodes))
      reconcile(pool: pool, scheduler: &scheduler)
    } else if !active && poolSchedules.isActive(pool) {
      poolSchedules.switchOff(pool, nodes: max(config.minNodes, nodePools.liveCount(pool)), at: scheduler.now)
      nodePools.setDesired(pool, 0)
      nodePools.clearQueuedTypes(pool)
      for id in nodeTable.active where nodeTable[id].pool == pool {
        terminateNode(id, reason: .schedule, scheduler: &scheduler)
      }
    }
    if let next = schedule.nextChange(after: scheduler.now, calendar: calendar) {
      scheduler.schedule(.cluster(.poolSchedules(.windowChange(pool))), at: next)
    }
  }

  /// Asks the dev-schedule policy whether `pool` is awake (by default: exactly inside
  /// its weekly windows).
  func scheduleDecision(_ pool: PoolID, withinWindow: Bool, now: SimTime) -> Bool {
    let config = nodePools.configurations[pool]
    let observation = DevScheduleObservation(
      pool: config.name, withinWindow: withinWindow, active: poolSchedules.isActive(pool),
      liveNodes: nodePools.liveCount(pool), desiredNodes: config.desiredNodes, minNodes: config.minNodes,
      localTime: calendar.formatted(now))
    return policies.devSchedule.decide(observation, at: PolicyTime(microseconds: now.microseconds)).active
  }

  /// Node-time a schedule kept switched off, priced at the pool's first type.
  mutating func accrueScheduleSavings(pool: PoolID, until time: SimTime) {
    guard let type = nodePools.instanceTypes[pool].first else { return }
    let price = configuration.catalogue.types[type].priceUSDPerHour(nodePools.configurations[pool].capacityType)
    poolSchedules.accrueSavings(pool, until: time, priceUSDPerHour: price)
  }
}
