package netwatcher.controller.connectivity;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * A check's lifecycle state, and the rules that move it: {@link CheckPhase#OBSERVING} (observers arm, at
 * most {@code armWait}) → {@link CheckPhase#PROBING} (the source works; it fails at once when its agent is
 * gone or has not fetched its order {@code deliveryWait} after arming, and is answered without it after
 * {@code answerWait}) → {@link CheckPhase#FINISHING} (observers explain, at most {@code finishWait} after the
 * source was done) → {@link CheckPhase#COLLECTING} (evidence files, at most {@code collectWait}) →
 * {@link CheckPhase#DONE}. Immutable; {@link #next} is a pure function of the state, the facts and the time.
 *
 * @param phase        where the check is
 * @param createdAt    when the check was accepted
 * @param phaseSince   when the phase was entered (the row's last change)
 * @param sourceDoneAt when the source's final report arrived, or null
 */
public record CheckState(CheckPhase phase, Instant createdAt, Instant phaseSince, Instant sourceDoneAt) {

    /**
     * The waits the rules count.
     *
     * @param armWait      how long the source waits for observers to arm
     * @param deliveryWait after arming, how long a connected source agent may take to fetch its order
     * @param answerWait   after creation, how long the check waits for the source's final report (the agent's
     *                     wait plus the probes' budget) before it is answered without it
     * @param finishWait   how long observers may take to explain after the source is done
     * @param collectWait  how long to wait for evidence files (zero: no evidence is captured)
     */
    public record Timing(Duration armWait, Duration deliveryWait, Duration answerWait, Duration finishWait, Duration collectWait) {}

    /**
     * What the rules look at besides the state.
     *
     * @param main             the state of the source's (or the single agent's) part
     * @param observers        the states of the observers' parts
     * @param sourceConnected  whether the source's agent is connected now
     * @param evidenceSettled  whether no evidence file is still to come (asked only when it matters)
     */
    public record Facts(PartState main, List<PartState> observers, boolean sourceConnected, BooleanSupplier evidenceSettled) {
        public Facts {
            observers = List.copyOf(observers);
        }
    }

    /** How a step ends the check, if it does. */
    public enum End {
        /** The check goes on. */
        NONE,
        /** The source's agent is gone or never fetched its order: the check fails as AgentStopped. */
        SOURCE_UNAVAILABLE,
        /** Everything that will come is in: assemble the answer from the parts' reports. */
        ANSWER
    }

    /** Whose agents must hear of the step (their orders changed). */
    public enum Wake { MAIN, OBSERVERS }

    /**
     * One step.
     *
     * @param state            the state after the step
     * @param end              whether (and how) the step ended the check
     * @param wake             whose orders changed
     * @param flowFromSource   true when the step entered FINISHING: the observers now get the flow as the source resolved it
     */
    public record Step(CheckState state, End end, Set<Wake> wake, boolean flowFromSource) {
        public Step {
            wake = wake.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(wake));
        }

        /** True when the step changed the phase. */
        public boolean moved(CheckState from) {
            return state.phase() != from.phase();
        }
    }

    /** A new check in its first phase. */
    public static CheckState start(CheckPhase first, Instant now) {
        return new CheckState(first, now, now, null);
    }

    /** Applies every rule that holds at {@code now}, in order; the check may move through several phases at once. */
    public Step next(Facts facts, Timing timing, Instant now) {
        CheckPhase at = phase;
        Instant sourceDone = sourceDoneAt;
        EnumSet<Wake> wake = EnumSet.noneOf(Wake.class);
        boolean flowFromSource = false;
        boolean answer = false;
        if (at == CheckPhase.OBSERVING) {
            boolean allArmed = facts.observers().stream().noneMatch(p -> p == PartState.PENDING);
            if (allArmed || now.isAfter(createdAt.plus(timing.armWait()))) {
                at = CheckPhase.PROBING;
                wake.add(Wake.MAIN);
            }
        }
        if (at == CheckPhase.PROBING && !facts.main().isFinal()) {
            boolean undelivered = facts.main() == PartState.PENDING
                    && now.isAfter(createdAt.plus(timing.armWait()).plus(timing.deliveryWait()));
            if (!facts.sourceConnected() || undelivered) {
                return new Step(new CheckState(CheckPhase.DONE, createdAt, now, sourceDone), End.SOURCE_UNAVAILABLE,
                        EnumSet.allOf(Wake.class), false);
            }
        }
        if (at == CheckPhase.PROBING) {
            if (facts.main().isFinal()) {
                sourceDone = now;
                if (!facts.observers().isEmpty()) {
                    at = CheckPhase.FINISHING;
                    flowFromSource = true;
                    wake.add(Wake.OBSERVERS);
                } else {
                    answer = true;
                }
            } else if (now.isAfter(createdAt.plus(timing.answerWait()))) {
                answer = true;
            }
        }
        if (at == CheckPhase.FINISHING) {
            boolean allDone = facts.observers().stream().allMatch(PartState::isFinal);
            if (allDone || (sourceDone != null && now.isAfter(sourceDone.plus(timing.finishWait())))) answer = true;
        }
        if (answer && !facts.evidenceSettled().getAsBoolean()) {
            at = CheckPhase.COLLECTING; // wait briefly for the evidence files
            answer = false;
        } else if (at == CheckPhase.COLLECTING) {
            answer = facts.evidenceSettled().getAsBoolean() || !now.isBefore(phaseSince.plus(timing.collectWait()));
        }
        if (answer) {
            return new Step(new CheckState(CheckPhase.DONE, createdAt, now, sourceDone), End.ANSWER, EnumSet.allOf(Wake.class), flowFromSource);
        }
        CheckState after = at == phase && java.util.Objects.equals(sourceDone, sourceDoneAt) ? this
                : new CheckState(at, createdAt, at == phase ? phaseSince : now, sourceDone);
        return new Step(after, End.NONE, wake, flowFromSource);
    }
}
