import NIOCore
import Pipeline

extension StageHost {
    /// The SwiftNIO loop of an ``StageHost/eventLoop(_:)`` host. Pipeline holds the loop as
    /// `any Sendable` so that it need not depend on NIO; the only loops a model may put there
    /// are NIO's, so anything else is a programming error, reported here.
    static func nioLoop(_ loop: any Sendable) -> any EventLoop {
        guard let loop = loop as? any EventLoop else {
            preconditionFailure("StageHost.eventLoop must carry a SwiftNIO EventLoop, not \(type(of: loop))")
        }
        return loop
    }
}
