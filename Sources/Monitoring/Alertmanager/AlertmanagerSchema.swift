import InputReading
import SimKernel

extension InputFormat {
  /// alertmanager.yml, as alertmanager's `config.Load` reads it.
  public static let alertmanager = InputFormat(
    name: "alertmanager", title: "alertmanager.yml (as PlatformSim reads it)", fileDescription: "an alertmanager.yml",
    schemaID: "https://platformsim.dev/schemas/alertmanager.json", root: AlertmanagerSchema.Config.self,
    conventions: .alertmanager, signature: FormatSignature(keys: ["route"]))
}

extension InputConventions {
  /// alertmanager.yml: names quoted as Go's `%q` quotes them (as alertmanager prints
  /// them in its own errors), "did you mean" by prefix too (`pager` → `pagerduty`),
  /// and YAML read as Go's yaml.v2 reads it (`null` is absent, `<<` merges).
  public static let alertmanager = InputConventions(
    quote: { AlertmanagerText.quoted($0) }, suggestsPrefixes: true, explainsExpectations: false,
    nullMeansAbsent: true, mergesKeys: true)
}

/// The keys of alertmanager.yml, after `config.Config` and the types it nests in
/// alertmanager's config/config.go (`GlobalConfig`, `Route`, `InhibitRule`,
/// `Receiver`, `TimeInterval`) and timeinterval/timeinterval.go.
///
/// Receivers' notifier settings other than webhooks' are accepted unread: the
/// simulation records a notification instead of sending it, after checking the
/// settings `config.Load` requires.
public enum AlertmanagerSchema {
  final class Config: ObjectKeys {
    static let schema = ObjectSchema<Config>("AlertmanagerConfig", "An alertmanager.yml.")
    let global = Field("global", .object(Global.self), "Defaults for notifiers, and `resolve_timeout`.")
    let route = Field("route", .object(Route.self), required: true, "The root of the routing tree.")
    let inhibitRules = Field(
      "inhibit_rules", .list(.object(InhibitRule.self)), "Alerts that mute others while they fire.")
    let receivers = Field("receivers", .list(.object(Receiver.self)), "Named notification targets.")
    let templates = Field("templates", .list(.goText), "Notification template files (not read).")
    let timeIntervals = Field("time_intervals", .list(.object(TimeInterval.self)), "Named time intervals.")
    let muteTimeIntervals = Field(
      "mute_time_intervals", .list(.object(TimeInterval.self)), "Named time intervals (the older key).")
    let tracing = Field("tracing", .any(.any(description: "tracing settings")), "Accepted; has no effect here.")
  }

  final class Global: ObjectKeys {
    static let schema = ObjectSchema<Global>("AlertmanagerGlobal", "`global`: defaults shared by notifiers.")
    let resolveTimeout = Field(
      "resolve_timeout", .goDuration, default: "5m", "The `EndsAt` given to alerts received without one.")
    let settings = AlertmanagerSchema.globalSettingNames.map { name in
      Field(name, .any(.any(description: "a notifier default")), "A notifier default; checked where required.")
    }
  }

  static let globalSettingNames = [
    "http_config", "smtp_from", "smtp_hello", "smtp_smarthost", "smtp_auth_username", "smtp_auth_password",
    "smtp_auth_password_file", "smtp_auth_secret", "smtp_auth_secret_file", "smtp_auth_identity", "smtp_require_tls",
    "smtp_tls_config", "smtp_force_implicit_tls", "slack_api_url", "slack_api_url_file", "slack_app_token",
    "slack_app_token_file", "slack_app_url", "pagerduty_url", "opsgenie_api_url", "opsgenie_api_key",
    "opsgenie_api_key_file", "wechat_api_url", "wechat_api_secret", "wechat_api_corp_id", "victorops_api_url",
    "victorops_api_key", "victorops_api_key_file", "telegram_api_url", "telegram_bot_token",
    "telegram_bot_token_file", "webex_api_url", "rocketchat_api_url", "rocketchat_token", "rocketchat_token_file",
    "rocketchat_token_id", "rocketchat_token_id_file", "jira_api_url", "incidentio_url",
  ]

