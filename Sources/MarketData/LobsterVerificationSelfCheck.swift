// A LOBSTER replay that could not read its files to the end (they changed or vanished after
// the recording was checked) delivered fewer ticks than the recording holds: the run must not
// pass as if it had replayed it all.
extension LobsterFeed: SelfCheckingFeed {
    public var selfCheckFailures: [String] {
        guard let failure else { return [] }
        return ["the LOBSTER replay stopped after \(emitted) ticks: \(failure)"]
    }
}
