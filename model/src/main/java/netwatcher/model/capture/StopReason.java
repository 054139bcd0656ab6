package netwatcher.model.capture;

/**
 * Why a capture stopped: netwatcher's closed set of {@code stopReason} values (ARM documents only
 * {@code TimeExceeded}; the others are netwatcher's and listed in the README). Each reason implies
 * the {@link CaptureStatus} and {@link CaptureError} the capture ends with.
 */
public enum StopReason {
    /** {@code timeLimitInSeconds} elapsed. Status Stopped, no error. */
    TimeExceeded(CaptureStatus.Stopped, null),
    /** {@code totalBytesPerSession} bytes were written. Status Stopped, no error. */
    SizeExceeded(CaptureStatus.Stopped, null),
    /** POST .../stop, or the capture was deleted while running. Status Stopped, no error. */
    StoppedByRequest(CaptureStatus.Stopped, null),
    /** The agent was shut down (SIGTERM, service stop) while capturing; the file was closed cleanly. */
    AgentShutdown(CaptureStatus.Stopped, CaptureError.AgentStopped),
    /** The agent died while capturing (crash, kill -9, host reboot); the restarted agent finalised the file. */
    AgentLost(CaptureStatus.Error, CaptureError.AgentStopped),
    /** No agent for the target VM took the capture within the controller's wait. */
    AgentUnavailable(CaptureStatus.Error, CaptureError.AgentStopped),
    /** Free space on the capture file's file system fell to the agent's floor. */
    DiskSpaceLow(CaptureStatus.Error, CaptureError.LocalFileFailed),
    /** The local file could not be created or written (path refused, I/O error). */
    LocalFileFailed(CaptureStatus.Error, CaptureError.LocalFileFailed),
    /**
     * libpcap failed to open, filter or read the interfaces; or the agent refused the order, or died
     * while starting the capture (the restarted agent does not start it again).
     */
    CaptureFailed(CaptureStatus.Error, CaptureError.CaptureFailed),
    /** The upload to the storage account failed after every retry. */
    UploadFailed(CaptureStatus.Error, CaptureError.StorageFailed),
    /** An unexpected fault in netwatcher itself. */
    InternalError(CaptureStatus.Error, CaptureError.InternalError);

    private final CaptureStatus status;
    private final CaptureError error;

    StopReason(CaptureStatus status, CaptureError error) {
        this.status = status;
        this.error = error;
    }

    /** The {@code packetCaptureStatus} a capture that stopped for this reason reports. */
    public CaptureStatus status() { return status; }

    /** The {@code packetCaptureError} entry this reason adds, or {@code null} for a clean stop. */
    public CaptureError error() { return error; }
}
