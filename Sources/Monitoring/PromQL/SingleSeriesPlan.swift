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
///
/// The hot path does no reference counting: nodes hold their children and selectors as
/// `Unmanaged` references (the plan owns them), selector nodes keep the series they
/// resolved until the store registers another, and windows are read as borrowed buffers.
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
  private let root: Unmanaged<Node>

  /// Compiles `expr`, or returns nil when it is outside the supported subset.
  public init?(_ expr: Expr) {
    var nodes: [Node] = []
    guard let root = Node.compile(expr, &nodes), root.type == .vector else { return nil }
    self.expr = expr
    self.nodes = nodes
    self.root = Unmanaged.passUnretained(root)
  }

  /// Whether `expr` evaluated at `t` is empty, present, or beyond the plan.
  public func outcome(atMs t: Int64, engine: PromQLEngine) -> Outcome {
    let value = root._withUnsafeGuaranteedRef({ $0.evaluate(t, engine) })
    lastValue = value
    switch value {
    case .empty: return .empty
    case .one: return .present
    case .unknown: return .unknown
    }
  }

  @exclusivity(unchecked) private var lastValue = Value.unknown

  /// The sample the expression returned at the last ``outcome(atMs:engine:)`` that was
  /// ``Outcome/present`` — the generic engine's sample, labels included — or nil when
  /// the plan cannot name its labels.
  ///
  /// Why: a per-service alert that is firing is present at every evaluation until it
  /// resolves; without this, each of those evaluations ran the generic engine.
  public func presentSample(engine: PromQLEngine) -> Sample? {
    guard case .one(let value, let id) = lastValue,
      let labels = root._withUnsafeGuaranteedRef({ $0.outputLabels(id, engine) })
    else { return nil }
    return Sample(labels: labels, value: value)
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
    /// The labels of this node's last `.one` result (`id` is the series it carried), or
    /// nil when they cannot be named.
    func outputLabels(_ id: SeriesID, _ engine: PromQLEngine) -> Labels? {
      hasLabels ? labels(id, engine.store) : nil
    }

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
        // `@` selectors stay on the generic evaluator.
        return selector.hasAtModifier ? nil : SelectorNode(selector)
      case .call(let function, let arguments, _):
        switch function {
        case .rate, .increase, .delta, .irate, .idelta, .changes, .resets, .avgOverTime,
          .sumOverTime,
          .countOverTime, .maxOverTime, .minOverTime, .lastOverTime:
          guard case .matrix(let selector, let rangeMs) = arguments[0], !selector.hasAtModifier else { return nil }
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

  /// The series a selector matches, resolved once per store generation.
  struct Resolution {
    private let selector: Unmanaged<VectorSelector>
    private var generation = -1
    private var store: ObjectIdentifier?
    private(set) var count = 0
    private(set) var first = SeriesID(rawValue: 0)

    init(_ selector: VectorSelector) { self.selector = Unmanaged.passUnretained(selector) }

    @inline(__always) mutating func refresh(_ store: SeriesStore) {
      let identity = ObjectIdentifier(store)
      if generation == store.generation && self.store == identity { return }
      (count, first) = selector._withUnsafeGuaranteedRef { $0.countAndFirst(in: store) }
      generation = store.generation
      self.store = identity
    }
  }

  final class SelectorNode: Node {
    let offsetMs: Int64
    @exclusivity(unchecked) var resolution: Resolution
    init(_ selector: VectorSelector) {
      offsetMs = selector.offsetMs
      resolution = Resolution(selector)
    }

    override func evaluate(_ t: Int64, _ engine: PromQLEngine) -> Value {
      resolution.refresh(engine.store)
      if resolution.count == 0 { return .empty }
      if resolution.count > 1 { return .unknown }
      let id = resolution.first
      guard let value = engine.store.instantSample(id, atMs: t - offsetMs, lookbackMs: engine.lookbackMs)
      else { return .empty }
      return .one(value, id)
    }

    override func labels(_ id: SeriesID, _ store: SeriesStore) -> Labels { store.labels(of: id) }
  }

  final class RangeNode: Node {
    let function: PromQLFunction
    let offsetMs: Int64
    let rangeMs: Int64
    @exclusivity(unchecked) var resolution: Resolution
    @exclusivity(unchecked) private var cursor = SeriesStore.RangeCursor()
    init(_ function: PromQLFunction, _ selector: VectorSelector, _ rangeMs: Int64) {
      self.function = function
      offsetMs = selector.offsetMs
      self.rangeMs = rangeMs
      resolution = Resolution(selector)
    }

    override func evaluate(_ t: Int64, _ engine: PromQLEngine) -> Value {
      resolution.refresh(engine.store)
      if resolution.count == 0 { return .empty }
      if resolution.count > 1 { return .unknown }
      let id = resolution.first
      let end = t - offsetMs
      let value: Double?
      if let window = engine.store.window(id, fromMs: end - rangeMs, toMs: end, cursor: &cursor) {
        value = compute(window.times, window.values, end, engine)
      } else {
        value = engine.store.withRange(id, fromMs: end - rangeMs, toMs: end) { compute($0, $1, end) }
      }
      guard let value else { return .empty }
      return .one(value, id)
    }

    /// Rates share the engine's boundary arithmetic with every window of the same
    /// timestamps (``extrapolatedRate(_:_:rangeStartMs:rangeEndMs:rangeMs:isCounter:isRate:boundaries:)``).
    @inline(__always) private func compute(
      _ times: UnsafeBufferPointer<Int64>, _ values: UnsafeBufferPointer<Double>, _ end: Int64,
      _ engine: PromQLEngine
    ) -> Double? {
      switch function {
      case .rate, .increase, .delta:
        return extrapolatedRate(
          times, values, rangeStartMs: end - rangeMs, rangeEndMs: end, rangeMs: rangeMs,
          isCounter: function != .delta, isRate: function == .rate, boundaries: &engine.scratch.rateBoundaries)
      default:
        return compute(times, values, end)
      }
    }

    @inline(__always) private func compute(
      _ times: UnsafeBufferPointer<Int64>, _ values: UnsafeBufferPointer<Double>, _ end: Int64
    ) -> Double? {
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

    override func labels(_ id: SeriesID, _ store: SeriesStore) -> Labels {
      function == .lastOverTime ? store.labels(of: id) : store.labelsWithoutName(of: id)
    }
  }

  final class MathNode: Node {
    let function: PromQLFunction
    let childRef: Unmanaged<Node>
    var child: Node { childRef.takeUnretainedValue() }
    init(_ function: PromQLFunction, _ child: Node) {
      self.function = function
      childRef = Unmanaged.passUnretained(child)
    }
    override var hasLabels: Bool { child.hasLabels }

    override func evaluate(_ t: Int64, _ engine: PromQLEngine) -> Value {
      let value = childRef._withUnsafeGuaranteedRef { $0.evaluate(t, engine) }
      guard case .one(let sample, let id) = value else { return value }
      return .one(PromQLEngine.mathFunction(function, sample), id)
    }

    override func labels(_ id: SeriesID, _ store: SeriesStore) -> Labels {
      child.labels(id, store).droppingMetricName()
    }

    override func outputLabels(_ id: SeriesID, _ engine: PromQLEngine) -> Labels? {
      child.outputLabels(id, engine)?.droppingMetricName()
    }
  }

  final class AggregateNode: Node {
    unowned(unsafe) let aggregation: Aggregation
    let isCount: Bool
    let childRef: Unmanaged<Node>
    var child: Node { childRef.takeUnretainedValue() }
    init(_ aggregation: Aggregation, _ child: Node) {
      self.aggregation = aggregation
      isCount = aggregation.op == .count
      childRef = Unmanaged.passUnretained(child)
    }

    override func evaluate(_ t: Int64, _ engine: PromQLEngine) -> Value {
      let value = childRef._withUnsafeGuaranteedRef { $0.evaluate(t, engine) }
      guard case .one(let sample, let id) = value else { return value }
      // One sample in one group: sum, avg, min and max are the sample, count is 1.
      return .one(isCount ? 1 : sample, id)
    }

    override func labels(_ id: SeriesID, _ store: SeriesStore) -> Labels {
      if aggregation.grouping.isEmpty && !aggregation.without { return .empty }
      let labels = child.labels(id, store)
      return aggregation.without
        ? labels.removing(aggregation.grouping + [Labels.metricName])
        : labels.keeping(aggregation.grouping)
    }

    override func outputLabels(_ id: SeriesID, _ engine: PromQLEngine) -> Labels? {
      if aggregation.grouping.isEmpty && !aggregation.without { return .empty }
      guard let labels = child.outputLabels(id, engine) else { return nil }
      return aggregation.without
        ? labels.removing(aggregation.grouping + [Labels.metricName])
        : labels.keeping(aggregation.grouping)
    }
  }

  final class VectorScalarNode: Node {
    unowned(unsafe) let binary: BinaryExpression
    let op: BinaryOperator
    let returnBool: Bool
    let childRef: Unmanaged<Node>
    var child: Node { childRef.takeUnretainedValue() }
    let scalar: Double
    let swapped: Bool
    init(_ binary: BinaryExpression, _ child: Node, _ scalar: Double, swapped: Bool) {
      self.binary = binary
      op = binary.op
      returnBool = binary.returnBool
      childRef = Unmanaged.passUnretained(child)
      self.scalar = scalar
      self.swapped = swapped
    }
    override var hasLabels: Bool { child.hasLabels }

    override func evaluate(_ t: Int64, _ engine: PromQLEngine) -> Value {
      let value = childRef._withUnsafeGuaranteedRef { $0.evaluate(t, engine) }
      guard case .one(let sample, let id) = value else { return value }
      let (l, r) = swapped ? (scalar, sample) : (sample, scalar)
      var (result, keep) = engine.elementOperation(op, l, r)
      if op.isComparison && swapped { result = r }
      if returnBool {
        result = keep ? 1 : 0
        keep = true
      }
      return keep ? .one(result, id) : .empty
    }

    override func labels(_ id: SeriesID, _ store: SeriesStore) -> Labels {
      let labels = child.labels(id, store)
      return binary.op.isComparison && !binary.returnBool ? labels : labels.droppingMetricName()
    }

    override func outputLabels(_ id: SeriesID, _ engine: PromQLEngine) -> Labels? {
      guard let labels = child.outputLabels(id, engine) else { return nil }
      return op.isComparison && !returnBool ? labels : labels.droppingMetricName()
    }
  }

  final class VectorVectorNode: Node {
    unowned(unsafe) let binary: BinaryExpression
    let op: BinaryOperator
    let returnBool: Bool
    let matching: VectorMatching
    let lhsRef: Unmanaged<Node>
    let rhsRef: Unmanaged<Node>
    var lhs: Node { lhsRef.takeUnretainedValue() }
    var rhs: Node { rhsRef.takeUnretainedValue() }
    @exclusivity(unchecked) private var cachedPair: (SeriesID, SeriesID, Bool)?
    /// The series of the last matching evaluation, for ``outputLabels(_:_:)``.
    @exclusivity(unchecked) private var lastPair: (SeriesID, SeriesID)?

    /// The generic path's result metric for the last matched pair (`vectorVector`).
    override func outputLabels(_ id: SeriesID, _ engine: PromQLEngine) -> Labels? {
      guard let (leftID, rightID) = lastPair, leftID == id else { return nil }
      return engine.oneToOneResultMetric(
        binary, lhs.labels(leftID, engine.store), rhs.labels(rightID, engine.store), matching)
    }
    init(_ binary: BinaryExpression, _ matching: VectorMatching, _ lhs: Node, _ rhs: Node) {
      self.binary = binary
      op = binary.op
      returnBool = binary.returnBool
      self.matching = matching
      lhsRef = Unmanaged.passUnretained(lhs)
      rhsRef = Unmanaged.passUnretained(rhs)
    }
    // The result's labels combine two series; parents needing labels fall back.
    override var hasLabels: Bool { false }

    override func evaluate(_ t: Int64, _ engine: PromQLEngine) -> Value {
      let left = lhsRef._withUnsafeGuaranteedRef { $0.evaluate(t, engine) }
      let right = rhsRef._withUnsafeGuaranteedRef { $0.evaluate(t, engine) }
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
      lastPair = (leftID, rightID)
      var (value, keep) = engine.elementOperation(op, l, r)
      if returnBool {
        value = keep ? 1 : 0
        keep = true
      }
      return keep ? .one(value, leftID) : .empty
    }
  }
}
