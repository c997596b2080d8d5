import Policies
import SimKernel

/// Replays a trace on a cluster of its own nodes.
///
/// Each item is submitted at its time,
/// waits in kube-scheduler's queue order (priority, then submission — PrioritySort)
/// until a scheduling pass finds room for all its workers, holds its resources for its
/// recorded duration, and leaves. Items the trace never scheduled wait and are
/// withdrawn at their recorded deletion, never placed (their recorded phase is
/// honoured). Deterministic: integer time, (time, priority, sequence) event order, ties
/// in placement by node index, randomness only from named streams.
public enum TraceReplay {
  /// Runs the replay.
  ///
  /// With `nodeOrder` (an external `gpuNodeOrder` policy) each pod's node is the
  /// policy's choice among the nodes that fit it; a `null` answer leaves the choice to
  /// `configuration.scoring`.
  public static func run(
    items: [ReplayItem], nodes: [ReplayNodeSpec], configuration: ReplayConfiguration,
    nodeOrder: (any GPUNodeOrderPolicy)? = nil
  ) -> TraceReplayResult {
    var engine = ReplayEngine(
      items: arrivals(
        items, mode: configuration.mode, seed: configuration.seed,
        clusterGPUMilli: nodes.reduce(0) { $0 + $1.gpus * 1000 }), nodes: nodes,
      configuration: configuration)
    engine.nodeOrder = nodeOrder
    return engine.run()
  }

  /// The items as the mode submits them, in submission order (stable).
  ///
  /// - Parameter clusterGPUMilli: the cluster's GPU capacity in thousandths, which
  ///   `fill` sizes the workload against.
  public static func arrivals(_ items: [ReplayItem], mode: ReplayMode, seed: RandomSeed, clusterGPUMilli: Int = 0)
    -> [ReplayItem]
  {
    var result: [ReplayItem]
    switch mode {
    case .exact: result = items
    case .timeScaled(let factor):
      result = items.map { item in
        var scaled = item
        scaled.submit = SimTime(microseconds: Int64((Double(item.submit.microseconds) / factor).rounded()))
        scaled.withdrawal = item.withdrawal.map { scaled.submit + ($0 - item.submit) }
        return scaled
      }
    case .bootstrapDays:
      let day = SimDuration.days(1).microseconds
      let days = Int((items.map(\.submit.microseconds).max() ?? 0) / day) + 1
      var byDay: [[ReplayItem]] = Array(repeating: [], count: days)
      for item in items { byDay[Int(item.submit.microseconds / day)].append(item) }
      var stream = seed.stream("trace/bootstrap-days")
      result = []
      for target in 0..<days {
        let source = stream.nextInt(below: days)
        let shift = SimDuration(microseconds: Int64(target - source) * day)
        for item in byDay[source] {
          var copy = item
          copy.name = "\(item.name)@day\(target)"
          copy.submit = item.submit + shift
          copy.withdrawal = item.withdrawal.map { $0 + shift }
          result.append(copy)
        }
      }
    case .bootstrapJobs:
      var stream = seed.stream("trace/bootstrap-jobs")
      result = items.indices.map { index in
        let source = items[stream.nextInt(below: items.count)]
        var copy = source
        copy.name = "\(source.name)#\(index)"
        copy.submit = items[index].submit
        copy.withdrawal = source.withdrawal.map { items[index].submit + ($0 - source.submit) }
        return copy
      }
    case .fill(let ratio):
      result = fill(items, ratio: ratio, clusterGPUMilli: clusterGPUMilli, seed: seed)
    }
    let order = result.indices.sorted { (result[$0].submit, $0) < (result[$1].submit, $1) }
    return order.map { result[$0] }
  }
}

extension TraceReplay {
  /// The FGD paper's workload (``ReplayMode/fill(ratio:)``).
  ///
  /// As the simulator does it: pods sorted by name and shuffled
  /// (`SortClusterPods`, Go's `rand.Shuffle` is Fisher–Yates from the end); then while
  /// the GPU requests exceed the target a random pod is removed (`tuneDownPods`), or
  /// else random pods of the original list are appended, named `<name>-fill-<i>`, until
  /// the next would exceed it (`tuneUpPods`). A pod's GPU request is its workers ×
  /// GPUs × thousandths. Our streams are not Go's, so the draws differ from the
  /// paper's seeds 42–51; the comparison is statistical (docs/VALIDATION.md).
  static func fill(_ items: [ReplayItem], ratio: Double, clusterGPUMilli: Int, seed: RandomSeed) -> [ReplayItem] {
    guard !items.isEmpty else { return [] }
    var stream = seed.stream("trace/fill")
    var workload = items.indices.sorted { (items[$0].name, $0) < (items[$1].name, $1) }.map { items[$0] }
    for index in stride(from: workload.count - 1, to: 0, by: -1) {
      workload.swapAt(index, stream.nextInt(below: index + 1))
    }
    func gpuMilli(_ item: ReplayItem) -> Int { item.request.gpuMilliTotal * max(1, item.gangSize) }
    let target = ratio * Double(clusterGPUMilli)
    var total = workload.reduce(0) { $0 + gpuMilli($1) }
    if Double(total) > target {
      while Double(total) > target && !workload.isEmpty {
        total -= gpuMilli(workload.remove(at: stream.nextInt(below: workload.count)))
      }
    } else if items.contains(where: { gpuMilli($0) > 0 }) {
      // A list without GPU requests never reaches a GPU target: nothing to add.
      var drawn = 0
      while true {
        let source = items[stream.nextInt(below: items.count)]
        guard Double(total + gpuMilli(source)) <= target else { break }
        var copy = source
        copy.name = "\(source.name)-fill-\(drawn)"
        workload.append(copy)
        total += gpuMilli(source)
        drawn += 1
      }
    }
    return workload.map { item in
      var submitted = item
      submitted.submit = .zero
      submitted.withdrawal = nil
      submitted.duration = nil
      submitted.holdsUntilEnd = true
      return submitted
    }
  }
}

