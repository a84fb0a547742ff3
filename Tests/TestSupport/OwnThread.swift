import Foundation
import Models
import Testing

/// Runs `body` on the calling task, but on a thread of its own instead of the cooperative pool.
///
/// Swift Testing runs every test as a task on the cooperative pool, which has one thread per
/// core (two here). A CPU-bound test body holds its pool thread until it ends, so two of them
/// stalled every other test of the process for seconds ("passed after 20 s" for tests that take
/// milliseconds). Under a task-executor preference the body's partial tasks run on a dedicated
/// thread, at a lower priority (nice 10): the quick tests on the pool get the cores whenever they
/// want them, and the heavy bodies (two dozen at once) take the time left over, instead of
/// dividing the cores evenly between every runnable thread. It is still the test's task:
/// `#expect`, `#require` and property checks record their issues on the running test as usual.
public func onOwnThread<T: Sendable>(
    _ name: String = "test-own-thread", _ body: () async throws -> T
) async rethrows -> T {
    let executor = DedicatedThreadExecutor(name: name)
    // A timer due at once runs on the executor's thread before any job enqueued after it.
    executor.schedule(at: 0) { _ = ThreadPlacement.setCurrentThreadNice(10) }
    // Shut down from another thread: right after the scope this code may still run on the
    // executor's thread (no suspension point since), and a thread cannot join itself.
    defer { Thread { executor.shutdown() }.start() }
    return try await withTaskExecutorPreference(executor) { try await body() }
}

/// A trait that runs each test (each case of a parameterized test) with ``onOwnThread(_:_:)``:
/// for CPU-bound tests and property checks, so that they do not hold the cooperative pool's
/// threads. On a suite it applies to every test in it.
public struct OwnThreadTrait: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        // One thread per running case, not another around the whole test or suite.
        testCase == nil ? nil : self
    }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await onOwnThread("test-\(test.name.prefix(10))") { try await function() }
    }
}

extension Trait where Self == OwnThreadTrait {
    /// Runs the test on a thread of its own instead of the cooperative pool (``OwnThreadTrait``).
    public static var ownThread: Self { OwnThreadTrait() }
}
