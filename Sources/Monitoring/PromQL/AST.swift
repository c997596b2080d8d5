/// The type of a PromQL expression (Prometheus `parser.ValueType`).
public enum PromQLType: String, Sendable {
  case scalar
  case vector = "instant vector"
  case matrix = "range vector"
  case string
}

/// An instant vector selector such as `http_requests_total{job=~"api.*"} offset 5m`.
///
/// A class so that evaluation can cache the matching series IDs against the store's
/// ``SeriesStore/generation``: rule evaluation every 30 s then costs no label matching.
public final class VectorSelector {
  public let name: String
  public let matchers: [LabelMatcher]
  public internal(set) var offsetMs: Int64 = 0
  /// `@ <timestamp>` in milliseconds (Prometheus rounds seconds × 1000).
  public internal(set) var atMs: Int64?
  /// `@ start()` or `@ end()`: the query's time (an instant query's start and end).
  public internal(set) var atQueryTime = false
  /// Whether the selector has an `@` modifier (the fast paths leave such selectors
  /// to the generic evaluator).
  public var hasAtModifier: Bool { atMs != nil || atQueryTime }
  /// UTF-8 offset of the selector in the expression.
  public let position: Int
  @exclusivity(unchecked) var cachedIDs: [SeriesID] = []
  @exclusivity(unchecked) var cachedGeneration = -1
  @exclusivity(unchecked) var cachedStore: ObjectIdentifier?
  @exclusivity(unchecked) var cachedStorageOrder: [Int32] = []
  /// ``storageRuns(in:)``, made from ``cachedStorageOrder``.
  @exclusivity(unchecked) var cachedStorageRuns: StorageOrderRuns?

  init(name: String, matchers: [LabelMatcher], position: Int) {
    self.name = name
    self.matchers = matchers
    self.position = position
  }

  /// The store's cache key for these matchers, built once.
  private(set) lazy var selectionKey = SeriesStore.selectionKey(matchers)
  @exclusivity(unchecked) var cachedCount = 0
  @exclusivity(unchecked) var cachedFirst = SeriesID(rawValue: 0)

  /// The series of `store` this selector matches, cached until a new series is registered.
  func seriesIDs(in store: SeriesStore) -> [SeriesID] {
    refresh(store)
    return cachedIDs
  }

  /// The positions in ``seriesIDs(in:)`` ordered by series ID, that is by where the series
  /// sit in storage (a scrape group's members are consecutive), cached likewise.
  func storageOrder(in store: SeriesStore) -> [Int32] {
    refresh(store)
    if cachedStorageOrder.count != cachedIDs.count {
      // A counting sort: IDs are dense, and selections are re-sorted whenever a series
      // is registered anywhere in the store.
      var positionOfID = [Int32](repeating: -1, count: store.seriesCount)
      for (position, id) in cachedIDs.enumerated() { positionOfID[Int(id.rawValue)] = Int32(position) }
      var order: [Int32] = []
      order.reserveCapacity(cachedIDs.count)
      for position in positionOfID where position >= 0 { order.append(position) }
      cachedStorageOrder = order
    }
    return cachedStorageOrder
  }

  /// ``storageOrder(in:)`` cut into runs of one scrape group's members, cached likewise
  /// (a series' placement never changes).
  func storageRuns(in store: SeriesStore) -> StorageOrderRuns {
    let order = storageOrder(in: store)
    if let cachedStorageRuns { return cachedStorageRuns }
    let runs = StorageOrderRuns(cachedIDs, order, placements: store.placements)
    cachedStorageRuns = runs
    return runs
  }

  /// The number of matching series and the first one, without touching the ID array.
  @inline(__always) func countAndFirst(in store: SeriesStore) -> (Int, SeriesID) {
    refresh(store)
    return (cachedCount, cachedFirst)
  }

  @inline(__always) private func refresh(_ store: SeriesStore) {
    let identity = ObjectIdentifier(store)
    if cachedGeneration != store.generation || cachedStore != identity {
      let selected = store.select(matchers, key: selectionKey)
      // The same IDs keep their storage order (it depends on them alone). Why: every
      // series registered anywhere (an alert's `ALERTS` series, a service's first
      // canary) changes the generation, and re-sorting every selector's IDs by a table
      // as large as the store each time grew with services × series. An unchanged
      // selection is the store's cached array itself, so this compares no elements.
      if selected != cachedIDs {
        cachedStorageOrder = []
        cachedStorageRuns = nil
      }
      cachedIDs = selected
      cachedCount = cachedIDs.count
      cachedFirst = cachedIDs.first ?? SeriesID(rawValue: 0)
      cachedGeneration = store.generation
      cachedStore = identity
    }
  }
}