enum ReplayEvent {
  case arrival(Int)
  case finish(Int)
  case withdraw(Int)
  case pass
  case sample
}

struct ReplayEngine {
  let items: [ReplayItem]
  let configuration: ReplayConfiguration
  let placement: GPUPlacement
  /// The external `gpuNodeOrder` policy, when one is selected (docs/POLICY-PROTOCOL.md).
  var nodeOrder: (any GPUNodeOrderPolicy)?
  var now = SimTime.zero
  var table: SharedGPUNodeTable
  var queue = EventQueue<ReplayEvent>()
  var outcomes: [ReplayOutcome]
  var allocations: [[(node: Int, gpus: [Int])]]
  /// Items waiting to be placed, in queue order.
  var pending: [Int] = []
  var waitingRecorded = 0
  var running = 0
  var passScheduled = false
  /// Expected fragmentation of each node, kept current on every change.
  var fragmentation: [Double]
  var candidates: [GPUPodRequest: [Int]] = [:]
  var samples: [GPUAllocationSample] = []
  var allocatedGPUMilli = 0
  var allocatedCPUMilli: Int64 = 0
  let totalGPUMilli: Int

  init(items: [ReplayItem], nodes: [ReplayNodeSpec], configuration: ReplayConfiguration) {
    self.items = items
    self.configuration = configuration
    let initial = SharedGPUNodeTable(nodes)
    table = initial
    let classes = WorkloadClass.popular(in: items.map(\.request))
    placement = GPUPlacement(scoring: configuration.scoring, classes: classes)
    fragmentation = nodes.indices.map {
      GPUFragmentation.expected(free: initial.free[$0], spec: nodes[$0], classes: classes)
    }
    totalGPUMilli = nodes.reduce(0) { $0 + $1.gpus * 1000 }
    outcomes = items.map { item in
      ReplayOutcome(
        trace: configuration.trace, name: item.name, team: item.team, submitted: item.submit, request: item.request,
        gangSize: item.gangSize, recordedPhase: item.recordedPhase, recordedWait: item.recordedWait,
        status: item.duration == nil && !item.holdsUntilEnd ? .withdrawn : .pending)
    }
    allocations = Array(repeating: [], count: items.count)
  }

  mutating func run() -> TraceReplayResult {
    for index in items.indices { queue.schedule(.arrival(index), at: items[index].submit, priority: 1) }
    queue.schedule(.sample, at: .zero, priority: 3)
    var now = SimTime.zero
    var events = 0
    while let time = queue.nextTime() {
      if let end = configuration.end, !(time < end) { break }
      guard let (eventTime, event) = queue.popNext() else { break }
      now = eventTime
      events += 1
      handle(event, at: now)
    }
    let end = configuration.end ?? now
    for index in items.indices where outcomes[index].status == .pending && outcomes[index].started != nil {
      outcomes[index].status = .running
    }
    return TraceReplayResult(outcomes: outcomes, samples: samples, end: end, events: events)
  }

  mutating func handle(_ event: ReplayEvent, at now: SimTime) {
    self.now = now
    switch event {
    case .arrival(let index):
      let item = items[index]
      if item.duration == nil && !item.holdsUntilEnd {
        waitingRecorded += 1
        queue.schedule(.withdraw(index), at: max(item.withdrawal ?? now, now), priority: 0)
        return
      }
      if candidateNodes(for: item.request).isEmpty {
        outcomes[index].status = .unschedulable
        return
      }
      enqueue(index)
      requestPass(at: now)
    case .withdraw:
      waitingRecorded -= 1
    case .finish(let index):
      for allocation in allocations[index] { release(items[index].request, allocation) }
      allocations[index] = []
      outcomes[index].finished = now
      outcomes[index].status = .completed
      running -= 1
      if !pending.isEmpty { requestPass(at: now) }
    case .pass:
      passScheduled = false
      schedulingPass(at: now)
    case .sample:
      samples.append(
        GPUAllocationSample(
          time: now, totalGPUMilli: totalGPUMilli, allocatedGPUMilli: allocatedGPUMilli,
          fragmentedGPUMilli: fragmentation.reduce(0, +), allocatedCPUMilli: allocatedCPUMilli,
          runningItems: running, pendingItems: pending.count + waitingRecorded))
      if !queue.isEmpty { queue.schedule(.sample, at: now + configuration.sampleInterval, priority: 3) }
    }
  }

