package netwatcher.controller.connectivity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import netwatcher.controller.connectivity.CheckState.End;
import netwatcher.controller.connectivity.CheckState.Facts;
import netwatcher.controller.connectivity.CheckState.Step;
import netwatcher.controller.connectivity.CheckState.Wake;
import netwatcher.controller.testsupport.MutableClock;
import org.junit.jupiter.api.Test;

/** The check lifecycle's rules, one by one, on a clock moved by hand. */
class CheckStateTest {
    private static final CheckState.Timing TIMING = new CheckState.Timing(Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofSeconds(70), Duration.ofSeconds(8), Duration.ofSeconds(3));
    private static final CheckState.Timing NO_EVIDENCE = new CheckState.Timing(Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofSeconds(70), Duration.ofSeconds(8), Duration.ZERO);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T08:00:00Z"));

    private static Facts facts(PartState main, List<PartState> observers, boolean connected, boolean settled) {
        return new Facts(main, observers, connected, () -> settled);
    }

    @Test
    void observing_movesToProbingWhenEveryObserverArmed_andWakesTheSource() {
        CheckState s = CheckState.start(CheckPhase.OBSERVING, clock.instant());
        Step wait = s.next(facts(PartState.PENDING, List.of(PartState.ARMED, PartState.PENDING), true, true), TIMING, clock.instant());
        assertSame(s, wait.state());
        assertEquals(End.NONE, wait.end());
        assertEquals(Set.of(), wait.wake());

        clock.advance(Duration.ofMillis(200));
        Step go = s.next(facts(PartState.PENDING, List.of(PartState.ARMED, PartState.ARMED), true, true), TIMING, clock.instant());
        assertEquals(CheckPhase.PROBING, go.state().phase());
        assertEquals(clock.instant(), go.state().phaseSince());
        assertEquals(Set.of(Wake.MAIN), go.wake());
        assertTrue(go.moved(s));
    }

    @Test
    void observing_probesWithoutSlowObserversAfterTheArmWait() {
        CheckState s = CheckState.start(CheckPhase.OBSERVING, clock.instant());
        Facts slow = facts(PartState.PENDING, List.of(PartState.PENDING), true, true);
        clock.advance(Duration.ofSeconds(1));
        assertEquals(CheckPhase.OBSERVING, s.next(slow, TIMING, clock.instant()).state().phase(), "not after exactly the wait");
        clock.advance(Duration.ofMillis(1));
        assertEquals(CheckPhase.PROBING, s.next(slow, TIMING, clock.instant()).state().phase());
    }

    @Test
    void probing_failsAtOnceWhenTheSourceAgentIsGone() {
        CheckState s = CheckState.start(CheckPhase.PROBING, clock.instant());
        Step step = s.next(facts(PartState.DELIVERED, List.of(PartState.ARMED), false, true), TIMING, clock.instant());
        assertEquals(End.SOURCE_UNAVAILABLE, step.end());
        assertEquals(CheckPhase.DONE, step.state().phase());
        assertEquals(Set.of(Wake.MAIN, Wake.OBSERVERS), step.wake());
    }

    @Test
    void probing_failsWhenAConnectedSourceNeverFetchesItsOrder() {
        CheckState s = CheckState.start(CheckPhase.PROBING, clock.instant());
        Facts undelivered = facts(PartState.PENDING, List.of(), true, true);
        clock.advance(Duration.ofSeconds(11)); // arm wait + delivery wait, exactly
        assertEquals(End.NONE, s.next(undelivered, TIMING, clock.instant()).end());
        clock.advance(Duration.ofMillis(1));
        assertEquals(End.SOURCE_UNAVAILABLE, s.next(undelivered, TIMING, clock.instant()).end());
        // a delivered order is the agent's to answer: no delivery failure
        assertEquals(End.NONE, s.next(facts(PartState.DELIVERED, List.of(), true, true), TIMING, clock.instant()).end());
    }

    @Test
    void probing_withoutObservers_answersWhenTheSourceIsDone() {
        CheckState s = CheckState.start(CheckPhase.PROBING, clock.instant());
        clock.advance(Duration.ofSeconds(2));
        Step step = s.next(facts(PartState.DONE, List.of(), true, true), NO_EVIDENCE, clock.instant());
        assertEquals(End.ANSWER, step.end());
        assertEquals(clock.instant(), step.state().sourceDoneAt());
        assertFalse(step.flowFromSource());
        // a failed source answers too (the assembler says why); a gone agent does not matter once it answered
        assertEquals(End.ANSWER, s.next(facts(PartState.FAILED, List.of(), false, true), NO_EVIDENCE, clock.instant()).end());
    }