/// A selection's series in storage order, cut into runs of one scrape group's members.
///
/// Why: a storage-order read (``PromQLEngine``'s `readRangeValues`) handles a group once
/// and then each of its members; with the runs made once per selection, it looks up no
/// placement per series and can pass over a whole group that has no row in the window.
struct StorageOrderRuns {
  /// Per run: its scrape group, or −1 for a series with a buffer of its own (a run of one).
  var group: [Int32] = []
  /// Run `r`'s members are `start[r]..<start[r + 1]` of ``column`` and ``position``.
  var start: [Int32] = [0]
  /// Per member, in storage order: its column in the group's rows (0 for a series of
  /// its own) and its position in the selection.
  var column: [Int32] = []
  var position: [Int32] = []

  init(_ ids: [SeriesID], _ order: [Int32], placements: UnsafeMutablePointer<Placement>) {
    column.reserveCapacity(order.count)
    position.reserveCapacity(order.count)
    for selectionPosition in order {
      let placement = placements[Int(ids[Int(selectionPosition)].rawValue)]
      if placement.group < 0 || group.last != placement.group {
        if !column.isEmpty { start.append(Int32(column.count)) }
        group.append(placement.group)
      }
      column.append(placement.column)
      position.append(selectionPosition)
    }
    if !column.isEmpty { start.append(Int32(column.count)) }
  }
}

/// The binary operators of PromQL.
public enum BinaryOperator: String, Sendable, CaseIterable {
  case add = "+"
  case subtract = "-"
  case multiply = "*"
  case divide = "/"
  case modulo = "%"
  case power = "^"
  case atan2
  case equal = "=="
  case notEqual = "!="
  case greater = ">"
  case less = "<"
  case greaterOrEqual = ">="
  case lessOrEqual = "<="
  case and, or, unless

  /// Precedence as in Prometheus `parser.ItemType.Precedence` (higher binds tighter).
  var precedence: Int {
    switch self {
    case .or: return 1
    case .and, .unless: return 2
    case .equal, .notEqual, .greater, .less, .greaterOrEqual, .lessOrEqual: return 3
    case .add, .subtract: return 4
    case .multiply, .divide, .modulo, .atan2: return 5
    case .power: return 6
    }
  }

  var isComparison: Bool { precedence == 3 }
  var isSetOperator: Bool { self == .and || self == .or || self == .unless }

  /// Prometheus 2.42's `shouldDropMetricName`: the arithmetic operators drop `__name__`,
  /// `atan2` keeps it (found by the promtool cross-check, case op-atan2).
  var dropsMetricName: Bool {
    switch self {
    case .add, .subtract, .multiply, .divide, .modulo, .power: return true
    default: return false
    }
  }
}

/// Cardinality of vector matching (`parser.VectorMatchCardinality`).
public enum MatchCardinality: Sendable {
  case oneToOne, manyToOne, oneToMany, manyToMany
}

/// `on`/`ignoring` and `group_left`/`group_right` of a binary operation.
public struct VectorMatching: Sendable {
  public var cardinality: MatchCardinality
  /// Labels listed in `on(...)` or `ignoring(...)`.
  public var matchingLabels: [String]
  /// True for `on`, false for `ignoring` (or no modifier).
  public var on: Bool
  /// Labels listed in `group_left(...)`/`group_right(...)`.
  public var include: [String]
}

/// The functions PlatformSim implements, with Prometheus 2.42 names: all of 2.42's
/// except the native-histogram ones (`histogram_count`, `histogram_sum`,
/// `histogram_fraction`).
public enum PromQLFunction: String, Sendable, CaseIterable {
  case abs, absent, ceil, floor, vector, scalar, time
  case clampMin = "clamp_min"
  case clampMax = "clamp_max"
  case clamp
  case rate, irate, increase, delta, idelta, changes, resets
  case avgOverTime = "avg_over_time"
  case maxOverTime = "max_over_time"
  case minOverTime = "min_over_time"
  case sumOverTime = "sum_over_time"
  case countOverTime = "count_over_time"
  case quantileOverTime = "quantile_over_time"
  case lastOverTime = "last_over_time"
  case absentOverTime = "absent_over_time"
  case presentOverTime = "present_over_time"
  case stddevOverTime = "stddev_over_time"
  case stdvarOverTime = "stdvar_over_time"
  case histogramQuantile = "histogram_quantile"
  case round, sqrt, exp, ln, log2, log10, sgn
  case sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh, deg, rad, pi
  case sort
  case sortDesc = "sort_desc"
  case timestamp
  case labelReplace = "label_replace"
  case labelJoin = "label_join"
  case deriv
  case predictLinear = "predict_linear"
  case holtWinters = "holt_winters"
  case dayOfMonth = "day_of_month"
  case dayOfWeek = "day_of_week"
  case dayOfYear = "day_of_year"
  case daysInMonth = "days_in_month"
  case hour, minute, month, year

