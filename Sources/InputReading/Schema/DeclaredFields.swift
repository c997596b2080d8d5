#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The fields a keys type declares, in declaration order, collected while its one
/// instance is built.
///
/// Every ``Field`` registers itself when it is initialised, and a keys type's stored
/// properties are initialised in declaration order, so building the instance lists its
/// fields — including fields made in a loop (one per decision point). Why not `Mirror`:
/// reflecting each keys type and casting each child costs a protocol-conformance
/// search per type, milliseconds at every start of the tool. The list being built is
/// per thread, so schemas built on different threads cannot mix.
enum DeclaredFields {
  /// Where the current thread's list is.
  private static let key: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
  }()

  private final class List {
    var fields: [FieldDescription] = []
  }

  /// Builds a keys instance, returning it with the fields it declared.
  static func collect<Keys>(_ build: () -> Keys) -> (Keys, [FieldDescription]) {
    let list = List()
    let previous = pthread_getspecific(key)
    pthread_setspecific(key, Unmanaged.passUnretained(list).toOpaque())
    defer { pthread_setspecific(key, previous) }
    let keys = withExtendedLifetime(list) { build() }
    return (keys, list.fields)
  }

  /// Adds a field to the list being built on this thread, if any.
  static func register(_ field: FieldDescription) {
    guard let raw = pthread_getspecific(key) else { return }
    Unmanaged<List>.fromOpaque(raw).takeUnretainedValue().fields.append(field)
  }
}
