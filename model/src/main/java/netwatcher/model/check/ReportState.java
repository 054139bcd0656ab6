package netwatcher.model.check;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import netwatcher.model.wire.WireWords;

/** The state a {@link CheckReport} gives for its part; on the wire in lower case ({@code done}). */
public enum ReportState {
    /** An observer is watching (its counters are snapshotted). */
    ARMED,
    /** The source's interim report: probes and hops so far; it neither finishes the part nor moves the check. */
    PROBING,
    /** The part's final answer. */
    DONE,
    /** The part could not be carried out; {@link CheckReport#error()} says why. */
    FAILED;

    /** True for a final report (done or failed): the part is finished and never changes again. */
    public boolean isFinal() {
        return this == DONE || this == FAILED;
    }

    /** The protocol's name of this state. */
    @JsonValue
    public String wire() {
        return WireWords.of(this);
    }

    /**
     * The state named {@code wire} on the protocol.
     *
     * @throws IllegalArgumentException naming the states there are, when {@code wire} is none of them
     */
    @JsonCreator
    public static ReportState fromWire(String wire) {
        return WireWords.parse(ReportState.class, wire, "a check report state");
    }
}
