package netwatcher.model.capture;

/** ARM's {@code PcError}: the entries of {@code packetCaptureError}. */
public enum CaptureError { InternalError, AgentStopped, CaptureFailed, LocalFileFailed, StorageFailed }
