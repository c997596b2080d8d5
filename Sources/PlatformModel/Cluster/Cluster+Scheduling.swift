import Policies
import SimKernel

/// Pod placement, mirroring kube-scheduler's filter and preemption steps for gangs.
///
/// - Filter: a node fits a worker when its free CPU, memory and GPUs cover the
///   requests, its pool's labels match the node selector, every taint is tolerated
///   and the capacity type is allowed (PodFitsResources, NodeSelector,
///   TaintToleration).
/// - Score: the `nodeOrder` decision point ranks the node pools once per job stream
///   at start; nodes are tried by pool tier, then first fit in node-ID order. The
///   default built-in `first-fit` puts spot nodes first for `spot-with-fallback` —
///   a bin-packing (MostAllocated-like) choice that keeps whole nodes free for gangs
///   and for scale-down.
/// - Gangs (Volcano / Kueue / coscheduling `PodGroup` with minMember = workers):
///   all workers are placed at once or none are.
/// - Preemption (kube-scheduler DefaultPreemption): a pending job may evict running
///   jobs and serving replica pods of strictly lower priority, lowest priority and
///   most recently started first, when that makes the whole gang fit and the
///   preemption policy agrees. An evicted job is requeued and resumes from its last
///   checkpoint; an evicted replica is replaced (Cluster+Serving).
/// - Pending jobs are retried whenever capacity appears (any node ready, any job
///   leaving), in queue order: the `queueOrder` decision point's sort key, asked once
///   when a job enters the queue (default `kube-scheduler`: priority, then
///   submission — PrioritySort), ties by job ID.
extension Cluster {
  mutating func schedulingPass(scheduler: inout Scheduler<WorldEvent>) {
    passScheduled = false
    if !pendingServingPods.isEmpty { placeServingPods(scheduler: &scheduler) }
    guard !pendingJobs.isEmpty else {
      if configuration.karpenter != nil && !pendingServingPods.isEmpty { requestProvisioning(scheduler: &scheduler) }
      return
    }
    let order = pendingJobs
    // Shapes (stream, priority) that already failed this pass: the same request fails again.
    var failedStreams: [Int] = []
    var started: [JobID] = []
    // Preemption is only worth simulating for jobs above the lowest running priority.
    var lowestRunningPriority = lowestRunningJobPriority
    for workload in servingWorkloads {
      if let workload { lowestRunningPriority = min(lowestRunningPriority, workload.placement.priority) }
    }
    for id in order {
      let index = Int(id.rawValue)
      let stream = jobs[index].stream
      guard compatible[stream].contains(true) else { continue }
      if failedStreams.contains(stream) { continue }
      if let placement = placement(for: index) {
        startJob(id, on: placement, scheduler: &scheduler)
        started.append(id)
        continue
      }
      if jobs[index].priority > lowestRunningPriority, let victims = preemptionVictims(for: index), !victims.isEmpty,
        policyAllowsPreemption(
          by: jobs[index].id.description, team: jobs[index].team, priority: jobs[index].priority, victims: victims,
          now: scheduler.now)
      {
        for victim in victims {
          switch victim {
          case .job(let job): interrupt(job, cause: .preemption, scheduler: &scheduler)
          case .servingPod(let pod): preemptServingPod(pod, scheduler: &scheduler)
          }
        }
        if let placement = placement(for: index) {
          startJob(id, on: placement, scheduler: &scheduler)
          started.append(id)
          continue
        }
      }
      jobs[index].pendingReason = "insufficient capacity"
      failedStreams.append(stream)
    }
    if !started.isEmpty { pendingJobs.removeAll { started.contains($0) } }
    if configuration.karpenter != nil && (!pendingJobs.isEmpty || !pendingServingPods.isEmpty) {
      requestProvisioning(scheduler: &scheduler)
    }
  }

  /// Asks the preemption policy whether a pending job or replica pod (`preemptor`, of
  /// team index `team`) may evict `victims`.
  func policyAllowsPreemption(
    by preemptor: String, team: Int, priority: Int, victims: [PreemptionVictim], now: SimTime
  ) -> Bool {
    let observation = PreemptionObservation(
      job: preemptor, team: teams[team].name, priority: priority,
      victims: victims.map { victim in
        switch victim {
        case .job(let id):
          let job = jobs[Int(id.rawValue)]
          return PreemptionObservation.Victim(
            job: id.description, team: teams[job.team].name, priority: job.priority,
            runningSeconds: (now - job.attemptStartedAt).seconds)
        case .servingPod(let id):
          let workload = servingWorkloads[Int(id.service)]
          return PreemptionObservation.Victim(
            job: id.description, team: teams[workload?.team ?? 0].name, priority: workload?.placement.priority ?? 0,
            runningSeconds: (now - servingPods[Int(id.service)][Int(id.replica)].boundAt).seconds)
        }
      })
    return policies.preemption.decide(observation, at: PolicyTime(microseconds: now.microseconds)).preempt
  }