  /// Argument types (Prometheus `parser.Functions`); `round` and the date functions take
  /// optional arguments and `label_join` any number of source labels (``isVariadic``).
  var argumentTypes: [PromQLType] {
    switch self {
    case .abs, .ceil, .floor, .sqrt, .exp, .ln, .log2, .log10, .sgn, .absent, .sin, .cos, .tan, .asin, .acos, .atan,
      .sinh, .cosh, .tanh, .asinh, .acosh, .atanh, .deg, .rad, .sort, .sortDesc, .timestamp, .dayOfMonth, .dayOfWeek,
      .dayOfYear, .daysInMonth, .hour, .minute, .month, .year:
      return [.vector]
    case .vector: return [.scalar]
    case .scalar: return [.vector]
    case .time, .pi: return []
    case .clampMin, .clampMax: return [.vector, .scalar]
    case .clamp: return [.vector, .scalar, .scalar]
    case .round: return [.vector, .scalar]
    case .rate, .irate, .increase, .delta, .idelta, .changes, .resets,
      .avgOverTime, .maxOverTime, .minOverTime, .sumOverTime, .countOverTime, .lastOverTime,
      .absentOverTime, .presentOverTime, .stddevOverTime, .stdvarOverTime, .deriv:
      return [.matrix]
    case .quantileOverTime: return [.scalar, .matrix]
    case .histogramQuantile: return [.scalar, .vector]
    case .labelReplace: return [.vector, .string, .string, .string, .string]
    case .labelJoin: return [.vector, .string, .string, .string]
    case .predictLinear: return [.matrix, .scalar]
    case .holtWinters: return [.matrix, .scalar, .scalar]
    }
  }

  /// The last argument type repeats (`label_join`'s source labels).
  var isVariadic: Bool { self == .labelJoin }

  var minimumArguments: Int {
    switch self {
    case .round: return 1
    case .dayOfMonth, .dayOfWeek, .dayOfYear, .daysInMonth, .hour, .minute, .month, .year: return 0
    case .labelJoin: return 3
    default: return argumentTypes.count
    }
  }

  var returnType: PromQLType {
    switch self {
    case .time, .scalar, .pi: return .scalar
    default: return .vector
    }
  }
}

/// Prometheus 2.42 functions PlatformSim does not implement (native histograms); named
/// in load-time errors.
let knownUnsupportedFunctions: Set<String> = ["histogram_count", "histogram_fraction", "histogram_sum"]

/// Aggregation operators.
public enum AggregationOperator: String, Sendable, CaseIterable {
  case sum, avg, min, max, count, topk, bottomk, quantile, group, stddev, stdvar
  case countValues = "count_values"

  var hasParameter: Bool { self == .topk || self == .bottomk || self == .quantile || self == .countValues }
}

/// Prometheus 2.42 aggregators PlatformSim does not implement.
let knownUnsupportedAggregators: Set<String> = []

/// A parsed PromQL expression.
public indirect enum Expr {
  case number(Double)
  case string(String)
  case vector(VectorSelector)
  case matrix(VectorSelector, rangeMs: Int64)
  /// `expr[range:step]`: a range vector of an instant expression evaluated at steps.
  case subquery(Subquery)
  case call(PromQLFunction, [Expr], position: Int)
  case aggregate(Aggregation)
  case binary(BinaryExpression)
  case negate(Expr)
  case paren(Expr)

  /// The static type of the expression.
  public var type: PromQLType {
    switch self {
    case .number: return .scalar
    case .string: return .string
    case .vector: return .vector
    case .matrix, .subquery: return .matrix
    case .call(let function, _, _): return function.returnType
    case .aggregate: return .vector
    case .binary(let binary):
      return binary.lhs.type == .scalar && binary.rhs.type == .scalar ? .scalar : .vector
    case .negate(let inner), .paren(let inner): return inner.type
    }
  }
}

