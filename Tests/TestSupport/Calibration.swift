import Pipeline

/// One calibration for the whole test process.
public let testCalibration = Workload.Calibration.measure(trials: 3, trialDuration: .milliseconds(5))
