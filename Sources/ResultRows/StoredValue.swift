/// A value as a results table stores it: SQLite's four storage classes.
///
/// The store reads and binds these (`SQLValue` there); the in-memory sink keeps them.
public enum StoredValue: Equatable, Sendable, CustomStringConvertible {
  case null
  case integer(Int64)
  case real(Double)
  case text(String)

  public var description: String {
    switch self {
    case .null: return "NULL"
    case .integer(let value): return String(value)
    case .real(let value): return String(value)
    case .text(let value): return value
    }
  }

  public var doubleValue: Double? {
    switch self {
    case .integer(let value): return Double(value)
    case .real(let value): return value
    default: return nil
    }
  }

  public var intValue: Int64? {
    switch self {
    case .integer(let value): return value
    case .real(let value): return Int64(value)
    default: return nil
    }
  }

  public var stringValue: String? {
    if case .text(let value) = self { return value }
    return nil
  }

  /// The storage class's name, for messages: `INTEGER`, `REAL`, `TEXT` or `NULL`.
  var storageName: String {
    switch self {
    case .null: return "NULL"
    case .integer: return "INTEGER"
    case .real: return "REAL"
    case .text: return "TEXT"
    }
  }
}

/// A Swift type a row property may have: how it is stored and read back.
///
/// `Optional` of a conforming type is the same column made nullable.
public protocol ColumnValue: Sendable {
  /// The storage class of the column.
  static var storage: ColumnStorage { get }
  /// Whether the column may hold NULL: `true` only for `Optional`.
  static var isNullable: Bool { get }
  /// The value as stored; a non-finite `Double` is stored as NULL, as ``RowEncoder`` does.
  var storedValue: StoredValue { get }
  /// Reads a stored value; `nil` when it is not of this type.
  init?(stored: StoredValue)
}

extension ColumnValue {
  public static var isNullable: Bool { false }
}

extension Int64: ColumnValue {
  public static var storage: ColumnStorage { .integer }
  public var storedValue: StoredValue { .integer(self) }
  public init?(stored: StoredValue) {
    guard case .integer(let value) = stored else { return nil }
    self = value
  }
}

extension Int: ColumnValue {
  public static var storage: ColumnStorage { .integer }
  public var storedValue: StoredValue { .integer(Int64(self)) }
  public init?(stored: StoredValue) {
    guard case .integer(let value) = stored, let exact = Int(exactly: value) else { return nil }
    self = exact
  }
}

extension Bool: ColumnValue {
  /// Stored as 1 or 0.
  public static var storage: ColumnStorage { .integer }
  public var storedValue: StoredValue { .integer(self ? 1 : 0) }
  public init?(stored: StoredValue) {
    guard case .integer(let value) = stored else { return nil }
    self = value != 0
  }
}

extension Double: ColumnValue {
  public static var storage: ColumnStorage { .real }
  public var storedValue: StoredValue { isFinite ? .real(self) : .null }
  /// Reads REAL, and INTEGER too: SQLite may hand back a whole number stored in a REAL column as one.
  public init?(stored: StoredValue) {
    switch stored {
    case .real(let value): self = value
    case .integer(let value): self = Double(value)
    default: return nil
    }
  }
}

extension String: ColumnValue {
  public static var storage: ColumnStorage { .text }
  public var storedValue: StoredValue { .text(self) }
  public init?(stored: StoredValue) {
    guard case .text(let value) = stored else { return nil }
    self = value
  }
}

extension Optional: ColumnValue where Wrapped: ColumnValue {
  public static var storage: ColumnStorage { Wrapped.storage }
  public static var isNullable: Bool { true }
  public var storedValue: StoredValue { map(\.storedValue) ?? .null }
  public init?(stored: StoredValue) {
    if stored == .null {
      self = .none
    } else if let value = Wrapped(stored: stored) {
      self = .some(value)
    } else {
      return nil
    }
  }
}

/// Enumerations stored as their raw value (e.g. `runs.status`).
extension ColumnValue where Self: RawRepresentable, RawValue: ColumnValue {
  public static var storage: ColumnStorage { RawValue.storage }
  public var storedValue: StoredValue { rawValue.storedValue }
  public init?(stored: StoredValue) {
    guard let raw = RawValue(stored: stored) else { return nil }
    self.init(rawValue: raw)
  }
}
