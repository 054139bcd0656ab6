package netwatcher.controller.connectivity;

import netwatcher.model.check.ReportState;

/** Where one agent's part of a check is (stored by name in {@code nw_check_part.state}). */
public enum PartState {
    /** Recorded; its agent has not fetched the order yet. */
    PENDING,
    /** Handed to its agent in an orders answer. */
    DELIVERED,
    /** An observer is watching. */
    ARMED,
    /** The source's interim report is in. */
    PROBING,
    /** The part's final answer is in. */
    DONE,
    /** The part could not be carried out. */
    FAILED;

    /** True once the part has its final report: it never changes again. */
    public boolean isFinal() {
        return this == DONE || this == FAILED;
    }

    /** The part's state after its agent reported {@code state}. */
    public static PartState of(ReportState state) {
        return switch (state) {
            case ARMED -> ARMED;
            case PROBING -> PROBING;
            case DONE -> DONE;
            case FAILED -> FAILED;
        };
    }
}
