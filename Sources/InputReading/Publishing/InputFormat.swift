import Yams

/// One file format PlatformSim reads, declared once: its name, its root keys (from
/// which its reader, JSON Schema and key reference come), its conventions, and how to
/// recognise a file of it.
///
/// Each format module declares its own (`InputFormat.scenario` in Scenario,
/// `InputFormat.alertmanager` in Monitoring, `InputFormat.gate` in Experiments).
public struct InputFormat: Sendable {
  /// Short identifier: the published schema is `docs/schemas/<name>.schema.json`.
  public let name: String
  /// What users call the file: "alertmanager.yml", "Argo Rollouts Rollout".
  public let title: String
  /// The `$id` of the published JSON Schema.
  public let schemaID: String
  /// The keys of the top-level mapping.
  public let root: ValueSchema.ObjectType
  public let conventions: InputConventions
  /// How a file of this format is recognised.
  public let signature: FormatSignature

  /// What a file of the format is called in a message: "a scenario file".
  public let fileDescription: String

  public init(
    name: String, title: String, fileDescription: String, schemaID: String, root: any ObjectKeys.Type,
    conventions: InputConventions, signature: FormatSignature
  ) {
    self.name = name
    self.title = title
    self.fileDescription = fileDescription
    self.schemaID = schemaID
    self.root = ValueSchema.ObjectType(root)
    self.conventions = conventions
    self.signature = signature
  }
}

/// How a file declares which format it is: a Kubernetes-style `kind` (with its
/// `apiVersion`), or, for formats without one, the top-level keys every file has.
///
/// A `validate` command can ask each format whether a file is its own
/// (``matches(_:)``) before reading it with that format's reader.
public struct FormatSignature: Sendable {
  /// `kind` values of this format.
  public let kinds: [String]
  /// With a kind, the `apiVersion`s it comes with; empty: any, or none.
  public let apiVersions: [String]
  /// Without a kind, the top-level keys that mark a file of this format.
  public let keys: [String]

  public init(kinds: [String] = [], apiVersions: [String] = [], keys: [String] = []) {
    self.kinds = kinds
    self.apiVersions = apiVersions
    self.keys = keys
  }

  /// Whether `document` (a parsed YAML document) is of this format.
  public func matches(_ document: Node) -> Bool {
    guard case .mapping(let mapping) = document else { return false }
    if let kind = mapping["kind"]?.string {
      guard kinds.contains(kind) else { return false }
      guard let apiVersion = mapping["apiVersion"]?.string else { return true }
      return apiVersions.isEmpty || apiVersions.contains(apiVersion)
    }
    return !keys.isEmpty && keys.allSatisfy { mapping[$0] != nil }
  }
}
