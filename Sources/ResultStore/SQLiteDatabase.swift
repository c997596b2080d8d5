import CSQLite
import Foundation
import ResultRows

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A failure talking to SQLite, with the statement and path involved.
///
/// Like GRDB's `DatabaseError`, it carries the SQLite result code and message and
/// renders them in one place.
public struct StoreError: Error, CustomStringConvertible, Sendable {
  public enum Kind: Sendable, Equatable {
    /// The database could not be opened or created (permissions, missing directory).
    case cannotOpen
    /// The file's schema was written by a newer PlatformSim.
    case schemaTooNew(found: Int, supported: Int)
    /// The file is not a PlatformSim database (or not SQLite at all).
    case notADatabase
    /// A statement failed.
    case statementFailed
    /// A stored row does not read as its row type (a value of the wrong type, a NULL
    /// where none is allowed): the file was changed by something else.
    case unreadableRow
  }

  public let kind: Kind
  public let path: String
  public let message: String
  public let sql: String?
  public let resultCode: Int32

  public var description: String {
    switch kind {
    case .cannotOpen:
      return "cannot open database \(path): \(message). Check that the directory exists and is writable."
    case .schemaTooNew(let found, let supported):
      return
        "database \(path) has schema version \(found), but this platformsim supports up to \(supported). Use a newer platformsim."
    case .notADatabase:
      return "\(path) is not a PlatformSim SQLite database: \(message)."
    case .unreadableRow:
      return "\(path) holds a row PlatformSim cannot read: \(message)."
    case .statementFailed:
      return "SQLite error \(resultCode) in \(path): \(message)"
        + (sql.map { " — while executing `\($0.prefix(200))`" } ?? "")
    }
  }
}

/// One SQLite connection: a thin, owned wrapper over the C API.
///
/// Not thread-safe: one connection per thread (SQLite's own serialized mode is not
/// relied on). Concurrent processes coordinate through WAL mode and a busy timeout.
public final class SQLiteDatabase {
  let handle: OpaquePointer
  public let path: String

  /// Opens (creating if needed) the database at `path`.
  ///
  /// `immutable` opens a finished file read-only without locking, journal or write-ahead
  /// log, so nothing is created beside it (see ``immutableURI(_:)``); messages still name `path`.
  public init(path: String, readOnly: Bool = false, immutable: Bool = false) throws(StoreError) {
    var connection: OpaquePointer?
    let flags = readOnly || immutable ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
    let target = immutable ? Self.immutableURI(path) : path
    let code = sqlite3_open_v2(target, &connection, flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, nil)
    guard code == SQLITE_OK, let connection else {
      let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
      if let connection { sqlite3_close_v2(connection) }
      throw StoreError(kind: .cannotOpen, path: path, message: message, sql: nil, resultCode: code)
    }
    handle = connection
    self.path = path
    sqlite3_busy_timeout(handle, 120_000)
    sqlite3_extended_result_codes(handle, 1)
  }

  deinit { sqlite3_close_v2(handle) }

  /// True when SQLite opened the main database read-only: asked to, or because the
  /// file is write-protected for this user (SQLITE_OPEN_READWRITE then falls back to reading).
  public var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

