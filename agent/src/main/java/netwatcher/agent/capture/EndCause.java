package netwatcher.agent.capture;

/** Why a {@link CaptureSession} ended. The first cause reported wins; later stop requests are ignored. */
public enum EndCause {
    /** {@link CaptureOptions#timeLimit()} elapsed (enforced by a timer, so it fires on a silent link too). */
    TIME_LIMIT,
    /** {@link CaptureOptions#byteLimit()} bytes were written. */
    BYTE_LIMIT,
    /** {@link CaptureSession#stop(EndCause)} or {@link CaptureSession#close()} was called. */
    STOP_REQUESTED,
    /** The agent is shutting down; the file was closed cleanly. */
    SHUTDOWN,
    /** Free space on the output's file system fell below {@link CaptureOptions#diskFloorBytes()}. */
    DISK_FLOOR,
    /** libpcap or the file failed while capturing; {@link CaptureResult#failureMessage()} says how. */
    FAILED
}
