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
    Array(line.utf8).withUnsafeBytes { PolicyAnswerScanner.batchAnswer($0, as: NodeScaleDownAction.self) }
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
}
