import Foundation
import Synchronization

/// Turns SIGINT and SIGTERM into a clean stop: the run loop sees the flag at its next
/// guard check, writes what it has, and records the run as `stopped` (interrupted)
/// instead of leaving it `running`.
enum Interruption {
  static let requested = Atomic<Bool>(false)

  static func install() {
    var unblocked = sigset_t()
    sigemptyset(&unblocked)
    for signalNumber in [SIGINT, SIGTERM] {
      signal(signalNumber) { _ in Interruption.requested.store(true, ordering: .relaxed) }
      sigaddset(&unblocked, signalNumber)
    }
    // A parent (a test runner, a CI agent) may have spawned us with these signals
    // blocked; the handler would then never run and the run could not stop cleanly.
    pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
  }

  static var isRequested: Bool { requested.load(ordering: .relaxed) }
}
