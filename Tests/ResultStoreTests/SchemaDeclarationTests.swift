import Hashing
import ResultRows
import Testing

@testable import ResultStore

/// The migrations and the row types describe the same tables: the SQL is written once
/// per published migration and never edited, the row types are what everything else
/// uses, and these tests keep the two equal.
@Suite("Schema against the row types")
struct SchemaDeclarationTests {
  /// A column as the migrated database declares it (`pragma_table_info`).
  struct StoredColumn: Equatable, CustomStringConvertible {
    var name: String
    var type: String
    var isNullable: Bool
    var description: String { "\(name) \(type)" + (isNullable ? "" : " NOT NULL") }
  }

  @Test("every table the migrations create has a row type with its columns: names, order, types, nullability")
  func migrationsMatchTheRowTypes() throws {
    let store = try ResultStore(path: temporaryDatabasePath())
    let tables = try store.database.query(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ).compactMap { $0.first?.stringValue }
    #expect(tables.sorted() == ResultTables.all.map(\.name).sorted())
    for table in ResultTables.all {
      var stored: [StoredColumn] = []
      for column in try store.database.query(
        "SELECT name, type, \"notnull\" FROM pragma_table_info(?) ORDER BY cid", [.text(table.name)])
      {
        stored.append(
          StoredColumn(
            name: column[0].stringValue ?? "", type: column[1].stringValue ?? "", isNullable: column[2].intValue == 0))
      }
      let declared = table.storedColumns.map {
        StoredColumn(name: $0.name, type: $0.storage.rawValue, isNullable: $0.isNullable)
      }
      #expect(stored == declared, "\(table.name): the migrations and \(table.name)'s row type disagree")
    }
  }

  @Test("a table declared with a key is stored by (run_id, key) WITHOUT ROWID; every other table has a rowid")
  func keysMatchTheRowTypes() throws {
    let store = try ResultStore(path: temporaryDatabasePath())
    for table in ResultTables.all {
      let sql =
        try store.database.scalar(
          "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
          [
            .text(table.name)
          ])?.stringValue ?? ""
      let primaryKey = try store.database.query(
        "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", [.text(table.name)]
      ).compactMap { $0.first?.stringValue }
      if let key = table.key {
        #expect(sql.hasSuffix("WITHOUT ROWID"), "\(table.name) declares a key but has a rowid")
        #expect(primaryKey == ["run_id", key], "\(table.name): stored key \(primaryKey), declared \(key)")
      } else {
        #expect(!sql.contains("WITHOUT ROWID"), "\(table.name) has no rowid but declares no key")
      }
    }
  }

  @Test("per-run tables are exactly those with a run_id, and a run's digest covers each of them")
  func perRunTables() throws {
    let store = try ResultStore(path: temporaryDatabasePath())
    #expect(try store.perRunTables() == ResultTables.all.filter(\.isPerRun).map(\.name).sorted())
  }

  /// Published migrations never change.
  ///
  /// A database written by an older build must migrate to exactly the tables a new one
  /// creates. Append a migration instead; this digest covers the first eight.
  @Test("the published migrations are unchanged")
  func migrationsAreUnchanged() {
    var hasher = ContentHash()
    for migration in Schema.migrations.prefix(8) { hasher.update(Array(migration.utf8) + [0]) }
    #expect(hasher.finalizeHex() == "b31c416a05a4c70d761fb742fdf2f3052623a4716fb4c836f9d89ae48fdb570a")
  }
}
