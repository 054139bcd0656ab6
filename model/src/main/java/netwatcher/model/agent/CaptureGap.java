package netwatcher.model.agent;

import java.time.Instant;
import java.util.Objects;

/**
 * A span in which a capture that goes on captured nothing: its agent restarted (a crash, {@code kill -9}, an
 * upgrade) and resumed the capture. Listed in {@link RingReport#gaps()} and shown by queryStatus as
 * {@code ring.gaps} (docs/captures.md, "An agent restart does not end a ring").
 *
 * @param from  the last moment the old agent is known to have captured: the newest of the last packet time and the
 *              last write of the file it was writing
 * @param to    when the restarted agent's capture was armed again
 * @param cause why nothing was captured: {@link #AGENT_RESTART}
 */
public record CaptureGap(Instant from, Instant to, String cause) {
    /** The agent process ended (crash, kill, reboot, upgrade) and a new one resumed the capture. */
    public static final String AGENT_RESTART = "agentRestart";

    public CaptureGap {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (to.isBefore(from)) to = from;
        if (cause == null || cause.isBlank()) cause = AGENT_RESTART;
    }
}
