package netwatcher.agent.capture;

import java.util.Objects;

/**
 * How a capture session ended: the cause, the final counters (packets counted from the closed
 * file, kernel counters read just before {@code pcap_close}) and, for {@link EndCause#FAILED},
 * what failed.
 *
 * @param failureMessage null unless {@code cause} is {@link EndCause#FAILED}
 */
public record CaptureResult(EndCause cause, CaptureStats stats, String failureMessage) {
    public CaptureResult {
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(stats, "stats");
    }
}