  /// A `file:` URI that opens or attaches the database at `path` read-only and immutable
  /// (https://sqlite.org/uri.html#uriimmutable): SQLite takes no locks and never creates a
  /// `-wal`, `-shm` or `-journal` file beside it, so a directory that is read-only, or a shard
  /// another user owns, reads fine.
  ///
  /// Only for files nothing writes any more, and whose write-ahead log is folded in:
  /// immutable reads ignore a `-wal` file, so callers refuse a database that still has one
  /// (``pendingWriteAheadLogBytes(_:)``). '%', '?' and '#' are percent-encoded so they stay part
  /// of the path; needs SQLITE_OPEN_URI, which every connection here sets.
  public static func immutableURI(_ path: String) -> String {
    let encoded = path.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "?", with: "%3f")
      .replacingOccurrences(of: "#", with: "%23")
    return "file:\(encoded)?mode=ro&immutable=1"
  }

  /// The size of the non-empty write-ahead log beside `path`, if there is one.
  ///
  /// It holds transactions a writer committed but has not folded into the database yet (a
  /// writer that is still open, or was killed). SQLite deletes the log when its last connection closes.
  public static func pendingWriteAheadLogBytes(_ path: String) -> Int? {
    var status = stat()
    guard stat(path + "-wal", &status) == 0, status.st_size > 0 else { return nil }
    return Int(status.st_size)
  }

  /// Runs one or more statements without results.
  public func execute(_ sql: String) throws(StoreError) {
    var errorMessage: UnsafeMutablePointer<CChar>?
    let code = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
    if code != SQLITE_OK {
      let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
      sqlite3_free(errorMessage)
      throw error(code: code, message: message, sql: sql)
    }
  }

  public func prepare(_ sql: String) throws(StoreError) -> SQLiteStatement {
    var statement: OpaquePointer?
    let code = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
    guard code == SQLITE_OK, let statement else {
      throw error(code: code, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
    return SQLiteStatement(statement: statement, database: self, sql: sql)
  }

  /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws.
  ///
  /// IMMEDIATE takes the write lock up front, so two processes never deadlock
  /// upgrading read locks; the busy timeout makes the second one wait its turn.
  public func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
    try execute("BEGIN IMMEDIATE")
    do {
      let result = try body()
      try execute("COMMIT")
      return result
    } catch {
      try? execute("ROLLBACK")
      throw error
    }
  }

  /// The rowid of the last insert on this connection.
  public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

  /// Rows of a query as arrays of values; for queries and tests, not hot paths.
  public func query(_ sql: String, _ arguments: [SQLValue] = []) throws(StoreError) -> [[SQLValue]] {
    let statement = try prepare(sql)
    for (index, value) in arguments.enumerated() { statement.bind(value, at: Int32(index + 1)) }
    var rows: [[SQLValue]] = []
    while try statement.step() {
      rows.append((0..<statement.columnCount).map { statement.value(at: $0) })
    }
    return rows
  }

  /// The first column of the first row, if any.
  public func scalar(_ sql: String, _ arguments: [SQLValue] = []) throws(StoreError) -> SQLValue? {
    try query(sql, arguments).first?.first
  }

  func error(code: Int32, message: String, sql: String?) -> StoreError {
    let primary = code & 0xFF
    if primary == SQLITE_NOTADB {
      return StoreError(kind: .notADatabase, path: path, message: message, sql: sql, resultCode: code)
    }
    if primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY || primary == SQLITE_PERM {
      return StoreError(kind: .cannotOpen, path: path, message: message, sql: sql, resultCode: code)
    }
    return StoreError(kind: .statementFailed, path: path, message: message, sql: sql, resultCode: code)
  }
}

/// A value read from or bound to SQLite: the results tables' ``StoredValue``.
public typealias SQLValue = StoredValue

/// SQLite copies bound text immediately (`SQLITE_TRANSIENT`).
let transientDestructor = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared statement, reused with ``reset()``.
public final class SQLiteStatement {
  let statement: OpaquePointer
  unowned let database: SQLiteDatabase
  let sql: String

  init(statement: OpaquePointer, database: SQLiteDatabase, sql: String) {
    self.statement = statement
    self.database = database
    self.sql = sql
  }

  deinit { sqlite3_finalize(statement) }

  @inline(__always) public func bind(_ value: Int64, at index: Int32) { sqlite3_bind_int64(statement, index, value) }
  @inline(__always) public func bind(_ value: Double, at index: Int32) { sqlite3_bind_double(statement, index, value) }
  @inline(__always) public func bind(_ value: String, at index: Int32) {
    sqlite3_bind_text(statement, index, value, -1, transientDestructor)
  }
  @inline(__always) public func bindNull(at index: Int32) { sqlite3_bind_null(statement, index) }

  /// Binds `byteCount` bytes of UTF-8 at `bytes` without copying them (`SQLITE_STATIC`).
  ///
  /// The caller keeps the bytes alive and unchanged until the parameter is bound
  /// again or ``clearBindings()`` runs.
  @inline(__always) func bindText(_ bytes: UnsafeRawPointer?, byteCount: Int, at index: Int32) {
    sqlite3_bind_text(statement, index, bytes?.assumingMemoryBound(to: CChar.self), Int32(byteCount), nil)
  }

  public func bind(_ value: SQLValue, at index: Int32) {
    switch value {
    case .null: bindNull(at: index)
    case .integer(let number): bind(number, at: index)
    case .real(let number): bind(number, at: index)
    case .text(let text): bind(text, at: index)
    }
  }

  /// Advances; `true` while a row is available.
  @discardableResult public func step() throws(StoreError) -> Bool {
    let code = sqlite3_step(statement)
    if code == SQLITE_ROW { return true }
    if code == SQLITE_DONE { return false }
    throw database.error(code: code, message: String(cString: sqlite3_errmsg(database.handle)), sql: sql)
  }

  public func reset() {
    sqlite3_reset(statement)
    sqlite3_clear_bindings(statement)
  }

  /// Resets for another execution, keeping the bound values: for callers that bind
  /// every parameter each time, where clearing them would be wasted work.
  func resetKeepingBindings() { sqlite3_reset(statement) }

  /// Sets every parameter back to NULL.
  func clearBindings() { sqlite3_clear_bindings(statement) }

  public var columnCount: Int { Int(sqlite3_column_count(statement)) }

  public func columnName(at index: Int) -> String { String(cString: sqlite3_column_name(statement, Int32(index))) }

  public func value(at index: Int) -> SQLValue {
    let column = Int32(index)
    switch sqlite3_column_type(statement, column) {
    case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, column))
    case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, column))
    case SQLITE_NULL: return .null
    default:
      guard let text = sqlite3_column_text(statement, column) else { return .null }
      return .text(String(cString: text))
    }
  }
}
