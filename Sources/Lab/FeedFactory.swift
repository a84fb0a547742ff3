import MarketData

/// Builds the feed a run configuration names.
public enum FeedFactory {
    /// - Parameter start: the first scheduled arrival (monotonic ns) for clocked feeds.
    public static func make(_ configuration: RunConfiguration, start: UInt64) throws -> any TickFeed {
        switch configuration.source {
        case .synthetic:
            return SyntheticFeed(configuration.feed, start: start)
        case .lobster, .tcp:
            throw LabRun.Failure.feed("feed '\(configuration.source)' is not available in this build")
        }
    }
}
