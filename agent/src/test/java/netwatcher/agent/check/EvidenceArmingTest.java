package netwatcher.agent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import netwatcher.agent.evidence.EvidenceRecorder;
import netwatcher.model.check.CheckOrder;
import netwatcher.model.check.CheckRole;
import netwatcher.model.check.EvidenceReport;
import netwatcher.model.check.EvidenceSpec;
import netwatcher.model.check.Flow;
import org.junit.jupiter.api.Test;

/** Arming a part's evidence capture: no thread when the order asks for none, a failure becomes an unavailable report. */
class EvidenceArmingTest {
    static final Flow FLOW = new Flow("Tcp", null, 0, "198.18.3.10", null, 1433, null, null);

    @Test
    void start_withoutEvidenceSpec_isArmedAtOnce_andRecordsNothing() throws Exception {
        CheckOrder order = new CheckOrder("k1", "check-1", CheckRole.SOURCE, true, FLOW, null, Instant.EPOCH, null);
        CompletableFuture<EvidenceRecorder.Recording> arming = new EvidenceArming(EvidenceRecorder.NONE).start(order, FLOW);
        assertTrue(arming.isDone(), "nothing to arm: done on the caller's thread");
        assertNull(EvidenceArming.join(arming).finish(true));
    }

    @Test
    void start_withEvidenceSpec_joinsTheRecordersRecording() throws Exception {
        EvidenceSpec spec = new EvidenceSpec(List.of("198.18.1.10"), 128, 1 << 20, 5, false, null, null);
        CheckOrder order = new CheckOrder("k1", "check-1", CheckRole.OBSERVER, true, FLOW, null, Instant.EPOCH, spec);
        // the recorder without settings records nothing: what arming joins is its answer
        assertNull(EvidenceArming.join(new EvidenceArming(EvidenceRecorder.NONE).start(order, FLOW)).finish(true));
    }

    @Test
    void join_whenArmingFailed_reportsEvidenceUnavailableWithTheCause() throws Exception {
        EvidenceRecorder.Recording recording = EvidenceArming.join(
                CompletableFuture.failedFuture(new IllegalStateException("no libpcap")));
        EvidenceReport report = recording.finish(true);
        assertEquals(EvidenceReport.UNAVAILABLE, report.state());
        assertEquals("arming the capture failed: java.lang.IllegalStateException: no libpcap", report.reason());
    }
}
