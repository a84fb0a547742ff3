import Pipeline
import Synchronization

/// The `spin-ring` model's latest-value slot: a seqlock over the ``BookState`` (a trivial value
/// of ten words), so the processor publishes without a lock and never waits for the reader.
///
/// The writer makes the version odd, writes the words, makes it even again; a reader copies the
/// words between two reads of the version and retries if they differ or are odd. The words are
/// relaxed atomics, not plain memory, so the race a seqlock tolerates by design is not a data
/// race (and ThreadSanitizer agrees); on x86-64 they compile to plain moves. The fences follow
/// Boehm, "Can seqlocks get along with programming language memory models?" (2012).
///
/// The reader waits for the version to change with a ``WaitStrategy``.
public final class SeqlockStateSlot: BlockingStateSlot, Sendable {
    private let version = Atomic<UInt64>(0)
    private let w0 = Atomic<UInt64>(0), w1 = Atomic<UInt64>(0), w2 = Atomic<UInt64>(0)
    private let w3 = Atomic<UInt64>(0), w4 = Atomic<UInt64>(0), w5 = Atomic<UInt64>(0)
    private let w6 = Atomic<UInt64>(0), w7 = Atomic<UInt64>(0), w8 = Atomic<UInt64>(0)
    private let w9 = Atomic<UInt64>(0)
    private let closed = Atomic<Bool>(false)
    private let strategy: WaitStrategy
    private let parks: Bool
    private let readerParker = Parker()

    public init(strategy: WaitStrategy) {
        precondition(MemoryLayout<BookState>.size == 80, "the seqlock copies BookState as ten words")
        self.strategy = strategy
        parks = strategy == .park
    }

    public func publish(_ state: BookState) {
        let v = version.load(ordering: .relaxed)
        version.store(v &+ 1, ordering: .relaxed)
        // Orders the odd version before the words: a reader that sees a new word sees it odd.
        atomicMemoryFence(ordering: .releasing)
        withUnsafeBytes(of: state) { bytes in
            func word(_ i: Int) -> UInt64 { bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self) }
            w0.store(word(0), ordering: .relaxed); w1.store(word(1), ordering: .relaxed)
            w2.store(word(2), ordering: .relaxed); w3.store(word(3), ordering: .relaxed)
            w4.store(word(4), ordering: .relaxed); w5.store(word(5), ordering: .relaxed)
            w6.store(word(6), ordering: .relaxed); w7.store(word(7), ordering: .relaxed)
            w8.store(word(8), ordering: .relaxed); w9.store(word(9), ordering: .relaxed)
        }
        version.store(v &+ 2, ordering: .releasing)
        if parks { readerParker.unpark() }
    }

    /// A consistent copy of the state and the (even) version it was published under.
    public func read() -> (state: BookState, version: UInt64) {
        var state = BookState.empty
        while true {
            let before = version.load(ordering: .acquiring)
            if before & 1 == 1 { continue }
            withUnsafeMutableBytes(of: &state) { bytes in
                func set(_ i: Int, _ value: UInt64) {
                    bytes.storeBytes(of: value, toByteOffset: i * 8, as: UInt64.self)
                }
                set(0, w0.load(ordering: .relaxed)); set(1, w1.load(ordering: .relaxed))
                set(2, w2.load(ordering: .relaxed)); set(3, w3.load(ordering: .relaxed))
                set(4, w4.load(ordering: .relaxed)); set(5, w5.load(ordering: .relaxed))
                set(6, w6.load(ordering: .relaxed)); set(7, w7.load(ordering: .relaxed))
                set(8, w8.load(ordering: .relaxed)); set(9, w9.load(ordering: .relaxed))
            }
            // Orders the words before the second version read.
            atomicMemoryFence(ordering: .acquiring)
            if version.load(ordering: .relaxed) == before { return (state, before) }
        }
    }

    public func next(after sequence: UInt64) -> BookState? {
        var spinner = Spinner(strategy)
        while true {
            let (state, seen) = read()
            if state.sequence > sequence { return state }
            if closed.load(ordering: .acquiring) {
                // The last publish happened before the close: one more read sees it.
                let last = read().state
                return last.sequence > sequence ? last : nil
            }
            // Spin on the version alone (one word) until the processor publishes or closes.
            while version.load(ordering: .relaxed) == seen && !closed.load(ordering: .relaxed) {
                spinner.idle(parker: readerParker) {
                    version.load(ordering: .relaxed) != seen || closed.load(ordering: .relaxed)
                }
            }
        }
    }

    public func close() {
        closed.store(true, ordering: .releasing)
        readerParker.unpark()
    }
}
