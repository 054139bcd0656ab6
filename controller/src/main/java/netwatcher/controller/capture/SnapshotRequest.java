package netwatcher.controller.capture;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import netwatcher.arm.ArmBody;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;
import netwatcher.model.capture.CaptureStatus;

/**
 * The body of {@code POST .../packetCaptures/{name}/snapshot} (a netwatcher extension: Azure has no such action),
 * validated: the time window to cut out of a running capture's ring, {@code [from, to]} with both ends included.
 *
 * <p>The body gives either {@code {"lastSeconds": N}} (the window ends at the request's arrival, {@code now}) or
 * {@code {"from": "<RFC 3339>", "to": "<RFC 3339>"}}, never both. Every refusal is an ARM error whose {@code target}
 * names the field, thrown before anything is stored or ordered, so bad input changes nothing.
 *
 * <p><b>One-file captures.</b> A snapshot of a one-file capture is meaningful (a window of a long capture before it
 * ends, without stopping it) and the agent's cut ({@code PcapWindow}) reads a file being written as it reads a ring's
 * newest file, so these rules do not refuse it: its "ring" is the one file, covering its first to last packet.
 *
 * @param from        the window's first instant
 * @param to          the window's last instant
 * @param lastSeconds N when the body gave {@code lastSeconds}, else 0
 */
public record SnapshotRequest(Instant from, Instant to, long lastSeconds) {
    /**
     * The longest window: a ring capture's longest session ({@code sessionTimeLimitInSeconds}' maximum, 7 days). A
     * longer one could only hold what the ring holds anyway and most likely is a unit mistake (milliseconds).
     */
    public static final long MAX_WINDOW_SECONDS = 604_800;
    /** How far {@code to} may lie after the request: clocks of client and controller differ a little. */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    /** Snapshots of one capture being cut at once: each reads the ring's files, and two only compete for the disk. */
    public static final int MAX_RUNNING_PER_CAPTURE = 1;
    /**
     * {@code Retry-After} of a refusal for {@link #MAX_RUNNING_PER_CAPTURE}: a snapshot is stored within about a second
     * of its request (BENCHMARKS.md §14, §14b), so the next may be asked for soon.
     */
    public static final java.time.Duration RETRY_AFTER = java.time.Duration.ofSeconds(2);

    public SnapshotRequest {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (!from.isBefore(to)) throw new IllegalArgumentException("from (" + from + ") must be before to (" + to + ")");
    }

    /** Parses and checks a snapshot body received at {@code now}. */
    public static SnapshotRequest parse(byte[] body, Instant now) {
        ArmBody root = ArmBody.root(body == null || body.length == 0 ? "{}".getBytes() : body);
        boolean last = root.has("lastSeconds");
        boolean window = root.has("from") || root.has("to");
        if (last && window) {
            throw ArmErrorCode.InvalidRequestContent.exception("Give either 'lastSeconds' or 'from' and 'to', not both.",
                    "lastSeconds");
        }
        if (!last && !window) {
            throw ArmErrorCode.MissingRequiredProperty.exception("The snapshot window is missing: give 'lastSeconds' (the"
                    + " last N seconds up to now) or 'from' and 'to' (RFC 3339 times).", "lastSeconds");
        }
        if (last) {
            long n = root.integer("lastSeconds", 1, MAX_WINDOW_SECONDS, 0);
            return new SnapshotRequest(now.minusSeconds(n), now, n);
        }
        Instant from = time(root, "from");
        Instant to = time(root, "to");
        if (!from.isBefore(to)) {
            throw root.badValue("from", "must be before 'to' (" + to + "); was " + from);
        }
        if (Duration.between(from, to).getSeconds() > MAX_WINDOW_SECONDS) {
            throw root.badValue("to", "must be at most " + MAX_WINDOW_SECONDS + " seconds after 'from' (" + from + "); was "
                    + Duration.between(from, to).getSeconds() + " seconds after it");
        }
        if (from.isAfter(now.plus(CLOCK_SKEW))) {
            throw root.badValue("from", "lies in the future (" + from + "; now is " + now + "): a snapshot cuts packets"
                    + " already captured");
        }
        return new SnapshotRequest(from, to, 0);
    }

    private static Instant time(ArmBody root, String name) {
        Optional<String> text = root.string(name);
        if (text.isEmpty()) throw root.missing(name);
        try {
            return OffsetDateTime.parse(text.get().trim()).toInstant();
        } catch (DateTimeParseException e) {
            throw root.invalid(name, "must be an RFC 3339 time such as 2026-12-03T14:05:00Z; was '" + text.get() + "'");
        }
    }

    /**
     * Refuses a snapshot of a capture that cannot be cut now.
     *
     * @param status  the capture's status as the API shows it
     * @param running snapshots of this capture being cut now
     */
    public static void requireSnapshottable(String captureName, CaptureStatus status, int running) {
        if (status != CaptureStatus.Running) {
            throw ArmErrorCode.Conflict.exception("Packet capture '" + captureName + "' is " + status + ": a snapshot cuts"
                    + " a window out of a running capture's files; download the stopped capture's files instead.", "name");
        }
        if (running >= MAX_RUNNING_PER_CAPTURE) {
            throw ArmErrorCode.AnotherOperationInProgress.exception("Packet capture '" + captureName + "' already has "
                    + running + " snapshot(s) being cut (at most " + MAX_RUNNING_PER_CAPTURE + " at once); poll it and"
                    + " try again once it has finished.", "name");
        }
    }

    /**
     * Refuses a window that holds nothing the capture's files still hold: they cover {@code [coveredFrom, coveredTo]}
     * (first and last packet on the host; both null while no packet was captured). A window that overlaps the
     * covered span only in part is accepted: the snapshot holds the overlap, and its result says which packets.
     *
     * @throws ArmException naming {@code lastSeconds}, {@code from} or {@code to}, with the span covered
     */
    public void requireCovered(Instant coveredFrom, Instant coveredTo) {
        String field = lastSeconds > 0 ? "lastSeconds" : null;
        if (coveredFrom == null || coveredTo == null) {
            throw ArmErrorCode.InvalidParameter.exception("The capture's files hold no packet yet, so no window of them can"
                    + " be cut; try again once packets were captured.", field == null ? "from" : field);
        }
        String covers = "the capture's files on the host cover " + coveredFrom + " to " + coveredTo;
        if (to.isBefore(coveredFrom)) {
            throw ArmErrorCode.InvalidParameter.exception("The window " + from + " to " + to + " ends before the oldest"
                    + " packet the capture still holds: " + covers + ".", field == null ? "to" : field);
        }
        if (from.isAfter(coveredTo)) {
            throw ArmErrorCode.InvalidParameter.exception("The window " + from + " to " + to + " starts after the newest"
                    + " packet captured so far: " + covers + ".", field == null ? "from" : field);
        }
    }
}
