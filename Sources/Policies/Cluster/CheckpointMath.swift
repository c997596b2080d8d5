#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Checkpoint-interval theory under Poisson failures: the oracle the training model
/// is validated against (reference/validation-data.md §3.1).
///
/// Notation: δ checkpoint cost, M mean time between failures, R restart cost,
/// T_s failure-free solve time, τ compute between checkpoints; all in seconds.
public enum CheckpointMath {
  /// Young (1974): τ ≈ √(2δM).
  public static func youngInterval(checkpointCost delta: Double, meanTimeBetweenFailures mtbf: Double) -> Double {
    (2 * delta * mtbf).squareRoot()
  }

  /// Daly (2006): τ = √(2δM)·[1 + ⅓√(δ/2M) + ⅑(δ/2M)] − δ for δ < 2M, else M.
  public static func dalyInterval(checkpointCost delta: Double, meanTimeBetweenFailures mtbf: Double) -> Double {
    guard delta < 2 * mtbf else { return mtbf }
    let ratio = delta / (2 * mtbf)
    return (2 * delta * mtbf).squareRoot() * (1 + ratio.squareRoot() / 3 + ratio / 9) - delta
  }

  /// Daly's expected wall-clock time: T_w(τ) = M·e^{R/M}·(e^{(τ+δ)/M} − 1)·T_s/τ.
  public static func expectedWallTime(
    solveTime: Double, interval tau: Double, checkpointCost delta: Double, restartCost restart: Double,
    meanTimeBetweenFailures mtbf: Double
  ) -> Double {
    mtbf * exp(restart / mtbf) * (exp((tau + delta) / mtbf) - 1) * solveTime / tau
  }
}
