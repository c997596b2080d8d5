import Foundation
import Testing

@testable import Policies

/// ``PolicyAnswerScanner`` against `JSONDecoder`, the oracle it stands in for: on every
/// line it reads it must give what the decoder gives, and every line the decoder
/// rejects it must leave to the decoder (nil), so faults are still named by the
/// decoder's path.
@Suite("Policy answer scanner")
struct PolicyAnswerScannerTests {
  static func scanned(_ line: String) -> (id: Int64, actions: [NodeScaleDownAction])? {
    Array(line.utf8).withUnsafeBytes {
      PolicyAnswerScanner.batchAnswer($0, as: NodeScaleDownAction.self, shape: .objects)
    }
  }

  static func decoded(_ line: String) -> BatchResponseBody<NodeScaleDownAction>? {
    try? JSONDecoder().decode(BatchResponseBody<NodeScaleDownAction>.self, from: Data(line.utf8))
  }

  /// Lines the scanner reads itself: each must equal the decoder's reading.
  static let plain = [
    #"{"type": "actions", "id": 7, "actions": [{"remove": true}, {"remove": false}]}"#,
    #"{"type":"actions","id":7,"actions":[{"remove":true},{"remove":false}]}"#,
    #"{"id": 12, "actions": []}"#,
    #"{"actions": [{"remove": false}], "type": "actions", "id": 3}"#,
    " \t{ \"id\" : 0 ,\r\n \"actions\" : [ { \"remove\" : true } ] } \r",
    #"{"type": "actions", "id": 9223372036854775807, "actions": [{"remove": true}]}"#,
    #"{"type": "actions", "id": -5, "actions": [{"remove": true}]}"#,
    #"{"type": "", "id": 1, "actions": [{"remove": false}, {"remove": false}, {"remove": true}]}"#,
  ]

  /// Lines the scanner must leave to the decoder: unusual but valid, or invalid.
  static let leftToDecoder = [
    // valid for the decoder, not read by the scanner
    #"{"type": "actions", "id": 7, "actions": [{"remove": true, "reason": "idle"}]}"#,
    #"{"type": "actions", "id": 7, "extra": 1, "actions": [{"remove": true}]}"#,
    #"{"type": "act\u0069ons", "id": 7, "actions": [{"remove": true}]}"#,
    #"{"type": null, "id": 7, "actions": [{"remove": true}]}"#,
    #"{"type": "actiöns", "id": 7, "actions": [{"remove": true}]}"#,
    // Foundation's decoder reads an exponent as an integer, and allows a trailing comma
    #"{"type": "actions", "id": 1e2, "actions": [{"remove": true}]}"#,
    #"{"type": "actions", "id": 7, "actions": [{"remove": true},]}"#,
    // invalid: wrong types, missing fields, bad JSON
    #"{"type": "actions", "id": 7, "actions": [{"remove": "yes"}]}"#,
    #"{"type": "actions", "id": 7, "actions": [{}]}"#,
    #"{"type": "actions", "id": 7}"#,
    #"{"type": "actions", "actions": [{"remove": true}]}"#,
    #"{"type": "actions", "id": "7", "actions": [{"remove": true}]}"#,
    #"{"type": "actions", "id": 7.5, "actions": [{"remove": true}]}"#,
    #"{"type": "actions", "id": 9223372036854775808, "actions": [{"remove": true}]}"#,
    #"{"type": "actions", "id": 07, "actions": [{"remove": true}]}"#,
    #"{"type": "actions", "id": 7, "actions": [{"remove": truex}]}"#,
    #"{"type": "actions", "id": 7, "actions": [{"remove": tru}]}"#,
    #"{"type": "actions", "id": 7, "actions": [{"remove": true}]} x"#,
    #"{"type": "actions", "id": 7, "actions": [{"remove": true}]"#,
    #"{"type": "actions" "id": 7, "actions": [{"remove": true}]}"#,
    #"{"type": "actions", "id": 7, "actions": {"remove": true}}"#,
    #"["#,
    "",
    "null",
  ]

  @Test("plain answers are read as JSONDecoder reads them")
  func plainAnswersMatchTheDecoder() throws {
    for line in Self.plain {
      let scanned = try #require(Self.scanned(line), "not scanned: \(line)")
      let decoded = try #require(Self.decoded(line), "the decoder rejects: \(line)")
      #expect(scanned.id == decoded.id, "\(line)")
      #expect(scanned.actions == decoded.actions, "\(line)")
    }
  }

  @Test("unusual and faulty answers are left to JSONDecoder")
  func everythingElseIsLeftToTheDecoder() {
    for line in Self.leftToDecoder {
      #expect(Self.scanned(line) == nil, "scanned: \(line)")
    }
    // The first seven are valid: the decoder's path still accepts them.
    for line in Self.leftToDecoder.prefix(7) {
      #expect(Self.decoded(line) != nil, "the decoder rejects: \(line)")
    }
    for line in Self.leftToDecoder.dropFirst(7) {
      #expect(Self.decoded(line) == nil, "the decoder accepts: \(line)")
    }
  }

