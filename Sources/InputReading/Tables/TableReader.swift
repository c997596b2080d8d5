import Foundation
import Yams

/// How a table file is written.
public enum TableEncoding: String, Sendable, CaseIterable {
  /// Comma-separated values with a header row naming the columns (RFC 4180).
  case csv
  /// One JSON object per line, its keys naming the columns.
  case jsonLines = "json-lines"
}

/// Reads tabular record files — CSV with a header, or JSON lines — whose columns are
/// declared as the ``Field``s of an ``ObjectKeys`` type, exactly like a YAML mapping's
/// keys: each record is handed over as an ``ObjectReader``, so columns are read typed
/// (`record[\.gpuMilli]`) and every problem is a ``Diagnostic`` at the record's line,
/// the cell's column and the column's name (`pods.csv:13:24: error: gpu_milli: found
/// `x`, expected a non-negative integer`).
///
/// Columns the declaration does not know are accepted or rejected as the object's
/// ``UnknownKeyPolicy`` says (traces carry many columns a reader ignores). An empty cell
/// or a JSON `null` is an absent value; a required column that is absent is an error
/// at its cell. Every record is read and every error reported; a record that cannot
/// be split (a line that is not JSON, a CSV row with the wrong number of fields) is
/// reported and skipped.
public enum TableReader {
  /// Conventions of table files: PlatformSim's wording; an empty value is absent.
  public static let conventions = InputConventions(
    quote: { "`\($0)`" }, suggestsPrefixes: false, explainsExpectations: true, nullMeansAbsent: true,
    mergesKeys: false)

  /// Reads every record of `text`, handing each to `body` in file order.
  ///
  /// - Parameters:
  ///   - file: the name used in messages, and the directory paths are relative to.
  ///   - impliedHeader: the published header of a format whose files have none (PAI
  ///     2020): used when the first row is not that header, and that row read as data.
  ///   - body: reads one record; its problems go to `log` (through the reader).
  public static func read<Columns: ObjectKeys>(
    _ text: String, file: String, encoding: TableEncoding, columns: Columns.Type, log: DiagnosticLog,
    impliedHeader: [String]? = nil, _ body: (ObjectReader<Columns>) -> Void
  ) {
    let context = ReadContext(file: file, log: log, conventions: conventions)
    switch encoding {
    case .csv: readCSV(text, context: context, impliedHeader: impliedHeader, body)
    case .jsonLines: readJSONLines(text, context: context, body)
    }
  }

  static func readCSV<Columns: ObjectKeys>(
    _ text: String, context: ReadContext, impliedHeader: [String]? = nil, _ body: (ObjectReader<Columns>) -> Void
  ) {
    var scanner = CSVScanner(text)
    do {
      guard var header = try scanner.nextRecord() else {
        context.log.add(
          Diagnostic(
            file: context.file, line: 1, column: 1, message: "the file is empty",
            hint: "a CSV file starts with a header row naming its columns"))
        return
      }
      var firstRecord: (line: Int, cells: [TableCell])?
      if let impliedHeader, header.cells.map({ $0.text.trimmingCharacters(in: .whitespaces) }) != impliedHeader {
        firstRecord = header
        header.cells = impliedHeader.map {
          TableCell(text: $0, isQuoted: false, nested: nil, line: header.line, column: 1)
        }
      }
      guard let names = checkHeader(header.cells, Columns.self, context: context) else { return }
      let emptyMapping = Node.mapping(Node.Mapping([]))
      while true {
        let next: (line: Int, cells: [TableCell])?
        if let first = firstRecord.take() { next = first } else { next = try scanner.nextRecord() }
        guard let (line, cells) = next else { break }
        guard cells.count == names.count else {
          context.log.add(
            Diagnostic(
              at: context.location(line: line, column: 1),
              message: "found \(cells.count) fields, expected \(names.count) (one per header column)",
              hint: "quote a field that holds a comma"))
          continue
        }
        var entries: [YAMLValue.MappingEntry] = []
        entries.reserveCapacity(cells.count)
        for (name, cell) in zip(names, cells) {
          let value = self.value(of: cell, path: name.path, context: context)
          entries.append(YAMLValue.MappingEntry(key: name.text, keyValue: name.header, value: value))
        }
        let record = YAMLValue(node: emptyMapping, path: .root, context: context, line: line, column: 1)
        body(ObjectReader(reading: record, entries: entries, checksKeys: false))
      }
    } catch {
      context.log.add(
        Diagnostic(
          at: context.location(line: error.line, column: error.column), message: "invalid CSV: \(error.message)"))
    }
  }

