/// The PlatformSim version written into every run row.
public enum ToolVersion {
  public static let current = "0.1.0"
}
