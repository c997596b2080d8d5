/// What the platform does with a firing alert once Alertmanager has routed it.
///
/// Consulted for every Alertmanager notification to a `sim://rollback` or
/// `sim://page` receiver that concerns a service.
public protocol AlertRoutingPolicy: DecisionPolicy
where Observation == AlertRoutingObservation, Action == AlertRoutingAction {}

public struct AlertRoutingObservation: Codable, Sendable, Equatable {
  public var alertName: String
  public var labels: [NameValue]
  public var service: String?
  /// The receiver Alertmanager's route tree chose.
  public var receiver: String
  /// The platform action configured for that receiver (`rollback`, `page`, `none`, ...).
  public var receiverAction: String
  /// Seconds the alert has been firing.
  public var firingSeconds: Double

  public init(
    alertName: String, labels: [NameValue], service: String?, receiver: String, receiverAction: String,
    firingSeconds: Double
  ) {
    self.alertName = alertName
    self.labels = labels
    self.service = service
    self.receiver = receiver
    self.receiverAction = receiverAction
    self.firingSeconds = firingSeconds
  }

  public func problem(with action: AlertRoutingAction) -> String? { nil }
}

public struct AlertRoutingAction: Codable, Sendable, Equatable {
  public enum Kind: String, Codable, Sendable {
    case rollback
    case page
    case scaleUp = "scale-up"
    case none
  }
  public var action: Kind
  public init(action: Kind) { self.action = action }
}

/// Does what the routed receiver is configured to do, as an Alertmanager webhook
/// receiver wired to a rollback or paging integration would.
public final class AlertmanagerReceiverRouting: AlertRoutingPolicy {
  public init() {}
  public func decide(_ observation: AlertRoutingObservation, at time: PolicyTime) -> AlertRoutingAction {
    AlertRoutingAction(action: AlertRoutingAction.Kind(rawValue: observation.receiverAction) ?? .page)
  }
}
