import Testing

@testable import PlatformModel

/// One answer per distinct key, whether or not equal keys come together (issue 19).
@Suite("Latest-first memo")
struct LatestFirstMemoTests {
  @Test("works out each distinct key once and says which call was the first")
  func distinctKeys() {
    var memo = LatestFirstMemo<String, Int>()
    var worked: [String] = []
    var answers: [Int] = []
    var firsts: [Bool] = []
    for key in ["a", "a", "b", "a", "c", "b", "b", "c"] {
      let (answer, isNew) = memo.answer(for: key) {
        worked.append(key)
        return worked.count
      }
      answers.append(answer)
      firsts.append(isNew)
    }
    #expect(worked == ["a", "b", "c"])
    #expect(answers == [1, 1, 2, 1, 3, 2, 2, 3])
    #expect(firsts == [true, false, true, false, true, false, false, false])
  }
}
