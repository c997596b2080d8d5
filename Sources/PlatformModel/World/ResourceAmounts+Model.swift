import Policies

extension ResourceAmounts {
  /// The model's resources as a policy observation carries them.
  init(_ resources: Resources) {
    self.init(cpuMillis: resources.cpuMillis, memoryMiB: resources.memoryMiB, gpus: resources.gpuCount)
  }
}
