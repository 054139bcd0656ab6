package netwatcher.model.capture;

/** ARM's {@code PcStatus}: the {@code packetCaptureStatus} of queryStatus. */
public enum CaptureStatus {
    NotStarted, Running, Stopped, Error,
    /** The controller's word for a running capture whose agent is away; never stored, never reported by an agent. */
    Unknown;

    /** True once the capture has ended (Stopped or Error): it never runs again. */
    public boolean isTerminal() {
        return this == Stopped || this == Error;
    }
}
