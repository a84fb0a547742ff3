import OrderBook

// Order routing (`--route`): each buy or sell decision becomes an order, and the evaluator waits
// for its acknowledgement before it evaluates again (one order in flight, as a strategy that
// must know its position before it acts again). decided→acked is the pipeline's fifth segment.
//
// The wait is where the models differ: a threaded evaluator blocks its own thread (synchronous
// I/O, which costs the other stages nothing), an async evaluator awaits without blocking its
// executor; on one event loop the acknowledgement is read by the same thread that processes
// ticks, so a busy loop delays it.

/// The order made of a buy or sell decision.
public struct RoutedOrder: Sendable, Hashable {
    /// 1, 2, 3, … per run.
    public var id: UInt64
    /// `.bid` buys, `.ask` sells.
    public var side: Side
    /// Marketable: a buy at the best ask, a sell at the best bid (the other side's best when
    /// that side is empty, 1 when both are).
    public var price: Price
    public var size: Size
    /// When the evaluator decided (monotonic ns).
    public var decided: UInt64

    public init(id: UInt64, side: Side, price: Price, size: Size, decided: UInt64) {
        self.id = id
        self.side = side
        self.price = price
        self.size = size
        self.decided = decided
    }
}

/// What became of an order.
public enum OrderOutcome: Sendable, Hashable {
    case accepted
    case rejected(reason: String)
    /// No answer: the connection failed or the acknowledgement did not come in time.
    case failed(reason: String)
}

/// Where orders go: an in-process gateway with a simulated round trip, or the exchange over TCP.
public protocol OrderRoute: AnyObject, Sendable {
    /// For the report: "gateway (round trip 1 ms)", "exchange tcp://127.0.0.1:9000".
    var name: String { get }
    /// Chooses how to connect and wait, for an evaluator on `host`. Called before the first order.
    func prepare(for host: StageHost)
    /// Sends the order and blocks the calling thread until it is acknowledged. `sleep` is the
    /// model's way to wait for an instant, for routes that simulate their round trip.
    func sendAndWait(_ order: RoutedOrder, sleep: (UInt64) -> Void) -> OrderOutcome
    /// Sends the order and suspends until it is acknowledged, without blocking the executor.
    func send(_ order: RoutedOrder, sleeper: some AsyncSleeper) async -> OrderOutcome
    /// Releases connections; orders after this fail.
    func close()
    /// Route-specific counters for the report (connections, bytes, …).
    var counters: [String: UInt64] { get }
}

extension OrderRoute {
    public var counters: [String: UInt64] { [:] }
}

/// What routing measured, kept by the evaluator.
public struct RoutingMetrics: Sendable {
    /// Orders sent: one per buy or sell decision.
    public var orders: UInt64 = 0
    public var accepted: UInt64 = 0
    public var rejected: UInt64 = 0
    /// Orders without an answer.
    public var failed: UInt64 = 0
    /// The first rejection or failure, for the report.
    public var firstProblem: String?
    /// t_acked − t_decided of every answered order.
    public var decidedToAcked = LatencyRecorder()

    public init() {}
}
