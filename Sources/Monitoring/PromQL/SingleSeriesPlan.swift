/// A compiled shortcut that decides, without building label sets, whether an alert
/// expression over single series returns nothing.
///
/// Why: a platform rule set is mostly one rule per service (`rate(errors{service="x"}[5m])
/// / rate(requests{service="x"}[5m]) > 0.05`), evaluated every 30 s for a month, and almost
/// always empty. The generic evaluator spends most of its time building label sets and
/// vectors; this plan follows each selector's single series by ID and computes the very
/// same values with the same functions (`extrapolatedRate`, `elementOperation`, ...), so
/// "empty" here is exactly "empty" there. Whenever a selector matches more than one
/// series, or the expression uses anything outside the plan's subset, the answer is
/// ``Outcome/unknown`` and the caller runs the generic engine.
public final class SingleSeriesPlan {
  public enum Outcome: Sendable {
    case empty
    case present
    case unknown
  }

  // The plan owns its expression (so its selectors) and every node; nodes refer to
  // their children and selectors without reference counting.
  private let expr: Expr
  private let nodes: [Node]
  private unowned(unsafe) let root: Node

  /// Compiles `expr`, or returns nil when it is outside the supported subset.
  public init?(_ expr: Expr) {
    var nodes: [Node] = []
    guard let root = Node.compile(expr, &nodes), root.type == .vector else { return nil }
    self.expr = expr
    self.nodes = nodes
    self.root = root
  }

  /// Whether `expr` evaluated at `t` is empty, present, or beyond the plan.
  public func outcome(atMs t: Int64, engine: PromQLEngine) -> Outcome {
    switch root.evaluate(t, engine) {
    case .empty: return .empty
    case .one: return .present
    case .unknown: return .unknown
    }
  }

  /// The value of a node: nothing, one sample (value and the series it came from), or
  /// "more than this plan handles".
  enum Value {
    case empty
    case one(Double, SeriesID)
    case unknown
  }

  class Node {
    var type: PromQLType { .vector }
    /// Whether ``labels(_:_:)`` can name the output labels for a series ID.
    var hasLabels: Bool { true }
    func evaluate(_ t: Int64, _ engine: PromQLEngine) -> Value { .unknown }
    func labels(_ id: SeriesID, _ store: SeriesStore) -> Labels { .empty }

    static func compile(_ expr: Expr, _ nodes: inout [Node]) -> Node? {
      guard let node = build(expr, &nodes) else { return nil }
      nodes.append(node)
      return node
    }

    private static func build(_ expr: Expr, _ nodes: inout [Node]) -> Node? {
      switch expr {
      case .paren(let inner):
        return build(inner, &nodes)
      case .vector(let selector):
        return SelectorNode(selector)
      case .call(let function, let arguments, _):
        switch function {
        case .rate, .increase, .delta, .irate, .idelta, .changes, .resets, .avgOverTime,
          .sumOverTime,
          .countOverTime, .maxOverTime, .minOverTime, .lastOverTime:
          guard case .matrix(let selector, let rangeMs) = arguments[0] else { return nil }
          return RangeNode(function, selector, rangeMs)
        case .abs, .ceil, .floor, .sqrt, .exp, .ln, .log2, .log10, .sgn:
          guard let child = compile(arguments[0], &nodes) else { return nil }
          return MathNode(function, child)
        default:
          return nil
        }
      case .aggregate(let aggregation):
        guard [.sum, .avg, .min, .max, .count].contains(aggregation.op),
          let child = compile(aggregation.expr, &nodes),
          aggregation.grouping.isEmpty && !aggregation.without || child.hasLabels
        else { return nil }
        return AggregateNode(aggregation, child)
      case .binary(let binary):
        guard !binary.op.isSetOperator else { return nil }
        if let matching = binary.matching {
          guard matching.cardinality == .oneToOne, let lhs = compile(binary.lhs, &nodes),
            let rhs = compile(binary.rhs, &nodes), lhs.hasLabels, rhs.hasLabels
          else { return nil }
          return VectorVectorNode(binary, matching, lhs, rhs)
        }
        if case .number(let scalar) = binary.rhs, let lhs = compile(binary.lhs, &nodes) {
          return VectorScalarNode(binary, lhs, scalar, swapped: false)
        }
        if case .number(let scalar) = binary.lhs, let rhs = compile(binary.rhs, &nodes) {
          return VectorScalarNode(binary, rhs, scalar, swapped: true)
        }
        return nil
      default:
        return nil
      }
    }
  }

  final class SelectorNode: Node {
    unowned(unsafe) let selector: VectorSelector
    init(_ selector: VectorSelector) { self.selector = selector }

    override func evaluate(_ t: Int64, _ engine: PromQLEngine) -> Value {
      let (count, id) = selector.countAndFirst(in: engine.store)
      if count == 0 { return .empty }
      if count > 1 { return .unknown }
      guard
        let value = engine.store.instantSample(
          id, atMs: t - selector.offsetMs, lookbackMs: engine.lookbackMs)
      else { return .empty }
      return .one(value, id)
    }

    override func labels(_ id: SeriesID, _ store: SeriesStore) -> Labels { store.labels(of: id) }
  }

  final class RangeNode: Node {
    let function: PromQLFunction
    unowned(unsafe) let selector: VectorSelector
    let rangeMs: Int64
    private var cursor = SeriesStore.RangeCursor()
    init(_ function: PromQLFunction, _ selector: VectorSelector, _ rangeMs: Int64) {
      self.function = function
      self.selector = selector
      self.rangeMs = rangeMs
    }

