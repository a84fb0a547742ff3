import MarketData
import OrderBook
import PropertyBased
import Testing
import Wire
import WireConversions

/// A delta as the exchange sends it: any action, side and kind; positive prices and sizes (a
/// delete carries no size on the wire).
private let deltaGenerator = zip(
    Gen<BookDelta.Action>.case, Gen<Side>.case, Gen<EventKind>.case,
    Gen.int64(in: 1...1_000_000), Gen.int64(in: 1...100_000)
).map { action, side, kind, price, size in
    (delta: BookDelta(action, side, price: price, size: size), kind: kind)
}

/// `delta` as the book applies it: a delete's size is ignored, and the wire carries it as 0.
private func normalized(_ delta: BookDelta) -> BookDelta {
    delta.action == .delete ? .delete(delta.side, price: delta.price) : delta
}

/// The one decoded frame of `bytes`.
private func decodeOne(_ bytes: [UInt8]) throws -> WireFrame {
    var decoder = FrameDecoder()
    decoder.append(bytes)
    guard case .frame(let frame) = decoder.next() else {
        Issue.record("the bytes did not decode to a frame")
        throw DecodeFailed()
    }
    #expect(decoder.next() == .needMore, "one frame, nothing after it")
    return frame
}

private struct DecodeFailed: Error {}

@Suite("Wire conversions")
struct WireConversionsTests {
    @Test("a side goes to the wire and back unchanged, and the wire's sides map one to one", arguments: Side.allCases)
    func side(side: Side) {
        #expect(Side(side.wire) == side)
        #expect(side.wire == (side == .bid ? WireSide.bid : .ask))
        #expect(Side(side.opposite.wire) == side.opposite)
    }

    @Test("every wire side comes back as itself", arguments: WireSide.allCases)
    func wireSide(wire: WireSide) {
        #expect(Side(wire).wire == wire)
    }

    @Test("an event kind goes to the wire and back unchanged", arguments: EventKind.allCases)
    func eventKind(kind: EventKind) {
        #expect(EventKind(kind.wire) == kind)
        let expected: WireEventKind =
            switch kind {
            case .add: .add
            case .cancel: .cancel
            case .trade: .trade
            }
        #expect(kind.wire == expected)
    }

    @Test("every wire event kind comes back as itself", arguments: WireEventKind.allCases)
    func wireEventKind(wire: WireEventKind) {
        #expect(EventKind(wire).wire == wire)
    }

    @Test(
        "a book delta goes to the wire and back unchanged, for every action, side and kind",
        arguments: BookDelta.Action.allCases, EventKind.allCases)
    func delta(action: BookDelta.Action, kind: EventKind) {
        for side in Side.allCases {
            let delta = BookDelta(action, side, price: 1_234, size: action == .delete ? 0 : 56)
            let wire = WireDelta(delta, kind: kind)
            #expect(wire.side == side.wire && wire.kind == kind.wire && wire.price == 1_234)
            #expect(wire.size == (action == .delete ? 0 : 56))
            #expect(wire.action.rawValue == action.rawValue, "the wire's actions are the book's, in order")
            #expect(BookDelta(wire) == delta)
            #expect(EventKind(wire.kind) == kind)
        }
    }

    @Test("a delete carries no size: whatever size it had, the wire and the book after it say 0")
    func deleteDropsItsSize() {
        let wire = WireDelta(BookDelta(.delete, .ask, price: 10, size: 77), kind: .cancel)
        #expect(wire.size == 0)
        #expect(BookDelta(wire) == .delete(.ask, price: 10))
        // A delete that arrives with a size (a peer that sent one) still has none in the book.
        let sized = WireDelta(action: .delete, side: .bid, kind: .cancel, price: 10, size: 5)
        #expect(BookDelta(sized) == .delete(.bid, price: 10))
    }

    @Test("a wire delta goes to the book and back unchanged", arguments: WireAction.allCases)
    func wireDelta(action: WireAction) {
        for kind in WireEventKind.allCases {
            for side in WireSide.allCases {
                let wire = WireDelta(action: action, side: side, kind: kind, price: 99, size: action == .delete ? 0 : 3)
                #expect(WireDelta(BookDelta(wire), kind: EventKind(wire.kind)) == wire)
            }
        }
    }

    @Test("a tick sent as a delta frame arrives as the same tick: encoded, decoded and converted back")
    func tickThroughAFrame() async {
        await propertyCheck(count: 200, input: deltaGenerator, Gen.uint64(in: 1...UInt64.max)) { generated, sequence in
            let tick = Tick(
                sequence: sequence, scheduledArrival: 0, delta: normalized(generated.delta), kind: generated.kind)
            let sent = WireFrame(
                sequence: tick.sequence, sendTime: 42, message: .delta(WireDelta(tick.delta, kind: tick.kind)))
            let bytes: [UInt8]
            do { bytes = try FrameEncoder.encode(sent) } catch {
                Issue.record("\(tick.delta) did not encode: \(error)")
                return
            }
            let received = try decodeOne(bytes)
            #expect(received == sent)
            guard case .delta(let wire) = received.message else {
                Issue.record("a delta frame decoded as \(received.message)")
                return
            }
            let arrived = Tick(
                sequence: received.sequence, scheduledArrival: 0, delta: BookDelta(wire), kind: EventKind(wire.kind))
            #expect(arrived == tick)
        }
    }