  final class Route: ObjectKeys {
    static let schema = ObjectSchema<Route>(
      "AlertmanagerRoute", "A node of the routing tree.", appendingMergeKeys: ["matchers"])
    let receiver = Field("receiver", .goText, default: "the parent's", "Receiver of the alerts this route takes.")
    let groupBy = Field(
      "group_by", .list(.goText), default: "the parent's", "Labels alerts are grouped by; `...`: all.")
    let `continue` = Field("continue", .goBoolean, default: "false", "Go on to the next sibling after a match.")
    let match = Field("match", .dictionary(.goText), "Equality matchers (deprecated form).")
    let matchRE = Field("match_re", .dictionary(.goText), "Regex matchers (deprecated form), anchored.")
    let matchers = Field("matchers", .list(.goText), "Matchers such as `severity=\"critical\"`.")
    let groupWait = Field("group_wait", .goDuration, default: "30s", "Wait before a new group's first notification.")
    let groupInterval = Field("group_interval", .goDuration, default: "5m", "Wait before notifying about new alerts.")
    let repeatInterval = Field("repeat_interval", .goDuration, default: "4h", "Wait before repeating a notification.")
    let muteTimeIntervals = Field("mute_time_intervals", .list(.goText), "Time intervals in which it is muted.")
    let activeTimeIntervals = Field("active_time_intervals", .list(.goText), "Time intervals in which it is active.")
    let routes = Field("routes", .list(.object(Route.self)), "Child routes, tried in order.")
  }

  final class InhibitRule: ObjectKeys {
    static let schema = ObjectSchema<InhibitRule>(
      "AlertmanagerInhibitRule", "Source alerts that mute target alerts with equal labels.",
      appendingMergeKeys: ["source_matchers", "target_matchers"])
    let name = Field("name", .any(.string()), "A name (documentation only).")
    let sourceMatch = Field("source_match", .dictionary(.goText), "Equality matchers on the source.")
    let sourceMatchRE = Field("source_match_re", .dictionary(.goText), "Regex matchers on the source.")
    let sourceMatchers = Field("source_matchers", .list(.goText), "Matchers on the source.")
    let targetMatch = Field("target_match", .dictionary(.goText), "Equality matchers on the target.")
    let targetMatchRE = Field("target_match_re", .dictionary(.goText), "Regex matchers on the target.")
    let targetMatchers = Field("target_matchers", .list(.goText), "Matchers on the target.")
    let equal = Field("equal", .list(.goText), "Labels source and target must share.")
  }

  final class Receiver: ObjectKeys {
    static let schema = ObjectSchema<Receiver>("AlertmanagerReceiver", "A named set of notifiers.")
    let name = Field("name", .goText, required: true, "The name routes refer to.")
    let webhooks = Field(
      "webhook_configs", .list(.object(WebhookConfig.self)), "Webhooks; `sim://` URLs act on the platform.")
    /// Every other notifier, in ``ReceiverIntegration/kinds`` order.
    let notifiers = ReceiverIntegration.kinds.filter { $0.key != "webhook_configs" }.map { kind in
      Field(kind.key, .list(.object(NotifierConfig.self)), "Notifiers, recorded as notifications.")
    }
  }

  final class WebhookConfig: ObjectKeys {
    static let schema = ObjectSchema<WebhookConfig>("AlertmanagerWebhookConfig", "A webhook notifier.")
    let sendResolved = Field("send_resolved", .goBoolean, default: "true", "Notify about resolved alerts too.")
    let httpConfig = Field("http_config", .any(.any(description: "HTTP client settings")), "Accepted, not used.")
    let url = Field("url", .goText, "http(s) URL, or `sim://rollback`, `sim://page`, `sim://scale`.")
    let urlFile = Field("url_file", .goText, "A file holding the URL.")
    let maxAlerts = Field("max_alerts", .goInteger(minimum: 0), default: "0 (all)", "Most alerts per notification.")
    let timeout = Field("timeout", .goDuration, "Request timeout (accepted, not simulated).")
  }

