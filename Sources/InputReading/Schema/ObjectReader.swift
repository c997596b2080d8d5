/// Selects one field of a keys type: written as a key path literal, `\.runners`.
///
/// The literal is checked by the compiler against the declaration (the field must exist
/// and have the value type the reader expects) and compiled into a direct property
/// access, so no key-path object is made at run time.
public typealias FieldSelector<Keys, Value> = (Keys) -> Field<Value>

/// A mapping being read against its declared keys.
///
/// Created by ``YAMLValue/readObject(_:)``, which reports unknown keys (with a "did you
/// mean") and missing required keys at once. Each field is then read through a key path
/// to its declaration, typed by it: `reader[\.runners]` is an `Int?`, logged and `nil`
/// when the value does not fit the field's shape.
///
/// The type parameter is unconstrained and everything is in a constrained extension:
/// so that making the metadata of a concrete reader type (one per kind of mapping) does
/// not search the runtime's conformance tables at every start of the tool.
public struct ObjectReader<Keys> {
  /// The mapping itself.
  public let value: YAMLValue
  let entries: [YAMLValue.MappingEntry]
}

extension ObjectReader where Keys: ObjectKeys {
  /// - Parameter checksKeys: `false` for a table row, whose columns were checked once
  ///   at the header.
  init(reading value: YAMLValue, entries: [YAMLValue.MappingEntry], checksKeys: Bool = true) {
    self.value = value
    self.entries = entries
    let object = Keys.schema.description
    let conventions = value.conventions
    let known = object.fieldNames
    var suggested: Set<String> = []
    for entry in entries where checksKeys && !known.contains(entry.key) && !object.passthroughKeys.contains(entry.key) {
      if object.ignoredKeys.contains(entry.key) {
        entry.keyValue.warning("\(conventions.quote(entry.key)) is not modelled by PlatformSim and is ignored")
        continue
      }
      if object.unknownKeys == .accepted { continue }
      let suggestion = nearestMatch(to: entry.key, in: known, acceptingPrefixes: conventions.suggestsPrefixes)
      if let suggestion { suggested.insert(suggestion) }
      let listing =
        conventions.explainsExpectations
        ? "valid keys here: " + known.map(conventions.quote).joined(separator: ", ") : nil
      entry.keyValue.error(
        "unknown key \(conventions.quote(entry.key))", hint: suggestion.map(conventions.didYouMean) ?? listing)
    }
    // A misspelt required key is reported once, as the typo, not again as missing.
    for field in object.fields where field.isRequired && !suggested.contains(field.name) {
      guard entry(field.name, readsNull: field.readsNull) == nil else { continue }
      // Where the key is written but empty (`null`, an empty cell), report it there.
      let place = entries.last { $0.key == field.name }?.value ?? value
      if conventions.explainsExpectations {
        place.error(
          "missing required key \(conventions.quote(field.name)), expected \(field.schema.expectation)",
          hint: "\(conventions.quote(field.name)): \(field.summary)")
      } else {
        place.error("missing required key \(conventions.quote(field.name))")
      }
    }
  }

  /// The declared keys (their names and shapes).
  public var keys: Keys { Keys.schema.keys }
  public var path: DocumentKeyPath { value.path }
  public var context: ReadContext { value.context }

  /// The entry of `name`: the last one, so a key set explicitly wins over a merged one;
  /// `nil` when absent (or `null`, where the conventions read it as absent and the shape
  /// does not read `null`).
  func entry(_ name: String, readsNull: Bool = false) -> YAMLValue? {
    // An index walk: `last(where:)` copied every entry it passed (two values each), which
    // was a third of the time spent reading a million-row trace.
    var index = entries.endIndex
    var match: Int?
    while index > entries.startIndex {
      index -= 1
      if entries[index].key == name {
        match = index
        break
      }
    }
    guard let match else { return nil }
    let found = entries[match].value
    if value.conventions.nullMeansAbsent && !readsNull && found.isNull { return nil }
    return found
  }

  func entry<Value>(_ field: Field<Value>) -> YAMLValue? { entry(field.name, readsNull: field.shape.readsNull) }

  /// The value of a field, read with its declared shape; `nil` when absent or after
  /// logging why it does not fit.
  public subscript<Value>(_ field: FieldSelector<Keys, Value>) -> Value? {
    let declaration = field(keys)
    return entry(declaration).flatMap(declaration.shape.read)
  }

  /// Whether a field is present.
  public func has<Value>(_ field: FieldSelector<Keys, Value>) -> Bool { entry(field(keys)) != nil }

  /// A field's value as written, to report a problem at it; `nil` when absent.
  public func value<Value>(of field: FieldSelector<Keys, Value>) -> YAMLValue? { entry(field(keys)) }

  /// The name of a field.
  public func name<Value>(of field: FieldSelector<Keys, Value>) -> String { field(keys).name }

  /// The keys present, in file order (merged ones first).
  public var presentKeys: [String] { entries.map(\.key) }

  /// The entries as written, in file order.
  ///
  /// For checks about every key present (a resource that may name only one of several
  /// providers), and readers that must follow file order. With merge keys, a merged
  /// entry that is set again explicitly is left out: the explicit one counts.
  public var presentEntries: [YAMLValue.MappingEntry] {
    guard value.conventions.mergesKeys else { return entries }
    let appending = Keys.schema.description.appendingMergeKeys
    return entries.enumerated().filter { offset, entry in
      appending.contains(entry.key) || !entries[(offset + 1)...].contains { $0.key == entry.key }
    }.map(\.element)
  }

  /// One entry's value read with a field's shape — for readers that walk
  /// ``presentEntries`` in file order; `nil` when the entry is another key's, `null`
  /// where that means absent, or does not fit (reported).
  public func read<Value>(_ field: FieldSelector<Keys, Value>, at entry: YAMLValue.MappingEntry) -> Value? {
    let declaration = field(keys)
    guard entry.key == declaration.name else { return nil }
    if value.conventions.nullMeansAbsent && !declaration.shape.readsNull && entry.value.isNull { return nil }
    return declaration.shape.read(entry.value)
  }

  /// Where a key is written (its key node), for problems about the key itself.
  public func keyValue<Value>(of field: FieldSelector<Keys, Value>) -> YAMLValue? {
    let name = field(keys).name
    return entries.first { $0.key == name }?.keyValue
  }
}
