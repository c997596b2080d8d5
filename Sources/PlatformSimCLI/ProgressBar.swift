import Foundation
import Synchronization

/// A one-line progress bar on standard error, drawn only when it is a terminal.
///
/// Redirected to a file or a CI log, it stays silent: a log full of carriage returns
/// helps nobody. Redraws at most ten times a second.
final class ProgressBar: Sendable {
  private let enabled: Bool
  private let state: Mutex<State>
  private let clock = ContinuousClock()
  private let began: ContinuousClock.Instant

  private struct State {
    var lastDrawn: ContinuousClock.Instant?
    var drewSomething = false
  }

  init(quiet: Bool) {
    enabled = !quiet && isatty(STDERR_FILENO) == 1
    state = Mutex(State())
    began = clock.now
  }

  /// Redraws with `runsDone` (fractional) of `runsTotal` runs done.
  func update(
    runsFinished: Int, runsTotal: Int, runsDone: Double, simulatedSeconds: Double, simulatedSecondsPerRun: Double
  ) {
    guard enabled else { return }
    let now = clock.now
    let shouldDraw = state.withLock { state -> Bool in
      if let last = state.lastDrawn, now - last < .milliseconds(100), runsFinished < runsTotal { return false }
      state.lastDrawn = now
      state.drewSomething = true
      return true
    }
    guard shouldDraw else { return }
    let elapsed = seconds(now - began)
    let fraction = runsTotal > 0 ? min(1, runsDone / Double(runsTotal)) : 1
    let width = 30
    let filled = Int((fraction * Double(width)).rounded(.down))
    let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    let left = fraction > 0.01 ? elapsed * (1 - fraction) / fraction : nil
    let simulatedDays = simulatedSeconds / 86_400
    let line =
      "\r\(bar) \(runsFinished)/\(runsTotal) runs · "
      + String(format: "%.1fd of %.0fd simulated · ", simulatedDays, simulatedSecondsPerRun / 86_400)
      + "\(left.map { formatSeconds($0) } ?? "…") left "
    FileHandle.standardError.write(Data(line.utf8))
  }

  /// Clears the line, so the summary starts on a clean one.
  func finish() {
    guard enabled, state.withLock({ $0.drewSomething }) else { return }
    FileHandle.standardError.write(Data(("\r" + String(repeating: " ", count: 100) + "\r").utf8))
  }

  private func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
  }

  private func formatSeconds(_ value: Double) -> String {
    value >= 60 ? String(format: "%dm%02ds", Int(value) / 60, Int(value) % 60) : String(format: "%.0fs", value)
  }
}