  final class NotifierConfig: ObjectKeys {
    static let schema = ObjectSchema<NotifierConfig>(
      "AlertmanagerNotifierConfig", "Another notifier's settings: recorded, not sent.", unknownKeys: .accepted)
    let sendResolved = Field("send_resolved", .goBoolean, "Notify about resolved alerts too (default per notifier).")
  }

  final class TimeInterval: ObjectKeys {
    static let schema = ObjectSchema<TimeInterval>("AlertmanagerTimeInterval", "A named set of time periods.")
    let name = Field("name", .goText, required: true, "The name routes refer to.")
    let periods = Field("time_intervals", .list(.object(TimePeriod.self)), "Periods; any one matching is enough.")
  }

  final class TimePeriod: ObjectKeys {
    static let schema = ObjectSchema<TimePeriod>(
      "AlertmanagerTimePeriod", "Times, weekdays, days, months, years, zone.")
    let times = Field("times", .list(.object(TimeRange.self)), "Clock ranges.")
    let weekdays = Field("weekdays", .list(.goText), "`monday` or `monday:friday`.")
    let daysOfMonth = Field("days_of_month", .list(.goText), "`1:7`, `-1`.")
    let months = Field("months", .list(.goText), "`january:march` or `1:3`.")
    let years = Field("years", .list(.goText), "`2026` or `2026:2027`.")
    let location = Field("location", .goText, default: "UTC", "IANA time zone.")
  }

  final class TimeRange: ObjectKeys {
    static let schema = ObjectSchema<TimeRange>("AlertmanagerTimeRange", "A clock range within a day.")
    let startTime = Field("start_time", .goText, "`HH:MM`.")
    let endTime = Field("end_time", .goText, "`HH:MM`, up to 24:00.")
  }
}

/// The value rules of Go's yaml.v2 and prometheus/common that alertmanager's config
/// decodes with.
extension Shape where Value == String {
  /// Any scalar but `null`, as text.
  static var goText: Shape {
    .custom(.string()) { value in
      guard value.scalarText != nil, !value.isNull else {
        value.mismatch(expected: "a string")
        return nil
      }
      return value.scalarText
    }
  }
}

extension Shape where Value == Bool {
  /// `true`/`True`/`TRUE` or `false`/`False`/`FALSE`, unquoted.
  static var goBoolean: Shape {
    .custom(.boolean) { value in
      if !value.isQuoted, let text = value.scalarText {
        if ["true", "True", "TRUE"].contains(text) { return true }
        if ["false", "False", "FALSE"].contains(text) { return false }
      }
      value.mismatch(expected: "true or false")
      return nil
    }
  }
}

extension Shape where Value == Int {
  /// A whole number of at least `minimum`, unquoted.
  static func goInteger(minimum: Int) -> Shape {
    .custom(.integer(minimum: minimum)) { value in
      if !value.isQuoted, let text = value.scalarText, let number = Int(text), number >= minimum { return number }
      value.mismatch(expected: "an integer ≥ \(minimum)")
      return nil
    }
  }
}