  mutating func requestPass(at now: SimTime) {
    guard !passScheduled else { return }
    passScheduled = true
    queue.schedule(.pass, at: now, priority: 2)
  }

  /// Nodes that could ever host `request`, in node order (computed once per shape).
  mutating func candidateNodes(for request: GPUPodRequest) -> [Int] {
    if let known = candidates[request] { return known }
    let nodes = (0..<table.count).filter { table.canEverHost(request, node: $0) }
    candidates[request] = nodes
    return nodes
  }

  /// Inserts into the queue in PrioritySort order: higher priority, earlier submission, index.
  mutating func enqueue(_ index: Int) {
    func before(_ lhs: Int, _ rhs: Int) -> Bool {
      let (left, right) = (items[lhs], items[rhs])
      if left.priority != right.priority { return left.priority > right.priority }
      return (left.submit, lhs) < (right.submit, rhs)
    }
    var low = 0
    var high = pending.count
    while low < high {
      let middle = (low + high) / 2
      if before(pending[middle], index) { low = middle + 1 } else { high = middle }
    }
    pending.insert(index, at: low)
  }

  mutating func schedulingPass(at now: SimTime) {
    var failed: Set<GPUPodRequest> = []
    var remaining: [Int] = []
    remaining.reserveCapacity(pending.count)
    for index in pending {
      let item = items[index]
      if failed.contains(item.request) || !place(index) {
        failed.insert(item.request)
        remaining.append(index)
        continue
      }
      outcomes[index].started = now
      if let first = allocations[index].first {
        outcomes[index].node = table.specs[first.node].name
        outcomes[index].gpuModel = table.specs[first.node].model
      }
      running += 1
      if !item.holdsUntilEnd { queue.schedule(.finish(index), at: now + (item.duration ?? .zero), priority: 0) }
    }
    pending = remaining
  }

  /// Places every worker of item `index`, or none.
  mutating func place(_ index: Int) -> Bool {
    let request = items[index].request
    let nodes = candidateNodes(for: request)
    var taken: [(node: Int, gpus: [Int])] = []
    for worker in 0..<max(1, items[index].gangSize) {
      guard
        let choice = externalChoice(index, worker: worker, candidates: nodes)
          ?? placement.choose(request, in: table, fragmentation: fragmentation)
      else {
        for allocation in taken { release(request, allocation) }
        return false
      }
      allocate(request, choice)
      taken.append(choice)
    }
    allocations[index] = taken
    return true
  }

  /// The external policy's node for worker `worker` of item `index`, if one is selected
  /// and names a node (it can only name one that fits: the observation's candidates).
  func externalChoice(_ index: Int, worker: Int, candidates: [Int]) -> (node: Int, gpus: [Int])? {
    guard let nodeOrder else { return nil }
    let item = items[index]
    let request = item.request
    var fitting: [(node: Int, gpus: [Int])] = []
    for node in candidates {
      if let gpus = table.gpuChoice(request, node: node) { fitting.append((node, gpus)) }
    }
    guard !fitting.isEmpty else { return nil }
    let observation = GPUNodeOrderObservation(
      pod: item.name, team: item.team, worker: worker, gangSize: max(1, item.gangSize), cpuMilli: request.cpuMilli,
      memoryMiB: request.memoryMiB, gpuCount: request.gpuCount, gpuMilli: request.gpuMilli,
      gpuModels: request.gpuModels,
      candidates: fitting.map { choice in
        let free = table.free[choice.node]
        return GPUNodeOrderObservation.Candidate(
          node: table.specs[choice.node].name, gpuModel: table.specs[choice.node].model, freeCPUMilli: free.cpuMilli,
          freeMemoryMiB: free.memoryMiB, freeGPUMilli: free.gpuFreeMilli)
      })
    let action = nodeOrder.decide(observation, at: PolicyTime(microseconds: now.microseconds))
    guard let name = action.node else { return nil }
    return fitting.first { table.specs[$0.node].name == name }
  }

  mutating func allocate(_ request: GPUPodRequest, _ allocation: (node: Int, gpus: [Int])) {
    table.allocate(request, on: allocation.node, gpus: allocation.gpus)
    allocatedGPUMilli += request.gpuMilliTotal
    allocatedCPUMilli += request.cpuMilli
    refreshFragmentation(of: allocation.node)
  }

  mutating func release(_ request: GPUPodRequest, _ allocation: (node: Int, gpus: [Int])) {
    table.release(request, on: allocation.node, gpus: allocation.gpus)
    allocatedGPUMilli -= request.gpuMilliTotal
    allocatedCPUMilli -= request.cpuMilli
    refreshFragmentation(of: allocation.node)
  }

  mutating func refreshFragmentation(of node: Int) {
    fragmentation[node] = GPUFragmentation.expected(
      free: table.free[node], spec: table.specs[node], classes: placement.classes)
  }
}
