package netwatcher.controller.connectivity;

import java.util.Locale;

/**
 * Where a check is in its life (stored by name in {@code nw_check.state}); see {@link CheckState} for the
 * rules that move it. IP flow verify and next hop start at {@link #PROBING} with one part.
 */
public enum CheckPhase {
    /** Observers arm (snapshot counters) before the source probes. */
    OBSERVING,
    /** The source (or the one agent of IP flow verify / next hop) works. */
    PROBING,
    /** The source is done; observers explain their part of the resolved flow. */
    FINISHING,
    /** Waiting briefly for the probes' evidence files. */
    COLLECTING,
    /** Answered: a result or an error, never changes again. */
    DONE;

    /** The name clients see as the operation's {@code properties.phase}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
