import SimKernel
import Testing

@testable import PlatformModel

/// The replay's index of nodes by free capacity (``FreeCapacityMaxima``) against the
/// scan it replaces: on randomised clusters under random allocations and releases,
/// stepping through the nodes that may fit meets every node that fits, in node order,
/// so every scoring chooses as the scan did.
@Suite("Free-capacity maxima of a replay's nodes")
struct FreeCapacityMaximaTests {
  static let models = ["V100M32", "T4", "A10", nil]

  func randomRequest(_ stream: inout RandomStream) -> GPUPodRequest {
    let kind = stream.nextInt(below: 4)
    let cpu = Int64(1_000 * (1 + stream.nextInt(below: 16)))
    let memory = Int64(4_096 * (1 + stream.nextInt(below: 16)))
    switch kind {
    case 0: return GPUPodRequest(cpuMilli: cpu, memoryMiB: memory, gpuCount: 0)
    case 1:
      return GPUPodRequest(
        cpuMilli: cpu, memoryMiB: memory, gpuCount: 1, gpuMilli: 100 * (1 + stream.nextInt(below: 9)))
    case 2:
      return GPUPodRequest(
        cpuMilli: cpu, memoryMiB: memory, gpuCount: 1 << stream.nextInt(below: 4),
        gpuModels: stream.nextInt(below: 3) == 0 ? ["T4"] : [])
    default: return GPUPodRequest(cpuMilli: cpu, memoryMiB: memory, gpuCount: 1 + stream.nextInt(below: 2))
    }
  }

  @Test("stepping through the nodes that may fit meets exactly the fitting ones, in order", arguments: [1, 2, 3, 4])
  func matchesTheScan(seed: UInt64) {
    var stream = RandomSeed(root: seed).stream("maxima-test")
    let count = 1 + stream.nextInt(below: 300)
    let specs = (0..<count).map { index -> ReplayNodeSpec in
      let model = Self.models[stream.nextInt(below: Self.models.count)]
      return ReplayNodeSpec(
        name: "n\(index)", cpuMilli: Int64(8_000 * (1 + stream.nextInt(below: 12))),
        memoryMiB: Int64(32_768 * (1 + stream.nextInt(below: 12))),
        gpus: model == nil ? 0 : 1 << stream.nextInt(below: 4),
        model: model)
    }
    var table = SharedGPUNodeTable(specs)
    var placed: [(GPUPodRequest, Int, [Int])] = []
    for _ in 0..<3_000 {
      let request = randomRequest(&stream)
      let fitting = (0..<count).filter { table.gpuChoice(request, node: $0) != nil }
      var stepped: [Int] = []
      var next = table.nextNodeThatMayFit(request, from: 0)
      while let node = next {
        if table.gpuChoice(request, node: node) != nil { stepped.append(node) }
        next = table.nextNodeThatMayFit(request, from: node + 1)
      }
      #expect(stepped == fitting)
      // Allocate on the first fit, or release something, about equally often.
      if let node = fitting.first, stream.nextInt(below: 2) == 0 || placed.isEmpty {
        let gpus = table.gpuChoice(request, node: node)!
        table.allocate(request, on: node, gpus: gpus)
        placed.append((request, node, gpus))
      } else if !placed.isEmpty {
        let (request, node, gpus) = placed.remove(at: stream.nextInt(below: placed.count))
        table.release(request, on: node, gpus: gpus)
      }
    }
    #expect(!placed.isEmpty)
  }
}