/// An aggregation such as `sum by (job) (rate(x[5m]))`.
///
/// AST nodes with several children are immutable classes: evaluation passes them
/// around by reference instead of copying their fields on every rule evaluation.
public final class Aggregation {
  public let op: AggregationOperator
  public let parameter: Expr?
  public let expr: Expr
  public let grouping: [String]
  public let without: Bool
  /// The group of each series of the inner selector, for the per-series fast path of
  /// ``PromQLEngine/evaluateAggregation(_:_:)``: series never change labels, so the
  /// grouping is recomputed only when the store registers a series.
  ///
  /// Rule files are parsed per run, so this cache is never shared between threads.
  @exclusivity(unchecked) var seriesGrouping: SeriesGrouping?

  init(op: AggregationOperator, parameter: Expr?, expr: Expr, grouping: [String], without: Bool) {
    self.op = op
    self.parameter = parameter
    self.expr = expr
    self.grouping = grouping
    self.without = without
  }
}

/// A subquery `expr[range:step] offset d` (Prometheus `parser.SubqueryExpr`).
///
/// Evaluated as Prometheus 2.42 does: the inner expression at every multiple of the step
/// in `[t − offset − range, t − offset]`; without a step, at the engine's default
/// (the global evaluation interval; promtool's test `evaluation_interval`).
public final class Subquery {
  public let expr: Expr
  public let rangeMs: Int64
  /// 0 when the subquery names no step.
  public let stepMs: Int64
  public internal(set) var offsetMs: Int64 = 0
  public internal(set) var atMs: Int64?
  public internal(set) var atQueryTime = false

  init(expr: Expr, rangeMs: Int64, stepMs: Int64) {
    self.expr = expr
    self.rangeMs = rangeMs
    self.stepMs = stepMs
  }
}

/// A binary operation with its modifiers.
public final class BinaryExpression {
  public let op: BinaryOperator
  public let lhs: Expr
  public let rhs: Expr
  public let returnBool: Bool
  /// Nil when at least one side is a scalar.
  public let matching: VectorMatching?
  /// The last (lhs, rhs, result) labels of a one-to-one match: per-service rules match
  /// the same two series at every evaluation, and this avoids rebuilding the result.
  @exclusivity(unchecked) var cachedResultMetric: (lhs: Labels, rhs: Labels, result: Labels)?
  /// Group matching between two per-series aggregations (``PromQLEngine/perSeriesBinary(_:_:)``).
  @exclusivity(unchecked) var cachedAggregationMatch: AggregationMatch?

  init(op: BinaryOperator, lhs: Expr, rhs: Expr, returnBool: Bool, matching: VectorMatching?) {
    self.op = op
    self.lhs = lhs
    self.rhs = rhs
    self.returnBool = returnBool
    self.matching = matching
  }
}

extension Expr {
  /// How far behind the evaluation time this expression reads: the longest
  /// `range + offset` of a range selector, or `lookback + offset` of an instant one.
  ///
  /// Why: the series store keeps samples only this long behind the newest one; a rule
  /// reading `[3d]` must make the store keep three days, or it would silently see less.
  public func lookbehindMs(lookbackMs: Int64) -> Int64 {
    switch self {
    case .number, .string: return 0
    case .vector(let selector): return lookbackMs + max(0, selector.offsetMs)
    case .matrix(let selector, let rangeMs): return rangeMs + max(0, selector.offsetMs)
    case .subquery(let subquery):
      return subquery.rangeMs + max(0, subquery.offsetMs) + subquery.expr.lookbehindMs(lookbackMs: lookbackMs)
    case .call(_, let arguments, _): return arguments.map { $0.lookbehindMs(lookbackMs: lookbackMs) }.max() ?? 0
    case .aggregate(let aggregation):
      return max(
        aggregation.expr.lookbehindMs(lookbackMs: lookbackMs),
        aggregation.parameter?.lookbehindMs(lookbackMs: lookbackMs) ?? 0)
    case .binary(let binary):
      return max(binary.lhs.lookbehindMs(lookbackMs: lookbackMs), binary.rhs.lookbehindMs(lookbackMs: lookbackMs))
    case .negate(let inner), .paren(let inner): return inner.lookbehindMs(lookbackMs: lookbackMs)
    }
  }
}
