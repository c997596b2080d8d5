import Testing

@testable import Monitoring

/// Verdicts of Alertmanager 0.25's `config.Load` on secrets given inline and in a file,
/// and on per-integration required fields (config/config.go, config/notifiers.go);
/// fixtures written in the shapes of Alertmanager's own config/testdata.
@Suite struct AlertmanagerConfigLoadVerdictTests {
  static let refused: [(String, String)] = [
    (
      """
      global:
        slack_api_url: http://slack.example.com/
        slack_api_url_file: /etc/alertmanager/slack
      route: {receiver: team}
      receivers: [{name: team, slack_configs: [{channel: '#alerts'}]}]
      """, "at most one of slack_api_url & slack_api_url_file must be configured"
    ),
    (
      """
      global:
        opsgenie_api_key: key
        opsgenie_api_key_file: /etc/alertmanager/opsgenie
      route: {receiver: team}
      receivers: [{name: team}]
      """, "at most one of opsgenie_api_key & opsgenie_api_key_file must be configured"
    ),
    (
      """
      global:
        victorops_api_key: key
        victorops_api_key_file: /etc/alertmanager/victorops
      route: {receiver: team}
      receivers: [{name: team}]
      """, "at most one of victorops_api_key & victorops_api_key_file must be configured"
    ),
    (
      """
      global:
        smtp_auth_password: secret
        smtp_auth_password_file: /etc/alertmanager/smtp
      route: {receiver: team}
      receivers: [{name: team}]
      """, "at most one of smtp_auth_password & smtp_auth_password_file must be configured"
    ),
    (
      """
      route: {receiver: sns}
      receivers:
        - name: sns
          sns_configs:
            - api_url: https://sns.us-east-2.amazonaws.com
              sigv4: {region: us-east-2}
      """, "must provide either a Target ARN, Topic ARN, or Phone Number for SNS config"
    ),
    (
      """
      route: {receiver: tg}
      receivers: [{name: tg, telegram_configs: [{chat_id: 42}]}]
      """, "missing bot_token on telegram_config"
    ),
    (
      """
      route: {receiver: pd}
      receivers: [{name: pd, pagerduty_configs: [{routing_key: a, routing_key_file: /etc/pd}]}]
      """, "at most one of routing_key & routing_key_file must be configured"
    ),
    (
      """
      route: {receiver: vo}
      receivers: [{name: vo, victorops_configs: [{api_key: a}]}]
      """, "missing Routing key in VictorOps config"
    ),
    (
      """
      route: {receiver: po}
      receivers: [{name: po, pushover_configs: [{user_key: u}]}]
      """, "missing token in Pushover config"
    ),
  ]

  @Test("config.Load refuses these, and so does PlatformSim", arguments: 0..<refused.count)
  func refusedConfigs(_ index: Int) {
    let (yaml, message) = Self.refused[index]
    let found = parseErrors(yaml)
    #expect(found.contains { $0.rendered.contains(message) }, "\(found.map(\.rendered))")
  }

  @Test("the accepted counterparts load")
  func acceptedConfigs() throws {
    for yaml in [
      """
      global: {slack_api_url_file: /etc/alertmanager/slack}
      route: {receiver: team}
      receivers: [{name: team, slack_configs: [{channel: '#alerts'}]}]
      """,
      """
      route: {receiver: sns}
      receivers: [{name: sns, sns_configs: [{topic_arn: 'arn:aws:sns:us-east-2:123456789012:alerts'}]}]
      """,
      """
      route: {receiver: tg}
      receivers: [{name: tg, telegram_configs: [{bot_token: t, chat_id: 42}]}]
      """,
    ] {
      _ = try AlertmanagerConfig.parse(yaml: yaml, file: "alertmanager.yml")
    }
  }
}
