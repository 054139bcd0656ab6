package netwatcher.model.capture;

/** ARM's {@code PcStatus}: the {@code packetCaptureStatus} of queryStatus. */
public enum CaptureStatus { NotStarted, Running, Stopped, Error, Unknown }