    @Test
    void probing_answersWithoutTheSourceAfterTheAnswerWait() {
        CheckState s = CheckState.start(CheckPhase.PROBING, clock.instant());
        Facts probing = facts(PartState.PROBING, List.of(), true, true);
        clock.advance(Duration.ofSeconds(70));
        assertEquals(End.NONE, s.next(probing, NO_EVIDENCE, clock.instant()).end());
        clock.advance(Duration.ofMillis(1));
        Step step = s.next(probing, NO_EVIDENCE, clock.instant());
        assertEquals(End.ANSWER, step.end());
        assertEquals(null, step.state().sourceDoneAt(), "the source never finished");
    }

    @Test
    void sourceDone_withObservers_finishesThenAnswersWhenAllExplained() {
        CheckState s = CheckState.start(CheckPhase.PROBING, clock.instant());
        clock.advance(Duration.ofSeconds(3));
        Step finishing = s.next(facts(PartState.DONE, List.of(PartState.ARMED, PartState.ARMED), true, true), NO_EVIDENCE, clock.instant());
        assertEquals(CheckPhase.FINISHING, finishing.state().phase());
        assertTrue(finishing.flowFromSource(), "observers get the flow as the source resolved it");
        assertEquals(Set.of(Wake.OBSERVERS), finishing.wake());
        assertEquals(clock.instant(), finishing.state().sourceDoneAt());

        CheckState f = finishing.state();
        clock.advance(Duration.ofMillis(300));
        assertSame(f, f.next(facts(PartState.DONE, List.of(PartState.DONE, PartState.ARMED), true, true), NO_EVIDENCE, clock.instant()).state());
        Step answer = f.next(facts(PartState.DONE, List.of(PartState.DONE, PartState.FAILED), true, true), NO_EVIDENCE, clock.instant());
        assertEquals(End.ANSWER, answer.end());
        assertEquals(f.sourceDoneAt(), answer.state().sourceDoneAt());
    }

    @Test
    void finishing_answersWithoutSilentObserversAfterTheFinishWait() {
        CheckState f = new CheckState(CheckPhase.FINISHING, clock.instant().minusSeconds(5), clock.instant(), clock.instant());
        Facts silent = facts(PartState.DONE, List.of(PartState.ARMED), true, true);
        clock.advance(Duration.ofSeconds(8));
        assertEquals(End.NONE, f.next(silent, NO_EVIDENCE, clock.instant()).end());
        clock.advance(Duration.ofMillis(1));
        assertEquals(End.ANSWER, f.next(silent, NO_EVIDENCE, clock.instant()).end());
    }

    @Test
    void evidence_holdsTheAnswerInCollectingUntilSettledOrTheCollectWait() {
        CheckState s = CheckState.start(CheckPhase.PROBING, clock.instant());
        clock.advance(Duration.ofSeconds(2));
        Step collecting = s.next(facts(PartState.DONE, List.of(), true, false), TIMING, clock.instant());
        assertEquals(CheckPhase.COLLECTING, collecting.state().phase());
        assertEquals(End.NONE, collecting.end());

        CheckState c = collecting.state();
        clock.advance(Duration.ofSeconds(1));
        assertSame(c, c.next(facts(PartState.DONE, List.of(), true, false), TIMING, clock.instant()).state());
        assertEquals(End.ANSWER, c.next(facts(PartState.DONE, List.of(), true, true), TIMING, clock.instant()).end(), "settled");
        clock.advance(Duration.ofSeconds(2));
        assertEquals(End.ANSWER, c.next(facts(PartState.DONE, List.of(), true, false), TIMING, clock.instant()).end(), "waited enough");
    }

    @Test
    void evidenceIsAskedOnlyWhenTheCheckWouldAnswer() {
        AtomicInteger asked = new AtomicInteger();
        CheckState s = CheckState.start(CheckPhase.OBSERVING, clock.instant());
        s.next(new Facts(PartState.PENDING, List.of(PartState.PENDING), true, () -> {
            asked.incrementAndGet();
            return true;
        }), TIMING, clock.instant());
        assertEquals(0, asked.get(), "settling evidence costs a look at storage: not while observers arm");
    }

    @Test
    void aDoneCheckNeverMoves() {
        CheckState done = new CheckState(CheckPhase.DONE, clock.instant(), clock.instant(), clock.instant());
        clock.advance(Duration.ofHours(1));
        Step step = done.next(facts(PartState.PENDING, List.of(PartState.PENDING), false, false), TIMING, clock.instant());
        assertSame(done, step.state());
        assertEquals(End.NONE, step.end());
    }
}