  /// The header's names, with unknown, duplicate and missing required columns reported;
  /// `nil` when records cannot be read against it.
  static func checkHeader<Columns: ObjectKeys>(_ cells: [TableCell], _ columns: Columns.Type, context: ReadContext)
    -> [(text: String, path: DocumentKeyPath, header: YAMLValue)]?
  {
    let object = Columns.schema.description
    let quote = context.conventions.quote
    var names: [(text: String, path: DocumentKeyPath, header: YAMLValue)] = []
    var valid = true
    for cell in cells {
      let name = cell.text.trimmingCharacters(in: .whitespaces)
      let path = DocumentKeyPath([.key(name)])
      let header = value(of: cell, path: path, context: context)
      if names.contains(where: { $0.text == name }) {
        header.error("the column \(quote(name)) appears twice in the header")
        valid = false
      } else if !object.fieldNames.contains(name) && object.unknownKeys == .rejected {
        header.error(
          "unknown column \(quote(name))",
          hint: nearestMatch(to: name, in: object.fieldNames).map(context.conventions.didYouMean)
            ?? "columns: " + object.fieldNames.map(quote).joined(separator: ", "))
        valid = false
      }
      names.append((name, path, header))
    }
    for field in object.fields where field.isRequired && !names.contains(where: { $0.text == field.name }) {
      let near = nearestMatch(to: field.name, in: names.map(\.text))
      context.log.add(
        Diagnostic(
          at: context.location(line: cells.first?.line ?? 1, column: 1),
          message: "missing required column \(quote(field.name)), expected \(field.schema.expectation)",
          hint: near.map { "the header has \(quote($0)); rename it to \(quote(field.name))" }
            ?? "\(quote(field.name)): \(field.summary)"))
      valid = false
    }
    return valid ? names : nil
  }

  static func readJSONLines<Columns: ObjectKeys>(
    _ text: String, context: ReadContext, _ body: (ObjectReader<Columns>) -> Void
  ) {
    for (offset, lineText) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = offset + 1
      guard lineText.contains(where: { !$0.isWhitespace }) else { continue }
      var parser = JSONLineParser(lineText, line: line)
      let members: [(key: String, keyColumn: Int, value: TableCell)]
      do {
        members = try parser.parseObject()
      } catch {
        context.log.add(
          Diagnostic(
            at: context.location(line: error.line, column: error.column), message: "invalid JSON: \(error.message)"))
        continue
      }
      var entries: [YAMLValue.MappingEntry] = []
      for (key, keyColumn, cell) in members {
        let path = DocumentKeyPath([.key(key)])
        let keyValue = YAMLValue(
          node: .scalar(Node.Scalar(key, implicitTag(), .doubleQuoted)), path: path, context: context, line: line,
          column: keyColumn)
        entries.append(
          YAMLValue.MappingEntry(key: key, keyValue: keyValue, value: value(of: cell, path: path, context: context)))
      }
      let record = YAMLValue(
        node: .mapping(Node.Mapping([])), path: .root, context: context, line: line, column: 1)
      body(ObjectReader(reading: record, entries: entries))
    }
  }

  /// A cell as a located value: a plain scalar (so numbers read as numbers), a
  /// double-quoted one for a JSON string, or the YAML node of a nested JSON value.
  static func value(of cell: TableCell, path: DocumentKeyPath, context: ReadContext) -> YAMLValue {
    YAMLValue(node: node(of: cell), path: path, context: context, line: cell.line, column: cell.column)
  }

  /// Yams' default constructor, built once.
  ///
  /// `Tag.implicit` builds a new one (three dictionaries) for every cell, which was most
  /// of the time spent reading a
  /// million-row trace. A `Constructor` is immutable once made, so one serves every tag;
  /// each tag stays its own object, since resolving an implicit tag rewrites its name.
  nonisolated(unsafe) static let sharedConstructor = Constructor.default

  /// A fresh implicit tag with the shared constructor.
  static func implicitTag() -> Tag { Tag(.implicit, .default, sharedConstructor) }

  static func node(of cell: TableCell) -> Node {
    switch cell.nested {
    case .object(let members)?:
      return .mapping(
        Node.Mapping(
          members.map { (Node.scalar(Node.Scalar($0.key, implicitTag(), .doubleQuoted)), node(of: $0.value)) }))
    case .array(let elements)?:
      return .sequence(Node.Sequence(elements.map(node(of:))))
    case nil:
      return .scalar(Node.Scalar(cell.text, implicitTag(), cell.isQuoted ? .doubleQuoted : .plain))
    }
  }
}
