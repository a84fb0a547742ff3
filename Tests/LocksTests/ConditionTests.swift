import Locks
import Testing

@Suite("Condition")
struct ConditionTests {
    @Test("a signal before the wait is not lost: the predicate is checked first")
    func signalBeforeWait() {
        let ready = Locked(false)
        let changed = Condition()
        let signaller = TestThread {
            ready.withLock { $0 = true }
            changed.signal()
        }
        // Joined first: the only signal there will ever be has been sent before anyone waits.
        signaller.join()
        let woke = ready.withLock(when: { $0 }, waitingOn: changed, deadline: now() + hangBound) { _, isReady in isReady
        }
        #expect(woke, "the predicate held, so the wait returned without another signal")
    }

    @Test("a waiter wakes when another thread makes the predicate true")
    func waiterWakes() {
        let value = Locked(0)
        let changed = Condition()
        let waiter = Locked<(seen: Int, ready: Bool)?>(nil)
        let thread = TestThread {
            let result = value.withLock(when: { $0 >= 3 }, waitingOn: changed, deadline: now() + hangBound) {
                v, ready in
                (v, ready)
            }
            waiter.withLock { $0 = result }
        }
        for _ in 0..<3 {
            value.withLock { $0 += 1 }
            changed.signal()
        }
        thread.join()
        let result = waiter.withLock { $0 }
        #expect(result?.ready == true)
        #expect(result?.seen == 3)
    }

    @Test(
        "a wait until a deadline gives up at or after the deadline, never before",
        arguments: [0, 1_000_000, 20_000_000] as [UInt64])
    func deadlineNotBefore(delay: UInt64) {
        let never = Locked(false)
        let changed = Condition()
        let deadline = now() + delay
        let ready = never.withLock(when: { $0 }, waitingOn: changed, deadline: deadline) { _, ready in ready }
        let returned = now()
        #expect(!ready)
        #expect(returned >= deadline)
    }

    @Test("a spurious or unrelated signal does not end a timed wait before its deadline")
    func unrelatedSignal() {
        let flag = Locked((ready: false, signalsSent: 0))
        let changed = Condition()
        let deadline = now() + 20_000_000
        let noise = TestThread {
            // Signals without making the predicate true, until the waiter's deadline has passed.
            while now() < deadline {
                flag.withLock { $0.signalsSent += 1 }
                changed.signal()
            }
        }
        let ready = flag.withLock(when: { $0.ready }, waitingOn: changed, deadline: deadline) { _, ready in ready }
        let returned = now()
        noise.join()
        #expect(!ready)
        #expect(returned >= deadline)
    }

    @Test("a broadcast wakes every waiter")
    func broadcastWakesAll() {
        struct Gate {
            var waiting = 0
            var open = false
            var passed = 0
        }
        let gate = Locked(Gate())
        let arrived = Condition(), opened = Condition()
        let count = 4
        let threads = (0..<count).map { _ in
            TestThread {
                gate.withLock { $0.waiting += 1 }
                arrived.signal()
                gate.withLock(when: { $0.open }, waitingOn: opened) { $0.passed += 1 }
            }
        }
        let all = gate.withLock(when: { $0.waiting == count }, waitingOn: arrived, deadline: now() + hangBound) {
            _, ready in ready
        }
        #expect(all)
        gate.withLock { $0.open = true }
        opened.broadcast()
        for thread in threads { thread.join() }
        #expect(gate.withLock { $0.passed } == count)
    }

    /// Two threads take strict turns through one lock and two conditions: a lost wake-up
    /// would hang the exchange (the hang bound turns that into a failure).
    @Test("ten thousand signalled hand-overs between two threads lose no wake-up")
    func pingPong() {
        let turn = Locked((ball: 0, hung: false))
        let ping = Condition(), pong = Condition()
        let rounds = 10_000
        let deadline = now() + hangBound
        let partner = TestThread {
            for round in 0..<rounds {
                let ok = turn.withLock(
                    when: { $0.ball == 2 * round + 1 || $0.hung }, waitingOn: pong, deadline: deadline
                ) { t, ready in
                    if ready && !t.hung { t.ball += 1 } else { t.hung = true }
                    return ready && !t.hung
                }
                ping.signal()
                if !ok { return }
            }
        }
        for round in 0..<rounds {
            let ok = turn.withLock(when: { $0.ball == 2 * round || $0.hung }, waitingOn: ping, deadline: deadline) {
                t, ready in
                if ready && !t.hung { t.ball += 1 } else { t.hung = true }
                return ready && !t.hung
            }
            pong.signal()
            if !ok { break }
        }
        partner.join()
        let final = turn.withLock { $0 }
        #expect(!final.hung)
        #expect(final.ball == 2 * rounds)
    }
}