  @Test("a long batch is read element by element, as the decoder reads it")
  func longBatch() throws {
    let removes = (0..<1_000).map { $0 % 3 == 0 || $0 % 7 == 1 }
    let line =
      #"{"type": "actions", "id": 42, "actions": ["#
      + removes.map { #"{"remove": \#($0)}"# }.joined(separator: ", ") + "]}"
    let scanned = try #require(Self.scanned(line))
    #expect(scanned.id == 42)
    #expect(scanned.actions.map(\.remove) == removes)
    #expect(scanned.actions == Self.decoded(line)?.actions)
  }

  // MARK: - v3 columns

  static func scannedColumns(_ line: String) -> (id: Int64, actions: [NodeScaleDownAction])? {
    Array(line.utf8).withUnsafeBytes {
      PolicyAnswerScanner.batchAnswer($0, as: NodeScaleDownAction.self, shape: .columns)
    }
  }

  /// The decoder's path for `v3` answers, on a connection that never starts a process.
  static func decodedColumns(_ line: String, id: Int64, count: Int) -> [NodeScaleDownAction]? {
    let connection = PolicyConnection(
      point: .nodeScaleDown, command: ExternalPolicyCommand(arguments: ["true"], workingDirectory: "/"),
      context: PolicyRunContext(scenarioName: "s", runID: 1, seed: 1, startEpochSeconds: 0))
    return try? connection.decodeColumns(Data(line.utf8), id: id, count: count, as: NodeScaleDownAction.self)
  }

  static let plainColumns = [
    #"{"type": "actions", "id": 7, "columns": {"remove": [true, false, true]}}"#,
    #"{"type":"actions","id":7,"columns":{"remove":[true,false,true]}}"#,
    #"{"columns": {"remove": [true, false, true]}, "id": 7}"#,
    " \t{ \"id\" : 7 ,\r\n \"columns\" : { \"remove\" : [ true ,false, true ] } } \r",
  ]

  /// Valid `v3` answers the scanner leaves to the decoder's path, with their reading.
  static let unusualColumns = [
    #"{"type": "actions", "id": 7, "columns": {"remove": [true, false, true], "reason": ["a", "b", "c"]}}"#,
    #"{"type": "actions", "id": 7, "columns": {"remov\u0065": [true, false, true]}}"#,
    #"{"type": "actions", "id": 7, "columns": {"reason": [null, null, 1], "remove": [true, false, true]}}"#,
    #"{"type": "actions", "id": 7, "extra": {"a": [1, {"b": "]}"}]}, "columns": {"remove": [true, false, true]}}"#,
  ]

  /// Faulty `v3` answers: the scanner gives up, the decoder's path throws.
  static let faultyColumns = [
    #"{"type": "actions", "id": 7, "columns": {"remove": [true, false]}}"#,
    #"{"type": "actions", "id": 7, "columns": {"remove": [true, false, true, false]}}"#,
    #"{"type": "actions", "id": 7, "columns": {"remove": [true, "no", true]}}"#,
    #"{"type": "actions", "id": 7, "columns": {"remove": [true, null, true]}}"#,
    #"{"type": "actions", "id": 7, "columns": {"remove": [1, 0, 1]}}"#,
    #"{"type": "actions", "id": 7, "columns": {"remove": true}}"#,
    #"{"type": "actions", "id": 7, "columns": [[true, false, true]]}"#,
    #"{"type": "actions", "id": 7, "columns": {}}"#,
    #"{"type": "actions", "id": 7, "columns": {"remove": [true, false, true], "remove": [true, false, true]}}"#,
    #"{"type": "actions", "id": 7, "actions": [{"remove": true}, {"remove": false}, {"remove": true}]}"#,
    #"{"type": "actions", "id": 8, "columns": {"remove": [true, false, true]}}"#,
    #"{"type": "actions", "columns": {"remove": [true, false, true]}}"#,
    #"{"type": "actions", "id": 7, "columns": {"remove": [true, false, tru]}}"#,
    #"{"type": "actions", "id": 7, "columns": {"remove": [true, false, true]}} x"#,
  ]

  @Test("plain v3 answers are read as the decoder's path reads them; others are left to it")
  func columnarAnswers() throws {
    let expected = [true, false, true].map { NodeScaleDownAction(remove: $0) }
    for line in Self.plainColumns {
      let scanned = try #require(Self.scannedColumns(line), "not scanned: \(line)")
      #expect(scanned.id == 7)
      #expect(scanned.actions == expected, "\(line)")
      #expect(Self.decodedColumns(line, id: 7, count: 3) == expected, "\(line)")
    }
    for line in Self.unusualColumns {
      #expect(Self.scannedColumns(line) == nil, "scanned: \(line)")
      #expect(Self.decodedColumns(line, id: 7, count: 3) == expected, "\(line)")
    }
    for line in Self.faultyColumns {
      if let scanned = Self.scannedColumns(line) {
        // Only the length and the id are the caller's to check.
        #expect(scanned.actions.count != 3 || scanned.id != 7, "scanned: \(line)")
      }
      #expect(Self.decodedColumns(line, id: 7, count: 3) == nil, "accepted: \(line)")
    }
  }
}
