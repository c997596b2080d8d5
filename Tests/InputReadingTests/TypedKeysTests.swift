import Foundation
import InputReading
import SimKernel
import Testing

@Suite("Typed keys")
struct TypedKeysTests {
  @Test("fields read typed values through key paths, including nested and recursive objects")
  func typedValues() throws {
    let (reader, diagnostics, _) = read(
      """
      name: gpu
      size: 3
      spot: true
      window: 2h30m
      zones: [eu-a, eu-b]
      labels: {accelerator: a10g}
      startup: {lognormal: {median: 2m, p90: 5m}}
      children:
        - name: child
          children: [{name: grandchild, size: 2}]
      """, as: Pool.self)
    let pool = try #require(reader)
    let size: Int? = pool[\.size]
    #expect(size == 3)
    #expect(pool[\.name] == "gpu")
    #expect(pool[\.spot] == true)
    #expect(pool[\.window] == .minutes(150))
    #expect(pool[\.zones]?.read() == ["eu-a", "eu-b"])
    #expect(pool[\.labels]?.read()?.map { "\($0.key)=\($0.value)" } == ["accelerator=a10g"])
    #expect(pool[\.startup] == .lognormal(median: 120, p90: 300))
    let grandchild = pool[\.children]?.read()?.first?[\.children]?.read()?.first
    #expect(grandchild?[\.name] == "grandchild")
    #expect(grandchild?[\.size] == 2)
    #expect(diagnostics.isEmpty)
  }

  @Test("every problem of a file is reported in one pass, located, with what was expected and a hint")
  func everyProblemAtOnce() {
    let (reader, _, log) = read(
      """
      size: "4"
      spot: yes
      window: 30
      zones: [eu-a, eu-c]
      lables: {a: b}
      legacy: true
      children:
        - {name: ok, size: 11}
        - name: also
          sise: 2
      """, as: Pool.self)
    _ = reader?[\.size]
    _ = reader?[\.spot]
    _ = reader?[\.window]
    _ = reader?[\.zones]?.read()
    _ = reader?[\.children]?.map { $0[\.size] }
    #expect(
      log.diagnostics.map(\.rendered) == [
        "pool.yaml:5:1: error: lables: unknown key `lables`; did you mean `labels`?",
        "pool.yaml:6:1: warning: legacy: `legacy` is not modelled by PlatformSim and is ignored",
        "pool.yaml:1:1: error: missing required key `name`, expected a string; `name`: Pool name.",
        "pool.yaml:1:7: error: size: found `4`, expected an integer from 1 to 10; "
          + "the value is quoted, so it is a string; remove the quotes",
        "pool.yaml:2:7: error: spot: found `yes`, expected `true` or `false`",
        "pool.yaml:3:9: error: window: found `30`, expected a positive duration such as `90s`, `5m`, `2h30m` or "
          + "`30d`; add a unit, e.g. `30s` or `30m`",
        "pool.yaml:4:15: error: zones[1]: found `eu-c`, expected one of `eu-a`, `eu-b`; did you mean `eu-a`?",
        "pool.yaml:8:22: error: children[0].size: found `11`, expected an integer from 1 to 10",
        "pool.yaml:10:5: error: children[1].sise: unknown key `sise`; did you mean `size`?",
      ])
    #expect(log.errorCount == 8)
  }

  @Test("a misspelt required key is reported once, as the typo")
  func typoOfRequiredKey() {
    let (_, diagnostics, _) = read("nmae: gpu\n", as: Pool.self)
    #expect(diagnostics == ["pool.yaml:1:1: error: nmae: unknown key `nmae`; did you mean `name`?"])
  }

  @Test("Go conventions: merge keys (explicit wins, appending keys keep both), null is absent, Go quoting")
  func goConventions() throws {
    let (reader, _, log) = read(
      """
      base: &base {receiver: pagerduty, size: 2, tags: [a]}
      pools:
        - <<: *base
          name: merged
          size: 5
          tags: [b]
        - name: ~
          recever: x
      """, as: GoFile.self, conventions: goStyle)
    let pools = try #require(reader?[\.pools]?.read())
    #expect(pools[0][\.receiver] == "pagerduty")
    #expect(pools[0][\.size] == 5)
    #expect(pools[0].presentEntries.map(\.key) == ["receiver", "tags", "name", "size", "tags"])
    #expect(pools[0].presentEntries.compactMap { pools[0].read(\.tags, at: $0)?.read() } == [["a"], ["b"]])
    #expect(pools[1][\.name] == nil)
    #expect(
      log.diagnostics.map(\.rendered) == [
        #"pool.yaml:8:5: error: pools[1].recever: unknown key "recever"; did you mean "receiver"?"#,
        #"pool.yaml:7:11: error: pools[1].name: missing required key "name""#,
      ])
  }

  @Test("the JSON Schema comes from the same declaration: types, bounds, required keys, recursion")
  func jsonSchema() throws {
    let text = JSONSchemaWriter.schema(for: testFormat)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    #expect(object["$id"] as? String == "https://example.invalid/pool.json")
    #expect(object["required"] as? [String] == ["name"])
    #expect(object["additionalProperties"] as? Bool == false)
    let properties = try #require(object["properties"] as? [String: Any])
    let size = try #require(properties["size"] as? [String: Any])
    #expect(size["minimum"] as? Int == 1 && size["maximum"] as? Int == 10)
    #expect(properties["legacy"] != nil, "ignored keys are accepted")
    let definitions = try #require(object["$defs"] as? [String: Any])
    #expect(Set(definitions.keys) == ["Pool", "Duration", "DurationDistribution"])
    #expect(text.contains(##""$ref": "#/$defs/Pool""##), "children refer to Pool itself")
  }

  @Test("the key reference lists every key of every object reached")
  func keyReference() {
    let markdown = KeyReferenceWriter.markdown(for: testFormat)
    #expect(markdown.contains("### Pool"))
    #expect(markdown.contains("| `size` | an integer from 1 to 10 | no | 1 | Nodes. |"))
    #expect(
      markdown.contains("| `children` | list of [Pool](#pool) | no |  | Nested pools (a recursive declaration). |"))
  }

  @Test("a format recognises its own files by kind and apiVersion, or by its keys")
  func signatures() throws {
    let log = DiagnosticLog()
    let byKind = try #require(InputFile.parseDocument("kind: Pool\nname: x\n", file: "a", log: log, emptyHint: nil))
    let byKeys = try #require(InputFile.parseDocument("name: x\n", file: "b", log: log, emptyHint: nil))
    let other = try #require(InputFile.parseDocument("kind: Gate\nname: x\n", file: "c", log: log, emptyHint: nil))
    #expect(testFormat.signature.matches(byKind))
    #expect(testFormat.signature.matches(byKeys))
    #expect(!testFormat.signature.matches(other))
  }
}

/// A file holding Go-read pools.
final class GoFile: ObjectKeys {
  static let schema = ObjectSchema<GoFile>("GoFile", "Pools read as Go reads them.", unknownKeys: .accepted)
  let pools = Field("pools", .list(.object(GoPool.self)), "Pools.")
}
