import Policies
import SimKernel

/// What a preemption evicts: a training job (all its pods) or one serving replica pod.
enum PreemptionVictim: Equatable {
  case job(JobID)
  case servingPod(ServingPodID)
}

/// Preemption after kube-scheduler's DefaultPreemption: a pending job may evict
/// running jobs and serving replica pods of strictly lower priority, lowest priority
/// and most recently started first, when that makes the whole gang fit and the
/// preemption policy agrees; a pending replica pod may evict training jobs the same
/// way. An evicted job is requeued and resumes from its last checkpoint; an evicted
/// replica is replaced (``ServingPods``). PodDisruptionBudgets are not modelled.
extension Cluster {
  /// Asks the preemption policy whether a pending job or replica pod (`preemptor`, of
  /// team `team`) may evict `victims`.
  func policyAllowsPreemption(
    by preemptor: String, team: TeamID, priority: Int, victims: [PreemptionVictim], now: SimTime
  ) -> Bool {
    let observation = PreemptionObservation(
      job: preemptor, team: teams[team].name, priority: priority,
      victims: victims.map { victim in
        switch victim {
        case .job(let id):
          let job = training.jobs[id]
          return PreemptionObservation.Victim(
            job: id.description, team: teams[job.team].name, priority: job.priority,
            runningSeconds: (now - job.attemptStartedAt).seconds)
        case .servingPod(let id):
          let workload = servingPods.workloads[id.service]
          return PreemptionObservation.Victim(
            job: id.description, team: teams[workload?.team ?? TeamID(0)].name,
            priority: workload?.placement.priority ?? 0, runningSeconds: (now - servingPods[id].boundAt).seconds)
        }
      })
    return policies.preemption.decide(observation, at: PolicyTime(microseconds: now.microseconds)).preempt
  }

  /// Running jobs and replica pods to evict so that pending job `id`'s gang fits, or
  /// `nil` if even that is not enough.
  func preemptionVictims(for id: JobID) -> [PreemptionVictim]? {
    // Local copies (one retain each) keep closures from copying the whole cluster.
    let jobs = training.jobs
    let nodes = nodeTable.nodes
    let priority = jobs[id].priority
    let request = jobs[id].perWorker
    let candidates = podScheduler.candidateNodes(stream: jobs[id].stream, in: nodeTable)
    var free = candidates.map { nodes[$0].free }
    var victims: [PreemptionVictim] = []
    var remaining = jobs[id].workerCount
    for slot in candidates.indices {
      while remaining > 0 && request.fits(in: free[slot]) {
        free[slot] = free[slot] - request
        remaining -= 1
      }
    }
    for slot in candidates.indices where remaining > 0 {
      for victim in preemptionCandidates(onNode: candidates[slot], below: priority, includingReplicas: true)
      where !victims.contains(victim) {
        if request.fits(in: free[slot]) { break }
        victims.append(victim)
        switch victim {
        case .job(let victim):
          let victimJob = jobs[victim]
          for node in victimJob.nodes {
            // Victims are few: a linear search beats a node-indexed table per call.
            if let other = candidates.firstIndex(of: node) { free[other] = free[other] + victimJob.perWorker }
          }
        case .servingPod(let pod):
          if let workload = servingPods.workloads[pod.service] {
            free[slot] = free[slot] + workload.placement.perReplica
          }
        }
      }
      while remaining > 0 && request.fits(in: free[slot]) {
        free[slot] = free[slot] - request
        remaining -= 1
      }
    }
    return remaining == 0 ? victims : nil
  }

  /// The pods on `node` of priority below `priority`, in DefaultPreemption's order.
  ///
  /// Lowest priority first, then the most recently started. A job appears once whatever its workers there; replica pods only
  /// `includingReplicas`.
  func preemptionCandidates(onNode node: NodeID, below priority: Int, includingReplicas: Bool) -> [PreemptionVictim] {
    // Most nodes hold nothing of lower priority: answer that without building and
    // sorting a list (preemption asks this of every candidate node).
    guard nodeHoldsPods(node, below: priority, includingReplicas: includingReplicas) else { return [] }
    var candidates: [(victim: PreemptionVictim, priority: Int, startedAt: SimTime)] = []
    for job in nodeTable[node].workers where training.jobs[job].priority < priority {
      let victim = PreemptionVictim.job(job)
      if !candidates.contains(where: { $0.victim == victim }) {
        candidates.append((victim, training.jobs[job].priority, training.jobs[job].attemptStartedAt))
      }
    }
    if includingReplicas {
      for pod in nodeTable[node].servingPods {
        guard let workload = servingPods.workloads[pod.service], workload.placement.priority < priority else {
          continue
        }
        candidates.append((.servingPod(pod), workload.placement.priority, servingPods[pod].boundAt))
      }
    }
    candidates.sort { lhs, rhs in
      if lhs.priority != rhs.priority { return lhs.priority < rhs.priority }
      return lhs.startedAt > rhs.startedAt
    }
    return candidates.map(\.victim)
  }

  /// Whether any pod on `node` (replica pods only `includingReplicas`) has priority below `priority`.
  func nodeHoldsPods(_ node: NodeID, below priority: Int, includingReplicas: Bool) -> Bool {
    for job in nodeTable[node].workers where training.jobs[job].priority < priority { return true }
    guard includingReplicas else { return false }
    for pod in nodeTable[node].servingPods {
      if let workload = servingPods.workloads[pod.service], workload.placement.priority < priority { return true }
    }
    return false
  }

  /// The node and the training jobs to evict there so that a replica of `request` and
  /// `priority` fits, or `nil`.
  ///
  /// On each Ready node of an allowed pool, lower-priority pods go lowest priority and
  /// most recently started first until the pod fits (a job's pods go together: its gang
  /// fails without them); among such nodes the one whose highest-priority victim is
  /// lowest, then with the smallest sum of victim priorities, then the fewest victims,
  /// then the first by ID (`pickOneNodeForPreemption`). Replicas do not preempt replicas.
  func servingPreemption(for request: Resources, allowedPools: IDArray<PoolID, Bool>, priority: Int)
    -> (node: NodeID, victims: [JobID])?
  {
    var best: (node: NodeID, victims: [JobID], key: (Int, Int, Int))?
    for id in nodeTable.schedulable {
      guard allowedPools[nodeTable[id].pool], request.fits(in: nodeTable[id].capacity) else { continue }
      let candidates = preemptionCandidates(onNode: id, below: priority, includingReplicas: false)
      guard !candidates.isEmpty else { continue }
      var free = nodeTable[id].free
      var victims: [JobID] = []
      for case .job(let victim) in candidates {
        if request.fits(in: free) { break }
        victims.append(victim)
        let job = training.jobs[victim]
        for worker in job.nodes where worker == id { free = free + job.perWorker }
      }
      guard request.fits(in: free) else { continue }
      let priorities = victims.map { training.jobs[$0].priority }
      let key = (priorities.max() ?? Int.min, priorities.reduce(0, +), victims.count)
      if let current = best, !(key < current.key) { continue }
      best = (id, victims, key)
    }
    return best.map { ($0.node, $0.victims) }
  }
}