    override func evaluate(_ t: Int64, _ engine: PromQLEngine) -> Value {
      let (count, id) = selector.countAndFirst(in: engine.store)
      if count == 0 { return .empty }
      if count > 1 { return .unknown }
      let end = t - selector.offsetMs
      let function = function
      let rangeMs = rangeMs
      let value: Double? = engine.store.withRange(
        id, fromMs: end - rangeMs, toMs: end, cursor: &cursor
      ) { times, values in
        switch function {
        case .rate, .increase, .delta:
          return extrapolatedRate(
            times, values, rangeStartMs: end - rangeMs, rangeEndMs: end, rangeMs: rangeMs,
            isCounter: function != .delta, isRate: function == .rate)
        case .irate, .idelta:
          return instantValue(times, values, isRate: function == .irate)
        case .changes, .resets:
          return values.isEmpty ? nil : PromQLEngine.changesOrResets(function, values)
        default:
          return values.isEmpty ? nil : PromQLEngine.overTime(function, values)
        }
      }
      guard let value else { return .empty }
      return .one(value, id)
    }

    override func labels(_ id: SeriesID, _ store: SeriesStore) -> Labels {
      function == .lastOverTime ? store.labels(of: id) : store.labelsWithoutName(of: id)
    }
  }

  final class MathNode: Node {
    let function: PromQLFunction
    unowned(unsafe) let child: Node
    init(_ function: PromQLFunction, _ child: Node) {
      self.function = function
      self.child = child
    }
    override var hasLabels: Bool { child.hasLabels }

    override func evaluate(_ t: Int64, _ engine: PromQLEngine) -> Value {
      let value = child.evaluate(t, engine)
      guard case .one(let sample, let id) = value else { return value }
      return .one(PromQLEngine.mathFunction(function, sample), id)
    }

    override func labels(_ id: SeriesID, _ store: SeriesStore) -> Labels {
      child.labels(id, store).droppingMetricName()
    }
  }

  final class AggregateNode: Node {
    unowned(unsafe) let aggregation: Aggregation
    unowned(unsafe) let child: Node
    init(_ aggregation: Aggregation, _ child: Node) {
      self.aggregation = aggregation
      self.child = child
    }

    override func evaluate(_ t: Int64, _ engine: PromQLEngine) -> Value {
      let value = child.evaluate(t, engine)
      guard case .one(let sample, let id) = value else { return value }
      // One sample in one group: sum, avg, min and max are the sample, count is 1.
      return .one(aggregation.op == .count ? 1 : sample, id)
    }

    override func labels(_ id: SeriesID, _ store: SeriesStore) -> Labels {
      if aggregation.grouping.isEmpty && !aggregation.without { return .empty }
      let labels = child.labels(id, store)
      return aggregation.without
        ? labels.removing(aggregation.grouping + [Labels.metricName])
        : labels.keeping(aggregation.grouping)
    }
  }

  final class VectorScalarNode: Node {
    unowned(unsafe) let binary: BinaryExpression
    unowned(unsafe) let child: Node
    let scalar: Double
    let swapped: Bool
    init(_ binary: BinaryExpression, _ child: Node, _ scalar: Double, swapped: Bool) {
      self.binary = binary
      self.child = child
      self.scalar = scalar
      self.swapped = swapped
    }
    override var hasLabels: Bool { child.hasLabels }

    override func evaluate(_ t: Int64, _ engine: PromQLEngine) -> Value {
      let value = child.evaluate(t, engine)
      guard case .one(let sample, let id) = value else { return value }
      let (l, r) = swapped ? (scalar, sample) : (sample, scalar)
      var (result, keep) = engine.elementOperation(binary.op, l, r)
      if binary.op.isComparison && swapped { result = r }
      if binary.returnBool {
        result = keep ? 1 : 0
        keep = true
      }
      return keep ? .one(result, id) : .empty
    }

    override func labels(_ id: SeriesID, _ store: SeriesStore) -> Labels {
      let labels = child.labels(id, store)
      return binary.op.isComparison && !binary.returnBool ? labels : labels.droppingMetricName()
    }
  }

  final class VectorVectorNode: Node {
    unowned(unsafe) let binary: BinaryExpression
    let matching: VectorMatching
    unowned(unsafe) let lhs: Node
    unowned(unsafe) let rhs: Node
    private var cachedPair: (SeriesID, SeriesID, Bool)?
    init(_ binary: BinaryExpression, _ matching: VectorMatching, _ lhs: Node, _ rhs: Node) {
      self.binary = binary
      self.matching = matching
      self.lhs = lhs
      self.rhs = rhs
    }
    // The result's labels combine two series; parents needing labels fall back.
    override var hasLabels: Bool { false }

    override func evaluate(_ t: Int64, _ engine: PromQLEngine) -> Value {
      let left = lhs.evaluate(t, engine)
      let right = rhs.evaluate(t, engine)
      guard case .one(let l, let leftID) = left, case .one(let r, let rightID) = right else {
        if case .unknown = left { return .unknown }
        if case .unknown = right { return .unknown }
        return .empty
      }
      let matches: Bool
      if let cachedPair, cachedPair.0 == leftID, cachedPair.1 == rightID {
        matches = cachedPair.2
      } else {
        matches = engine.signaturesMatch(
          lhs.labels(leftID, engine.store), rhs.labels(rightID, engine.store), matching)
        cachedPair = (leftID, rightID, matches)
      }
      guard matches else { return .empty }
      var (value, keep) = engine.elementOperation(binary.op, l, r)
      if binary.returnBool {
        value = keep ? 1 : 0
        keep = true
      }
      return keep ? .one(value, leftID) : .empty
    }
  }
}