    @Test("deltas applied through the wire build the book the plain deltas build, refusals included")
    func deltasThroughTheWireBuildTheSameBook() async {
        // Few prices, so that reduces and deletes meet existing levels and are also refused.
        let step = zip(
            Gen<BookDelta.Action>.case, Gen<Side>.case, Gen<EventKind>.case, Gen.int64(in: 1...12),
            Gen.int64(in: 1...20)
        ).map { action, side, kind, price, size in (BookDelta(action, side, price: price, size: size), kind) }
        await propertyCheck(count: 100, input: step.array(of: 1...80)) { steps in
            var plain = OrderBook()
            var throughWire = OrderBook()
            for (delta, kind) in steps {
                let refusal = plain.applyCounting(delta)
                let wireRefusal = throughWire.applyCounting(BookDelta(WireDelta(delta, kind: kind)))
                #expect((refusal == nil) == (wireRefusal == nil), "'\(delta)'")
            }
            #expect(throughWire.hasSameLevels(as: plain))
            #expect(throughWire.checksum == plain.checksum)
            #expect(throughWire.appliedCount == plain.appliedCount && throughWire.rejectedCount == plain.rejectedCount)
        }
    }

    @Test("an empty book is an empty snapshot, and an empty snapshot an empty book")
    func emptySnapshot() {
        let snapshot = WireSnapshot(OrderBook())
        #expect(snapshot.bids.isEmpty && snapshot.asks.isEmpty)
        #expect(snapshot.levels(.bid).isEmpty && snapshot.levels(.ask).isEmpty)
        #expect(snapshot.book.hasSameLevels(as: OrderBook()))
    }

    @Test("a snapshot holds every level, best first, and names each side's levels")
    func snapshotLevels() {
        var book = OrderBook()
        for (price, size) in [(Price(98), Size(3)), (100, 1), (99, 2)] { book.set(.bid, price: price, size: size) }
        for (price, size) in [(Price(103), Size(6)), (101, 4), (102, 5)] { book.set(.ask, price: price, size: size) }
        let snapshot = WireSnapshot(book)
        #expect(
            snapshot.bids == [
                WireLevel(price: 100, size: 1), WireLevel(price: 99, size: 2), WireLevel(price: 98, size: 3),
            ])
        #expect(
            snapshot.asks == [
                WireLevel(price: 101, size: 4), WireLevel(price: 102, size: 5), WireLevel(price: 103, size: 6),
            ])
        #expect(snapshot.levels(.bid) == snapshot.bids && snapshot.levels(.ask) == snapshot.asks)
        #expect(snapshot.book.hasSameLevels(as: book))
    }

    @Test("a book goes to a snapshot frame and back unchanged: the plain levels, the same checksum")
    func bookThroughASnapshotFrame() async {
        // Bids below 100 and asks above, so that the book is not crossed, as the exchange's is not.
        let level = zip(Gen<Side>.case, Gen.int64(in: 1...99), Gen.int64(in: 0...50))
        await propertyCheck(count: 100, input: level.array(of: 0...120)) { sets in
            var book = OrderBook()
            for (side, offset, size) in sets {
                book.set(side, price: side == .bid ? 100 - offset : 100 + offset, size: size)
            }
            let snapshot = WireSnapshot(book)
            // Against the plain conversion: the book's own levels, field by field.
            for side in Side.allCases {
                #expect(snapshot.levels(side) == book.levels(side).map { WireLevel(price: $0.price, size: $0.size) })
            }
            let rebuilt = snapshot.book
            #expect(rebuilt.hasSameLevels(as: book))
            #expect(rebuilt.checksum == book.checksum)
            #expect(WireSnapshot(rebuilt) == snapshot)
            let sent = WireFrame(sequence: 1, sendTime: 1, message: .snapshot(snapshot))
            let bytes: [UInt8]
            do { bytes = try FrameEncoder.encode(sent) } catch {
                Issue.record(
                    "a snapshot of \(book.levels(.bid).count + book.levels(.ask).count) levels did not encode: \(error)"
                )
                return
            }
            let received = try decodeOne(bytes)
            guard case .snapshot(let arrived) = received.message else {
                Issue.record("a snapshot frame decoded as \(received.message)")
                return
            }
            #expect(arrived.book.hasSameLevels(as: book))
        }
    }
}