  /// Whether pending job `lhs` goes before `rhs`: the policy's sort keys
  /// (lexicographic), then ID.
  func schedulesBefore(_ lhs: JobID, _ rhs: JobID) -> Bool {
    let left = jobs[Int(lhs.rawValue)].queueKey
    let right = jobs[Int(rhs.rawValue)].queueKey
    if left.first != right.first { return left.first < right.first }
    if left.second != right.second { return left.second < right.second }
    if left.rest != right.rest { return left.rest.lexicographicallyPrecedes(right.rest) }
    return lhs.rawValue < rhs.rawValue
  }

  /// Adds a job to the pending queue, keeping it in scheduling order (binary insertion):
  /// asks the `queueOrder` policy once for the job's sort key.
  mutating func enqueuePending(_ id: JobID, now: SimTime) {
    let index = Int(id.rawValue)
    let observation = QueueOrderObservation(
      job: id.description, team: teams[jobs[index].team].name, priority: jobs[index].priority,
      submittedSeconds: (jobs[index].submittedAt - SimTime.zero).seconds, workers: jobs[index].workerCount,
      gpusPerWorker: Int(jobs[index].perWorker.gpuCount), interruptions: jobs[index].interruptions,
      preemptions: jobs[index].preemptions)
    jobs[index].queueKey = QueueKey(
      sortKey: policies.queueOrder.decide(observation, at: PolicyTime(microseconds: now.microseconds)).sortKey)
    var low = 0
    var high = pendingJobs.count
    while low < high {
      let middle = (low + high) / 2
      if schedulesBefore(pendingJobs[middle], id) { low = middle + 1 } else { high = middle }
    }
    pendingJobs.insert(id, at: low)
  }

  /// Whether node `nodeIndex` may host a worker of `stream` (ignoring free resources).
  func nodeAccepts(_ nodeIndex: Int, stream: Int) -> Bool {
    compatible[stream][nodes[nodeIndex].pool] && jobRequestFits(stream: stream, capacity: nodes[nodeIndex].capacity)
  }

  func jobRequestFits(stream: Int, capacity: Resources) -> Bool {
    streams[stream].stream.perWorker.fits(in: capacity)
  }

  /// Candidate nodes for a job in preference order: pool tier (the `nodeOrder`
  /// policy's, asked once per stream), then node ID.
  ///
  /// Plain loops over local copies: this is the scheduler's hot path. Two tiers (the
  /// built-in's spot-then-on-demand) need no sort.
  func candidateNodes(stream: Int) -> [Int] {
    let allowedPools = compatible[stream]
    let request = streams[stream].stream.perWorker
    let tiers = poolTiers[stream]
    let ranked = maximumPoolTier[stream] > 0
    let nodes = self.nodes
    var preferred: [Int] = []
    var fallback: [Int] = []
    for id in schedulableNodes {
      let nodeIndex = Int(id.rawValue)
      guard allowedPools[nodes[nodeIndex].pool], request.fits(in: nodes[nodeIndex].capacity) else { continue }
      if ranked && tiers[nodes[nodeIndex].pool] > 0 {
        fallback.append(nodeIndex)
      } else {
        preferred.append(nodeIndex)
      }
    }
    if maximumPoolTier[stream] > 1 {
      fallback.sort { (tiers[nodes[$0].pool], $0) < (tiers[nodes[$1].pool], $1) }
    }
    return preferred + fallback
  }

  /// A node for each worker, or `nil` if the gang does not fit now.
  func placement(for index: Int) -> [NodeID]? {
    let request = jobs[index].perWorker
    var remaining = jobs[index].workerCount
    var chosen: [NodeID] = []
    let nodes = self.nodes
    for nodeIndex in candidateNodes(stream: jobs[index].stream) {
      var free = nodes[nodeIndex].capacity - nodes[nodeIndex].allocated
      while remaining > 0 && request.fits(in: free) {
        chosen.append(nodes[nodeIndex].id)
        free = free - request
        remaining -= 1
      }
      if remaining == 0 { return chosen }
    }
    return nil
  }