extension Shape where Value == SimDuration {
  /// A Prometheus duration as `model.ParseDuration` reads it (``PrometheusDuration``).
  static var goDuration: Shape {
    .custom(.string(pattern: #"^(([0-9]+)(y|w|d|h|m|s|ms))+$|^0$"#)) { value in
      guard let text = Shape<String>.goText.read(value) else { return nil }
      guard let duration = PrometheusDuration.parse(text) else {
        value.report(.invalidDuration(text))
        return nil
      }
      return duration
    }
  }
}

/// What can be wrong in an alertmanager.yml beyond a key's shape, with the failing
/// input; its message and hint are worded here, in one place, after alertmanager's
/// own errors.
enum AlertmanagerProblem: Hashable, Sendable {
  /// A route names a receiver that `receivers` does not define.
  case unknownReceiver(String, suggestion: String?)
  /// Two receivers share a name; `firstLine` is where the first one is defined.
  case duplicateReceiver(String, firstLine: Int)
  /// A route names a time interval that `time_intervals` does not define.
  case unknownTimeInterval(String, suggestion: String?)
  /// Two time intervals share a name.
  case duplicateTimeInterval(String, firstLine: Int)
  /// Not a Prometheus duration (`30s`, `5m`, `1h30m`).
  case invalidDuration(String)
  /// A regular expression that does not compile (or uses syntax RE2 lacks).
  case invalidRegex(String, reason: String)
  /// A matcher such as `severity="critical"` that does not parse.
  case invalidMatcher(String, reason: String)
  /// A label name that is not `[a-zA-Z_][a-zA-Z0-9_]*`.
  case invalidLabelName(String)
  /// Any other rule of config.go, with its own message.
  case invalid(String, hint: String?)

  var message: String {
    switch self {
    case .unknownReceiver(let name, _): return "unknown receiver \(AlertmanagerText.quoted(name))"
    case .duplicateReceiver(let name, let firstLine):
      return "duplicate receiver name \(AlertmanagerText.quoted(name)) (first defined on line \(firstLine))"
    case .unknownTimeInterval(let name, _): return "unknown time interval \(AlertmanagerText.quoted(name))"
    case .duplicateTimeInterval(let name, let firstLine):
      return "duplicate time interval name \(AlertmanagerText.quoted(name)) (first defined on line \(firstLine))"
    case .invalidDuration(let text): return "invalid duration \(AlertmanagerText.quoted(text))"
    case .invalidRegex(let text, let reason):
      return "invalid regular expression \(AlertmanagerText.quoted(text)): \(reason)"
    case .invalidMatcher(let text, let reason): return "invalid matcher \(AlertmanagerText.quoted(text)): \(reason)"
    case .invalidLabelName(let name): return "invalid label name \(AlertmanagerText.quoted(name))"
    case .invalid(let message, _): return message
    }
  }

  var hint: String? {
    switch self {
    case .unknownReceiver(_, let suggestion), .unknownTimeInterval(_, let suggestion):
      return suggestion.map { "did you mean \(AlertmanagerText.quoted($0))?" }
    case .invalidDuration:
      return "use a Prometheus duration such as 30s, 5m or 1h30m (units y w d h m s ms, largest first, whole numbers)"
    case .invalidLabelName:
      return "label names match [a-zA-Z_][a-zA-Z0-9_]*"
    case .invalidMatcher:
      return "write matchers as name=\"value\", name!=\"value\", name=~\"regex\" or name!~\"regex\""
    case .invalid(_, let hint):
      return hint
    default:
      return nil
    }
  }
}

extension YAMLValue {
  /// Logs an alertmanager.yml problem here (at `path`, when it differs from this
  /// value's own).
  func report(_ problem: AlertmanagerProblem, at path: DocumentKeyPath? = nil) {
    (path.map(at) ?? self).error(problem.message, hint: problem.hint)
  }
}

/// Text helpers shared by the Alertmanager files: Go-style quoting, label-set
/// printing and ordering as alertmanager does them.
///
/// A namespace so that these names cannot collide with the rest of the module.
enum AlertmanagerText {}

extension AlertmanagerText {
  /// `"text"` with Go's `%q` escaping, as alertmanager prints names in its own errors.
  static func quoted(_ text: String) -> String { AlertmanagerText.goQuoted(text) }
}
