import Synchronization

/// A bounded lock-free ring for exactly one producer thread and one consumer thread, in the
/// manner of the LMAX Disruptor: no lock, no allocation, and a hand-over that costs two
/// uncontended atomic stores per batch, not per element.
///
/// - The producer owns `tail`, the consumer owns `head`; each lives on its own cache lines
///   (padded to 128 bytes, which also defeats the adjacent-line prefetcher), so the two threads
///   only exchange a line when one of them must look at the other's index.
/// - Each side keeps a cached copy of the other's index and reloads it only when the cache says
///   the ring is full (producer) or empty (consumer): a steady stream costs no shared reads.
/// - ``push(_:)`` writes a whole batch and publishes it with one release store; ``pop(into:limit:)``
///   takes everything published and frees it with one release store.
///
/// The ring never waits: ``SpinRingTickQueue`` adds the wait strategies. Calling a producer
/// method from two threads at once (or a consumer method) breaks it.
public final class SPSCRing<Element>: @unchecked Sendable {
    // @unchecked Sendable: `buffer` slots are written by the producer only between the consumer's
    // release of `head` (acquired by the producer) and its own release of `tail` (acquired by
    // the consumer), and read by the consumer only in between the opposite pair, so no slot is
    // ever touched by both at once; `producerTail`/`cachedHead` are touched only by the producer
    // thread, `consumerHead`/`cachedTail` only by the consumer thread.

    // Read-only after init; shared by both sides, on lines neither writes.
    private let buffer: UnsafeMutablePointer<Element>
    private let mask: Int
    /// How many elements the ring holds: a power of two.
    public let capacity: Int
    private let padding0 = CacheLinePadding()

    // The consumer's lines.
    private let head = Atomic<Int>(0)
    private var consumerHead = 0
    private var cachedTail = 0
    private let padding1 = CacheLinePadding()

    // The producer's lines.
    private let tail = Atomic<Int>(0)
    private var producerTail = 0
    private var cachedHead = 0
    private let padding2 = CacheLinePadding()

    /// - Parameter capacity: rounded up to a power of two, at least 2.
    public init(capacity: Int) {
        precondition(capacity > 0 && capacity <= 1 << 30, "ring capacity must be in 1...2^30, got \(capacity)")
        let size = max(2, 1 << (Int.bitWidth - (capacity - 1).leadingZeroBitCount))
        self.capacity = size
        mask = size - 1
        buffer = .allocate(capacity: size)
    }

    deinit {
        let first = head.load(ordering: .acquiring), last = tail.load(ordering: .acquiring)
        for index in first..<last { (buffer + (index & mask)).deinitialize(count: 1) }
        buffer.deallocate()
    }

    // MARK: Producer side

    /// Appends as many elements of `elements` as fit, in order, and publishes them at once.
    /// Returns how many went in (0 when the ring is full).
    public func push(_ elements: UnsafeBufferPointer<Element>) -> Int {
        let tail = producerTail
        var free = capacity - (tail &- cachedHead)
        if free < elements.count {
            cachedHead = head.load(ordering: .acquiring)
            free = capacity - (tail &- cachedHead)
        }
        let count = min(free, elements.count)
        guard count > 0 else { return 0 }
        for offset in 0..<count {
            (buffer + ((tail &+ offset) & mask)).initialize(to: elements[offset])
        }
        producerTail = tail &+ count
        self.tail.store(producerTail, ordering: .releasing)
        return count
    }

    /// Appends one element if there is room.
    public func tryPush(_ element: Element) -> Bool {
        withUnsafeTemporaryAllocation(of: Element.self, capacity: 1) { one in
            one.initializeElement(at: 0, to: element)
            defer { one.deinitialize() }
            return push(UnsafeBufferPointer(one)) == 1
        }
    }

    /// True when the producer could push at least one element now.
    public var hasRoom: Bool {
        if producerTail &- cachedHead < capacity { return true }
        cachedHead = head.load(ordering: .acquiring)
        return producerTail &- cachedHead < capacity
    }

    /// Elements published and not yet taken, as the producer sees it (one shared read).
    public var countFromProducer: Int {
        producerTail &- head.load(ordering: .relaxed)
    }

    // MARK: Consumer side

    /// Moves up to `limit` published elements, oldest first, to the end of `batch`, and frees
    /// their slots at once. Returns how many were taken (0 when the ring is empty).
    @discardableResult
    public func pop(into batch: inout [Element], limit: Int = .max) -> Int {
        let head = consumerHead
        var available = cachedTail &- head
        if available < limit {
            // One shared read per batch: take everything published by now, not just what the
            // cache knew about.
            cachedTail = tail.load(ordering: .acquiring)
            available = cachedTail &- head
        }
        let count = min(available, limit)
        guard count > 0 else { return 0 }
        batch.reserveCapacity(batch.count + count)
        for offset in 0..<count {
            batch.append((buffer + ((head &+ offset) & mask)).move())
        }
        consumerHead = head &+ count
        self.head.store(consumerHead, ordering: .releasing)
        return count
    }

    /// Takes the oldest element, if any.
    public func tryPop() -> Element? {
        let head = consumerHead
        if cachedTail == head {
            cachedTail = tail.load(ordering: .acquiring)
            if cachedTail == head { return nil }
        }
        let element = (buffer + (head & mask)).move()
        consumerHead = head &+ 1
        self.head.store(consumerHead, ordering: .releasing)
        return element
    }

    /// True when the consumer would find at least one element now.
    public var hasElements: Bool {
        if cachedTail != consumerHead { return true }
        cachedTail = tail.load(ordering: .acquiring)
        return cachedTail != consumerHead
    }

    /// The shared index the consumer waits on, for a park strategy's re-check.
    var publishedTail: Int { tail.load(ordering: .relaxed) }
    /// The shared index the producer waits on.
    var releasedHead: Int { head.load(ordering: .relaxed) }
}

/// 128 bytes that keep the fields around them on separate cache lines (and separate pairs of
/// lines, which the adjacent-line prefetcher fetches together).
struct CacheLinePadding {
    private var words:
        (
            UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
            UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64
        ) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
}