  /// Running jobs and replica pods to evict so the gang fits, or `nil` if even that is
  /// not enough.
  func preemptionVictims(for index: Int) -> [PreemptionVictim]? {
    // Local copies (one retain each) keep closures from copying the whole cluster.
    let jobs = self.jobs
    let nodes = self.nodes
    let priority = jobs[index].priority
    let request = jobs[index].perWorker
    let candidates = candidateNodes(stream: jobs[index].stream)
    var free = candidates.map { nodes[$0].capacity - nodes[$0].allocated }
    var victims: [PreemptionVictim] = []
    var remaining = jobs[index].workerCount
    for slot in candidates.indices {
      while remaining > 0 && request.fits(in: free[slot]) {
        free[slot] = free[slot] - request
        remaining -= 1
      }
    }
    for slot in candidates.indices where remaining > 0 {
      let nodeIndex = candidates[slot]
      for victim in preemptionCandidates(onNode: nodeIndex, below: priority, includingReplicas: true)
      where !victims.contains(victim) {
        if request.fits(in: free[slot]) { break }
        victims.append(victim)
        switch victim {
        case .job(let victim):
          let victimJob = jobs[Int(victim.rawValue)]
          for node in victimJob.nodes {
            // Victims are few: a linear search beats a node-indexed table per call.
            if let other = candidates.firstIndex(of: Int(node.rawValue)) {
              free[other] = free[other] + victimJob.perWorker
            }
          }
        case .servingPod(let pod):
          if let workload = servingWorkloads[Int(pod.service)] { free[slot] = free[slot] + workload.placement.perReplica }
        }
      }
      while remaining > 0 && request.fits(in: free[slot]) {
        free[slot] = free[slot] - request
        remaining -= 1
      }
    }
    return remaining == 0 ? victims : nil
  }
}

extension Cluster {
  /// The lowest priority among running training jobs (`Int.max` when none runs).
  var lowestRunningJobPriority: Int {
    var lowest = Int.max
    for job in runningJobs { lowest = min(lowest, jobs[Int(job.rawValue)].priority) }
    return lowest
  }

  /// The pods on node `nodeIndex` of priority below `priority`, in the order
  /// kube-scheduler's DefaultPreemption evicts them: lowest priority first, then the most
  /// recently started. A job appears once whatever its workers there; replica pods only
  /// `includingReplicas`.
  func preemptionCandidates(onNode nodeIndex: Int, below priority: Int, includingReplicas: Bool) -> [PreemptionVictim] {
    var candidates: [(victim: PreemptionVictim, priority: Int, startedAt: SimTime)] = []
    for job in nodes[nodeIndex].pods where jobs[Int(job.rawValue)].priority < priority {
      let victim = PreemptionVictim.job(job)
      if !candidates.contains(where: { $0.victim == victim }) {
        candidates.append((victim, jobs[Int(job.rawValue)].priority, jobs[Int(job.rawValue)].attemptStartedAt))
      }
    }
    if includingReplicas {
      for pod in nodes[nodeIndex].servingPods {
        guard let workload = servingWorkloads[Int(pod.service)], workload.placement.priority < priority else { continue }
        candidates.append(
          (.servingPod(pod), workload.placement.priority, servingPods[Int(pod.service)][Int(pod.replica)].boundAt))
      }
    }
    candidates.sort { lhs, rhs in
      if lhs.priority != rhs.priority { return lhs.priority < rhs.priority }
      return lhs.startedAt > rhs.startedAt
    }
    return candidates.map(\.victim)
  }
}

/// What a preemption evicts: a training job (all its pods) or one serving replica pod.
enum PreemptionVictim: Equatable {
  case job(JobID)
  case servingPod(ServingPodID)
}

/// A `queueOrder` sort key with its first two elements inline: the built-in's key is
/// (−priority, submission), so the scheduler's comparisons touch no heap memory.
/// Missing elements compare as −∞, so a prefix sorts first, as lexicographic order.
struct QueueKey {
  var first: Double
  var second: Double
  var rest: [Double]

  init(sortKey: [Double]) {
    first = sortKey.first ?? -.infinity
    second = sortKey.count > 1 ? sortKey[1] : -.infinity
    rest = sortKey.count > 2 ? Array(sortKey.dropFirst(2)) : []
  }
}
