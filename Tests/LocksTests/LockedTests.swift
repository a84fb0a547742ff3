import Locks
import Testing

@Suite("Locked")
struct LockedTests {
    /// Several threads update a value that is only consistent between critical sections: any
    /// overlap of two of them shows as a torn update or a lost increment.
    @Test("threads contending for the lock never overlap and lose no update")
    func mutualExclusion() {
        struct Shared {
            var inside = false
            var overlaps = 0
            var count = 0
            var log: [Int] = []
        }
        let shared = Locked(Shared())
        let threads = 4, perThread = 10_000
        let workers = (0..<threads).map { _ in
            TestThread {
                for i in 0..<perThread {
                    shared.withLock { s in
                        if s.inside { s.overlaps += 1 }
                        s.inside = true
                        s.count += 1
                        // Grow and shrink an array: a torn update would corrupt it.
                        s.log.append(i)
                        if s.log.count > 64 { s.log.removeAll(keepingCapacity: true) }
                        s.inside = false
                    }
                }
            }
        }
        for worker in workers { worker.join() }
        let result = shared.withLock { $0 }
        #expect(result.overlaps == 0)
        #expect(result.count == threads * perThread)
    }

    @Test("withLock returns the body's result and keeps its changes")
    func resultAndMutation() {
        let numbers = Locked([1, 2, 3])
        let sum = numbers.withLock { values -> Int in
            values.append(4)
            return values.reduce(0, +)
        }
        #expect(sum == 10)
        #expect(numbers.withLock { $0 } == [1, 2, 3, 4])
    }

    @Test("an error thrown by the body is rethrown, typed, and the lock is released")
    func typedThrow() {
        struct Refused: Error, Equatable {}
        let value = Locked(0)
        #expect(throws: Refused()) {
            try value.withLock { (v: inout Int) throws(Refused) -> Void in
                v = 1
                throw Refused()
            }
        }
        // Would deadlock (or, in a debug build, stop on EDEADLK) if the lock were still held.
        #expect(value.withLock { $0 } == 1)
    }

    @Test("it is Sendable for a Sendable value")
    func sendableForSendableValue() {
        func requireSendable<T: Sendable>(_ value: T) -> Bool { true }
        // The converse (no Sendable for a non-Sendable value) is a compile-time error, which a
        // test cannot express: `extension Locked: @unchecked Sendable where Value: Sendable`.
        #expect(requireSendable(Locked(0)))
    }

    #if DEBUG
        @Test("a relock by the holding thread stops the process with the error code (debug builds)")
        func relockIsAProgrammingError() async {
            await #expect(processExitsWith: .failure) {
                let value = Locked(0)
                value.withLock { _ in value.withLock { _ in } }
            }
        }
    #endif
}
