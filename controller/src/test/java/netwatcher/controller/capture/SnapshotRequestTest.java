package netwatcher.controller.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import netwatcher.arm.ArmException;
import netwatcher.model.capture.CaptureStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The snapshot body's rules: every refusal an ARM error naming the field. */
class SnapshotRequestTest {
    private static final Instant NOW = Instant.parse("2026-12-03T15:00:00Z");

    private static SnapshotRequest parse(String json) {
        return SnapshotRequest.parse(json.getBytes(StandardCharsets.UTF_8), NOW);
    }

    private static ArmException refused(String json) {
        return assertThrows(ArmException.class, () -> parse(json));
    }

    @Test
    void parse_lastSeconds_endsTheWindowAtTheRequest() {
        SnapshotRequest r = parse("{\"lastSeconds\": 30}");
        assertEquals(NOW.minusSeconds(30), r.from());
        assertEquals(NOW, r.to());
        assertEquals(30, r.lastSeconds());
    }

    @Test
    void parse_fromTo_readsRfc3339WithOffsets() {
        SnapshotRequest r = parse("{\"from\": \"2026-12-03T15:59:00+01:00\", \"to\": \"2026-12-03T14:59:30.5Z\"}");
        assertEquals(Instant.parse("2026-12-03T14:59:00Z"), r.from());
        assertEquals(Instant.parse("2026-12-03T14:59:30.5Z"), r.to());
        assertEquals(0, r.lastSeconds());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"lastSeconds\": 0}                                          | InvalidParameter       | lastSeconds",
            "{\"lastSeconds\": -5}                                         | InvalidParameter       | lastSeconds",
            "{\"lastSeconds\": 604801}                                     | InvalidParameter       | lastSeconds",
            "{\"lastSeconds\": 1.5}                                        | InvalidRequestContent  | lastSeconds",
            "{\"lastSeconds\": \"soon\"}                                   | InvalidRequestContent  | lastSeconds",
            "{}                                                            | MissingRequiredProperty | lastSeconds",
            "{\"lastSeconds\": 5, \"from\": \"2026-12-03T14:00:00Z\"}      | InvalidRequestContent  | lastSeconds",
            "{\"from\": \"2026-12-03T14:00:00Z\"}                          | InvalidRequestContent  | to",
            "{\"to\": \"2026-12-03T14:00:00Z\"}                            | InvalidRequestContent  | from",
            "{\"from\": \"yesterday\", \"to\": \"2026-12-03T14:00:00Z\"}   | InvalidRequestContent  | from",
            "{\"from\": \"2026-12-03T14:00:00Z\", \"to\": \"2026-12-03T14:00:00Z\"} | InvalidParameter | from",
            "{\"from\": \"2026-12-03T14:00:01Z\", \"to\": \"2026-12-03T14:00:00Z\"} | InvalidParameter | from",
            "{\"from\": \"2026-11-01T14:00:00Z\", \"to\": \"2026-12-03T14:00:00Z\"} | InvalidParameter | to",
            "{\"from\": \"2026-12-04T14:00:00Z\", \"to\": \"2026-12-04T15:00:00Z\"} | InvalidParameter | from",
            "[]                                                            | InvalidRequestFormat   | ",
    })
    void parse_whenTheWindowIsBad_isRefusedNamingTheField(String json, String code, String target) {
        ArmException e = refused(json);
        assertEquals(code, e.error().code(), e.getMessage());
        assertEquals(target, e.error().target(), e.getMessage());
    }

    @Test
    void requireCovered_whenTheWindowIsOlderThanTheRing_saysWhatTheRingCovers() {
        SnapshotRequest r = parse("{\"from\": \"2026-12-03T13:00:00Z\", \"to\": \"2026-12-03T13:10:00Z\"}");
        ArmException e = assertThrows(ArmException.class,
                () -> r.requireCovered(Instant.parse("2026-12-03T14:00:00Z"), Instant.parse("2026-12-03T14:59:59Z")));
        assertEquals("InvalidParameter", e.error().code());
        assertEquals("to", e.error().target());
        assertTrue(e.getMessage().contains("2026-12-03T14:00:00Z to 2026-12-03T14:59:59Z"), e.getMessage());
    }

    @Test
    void requireCovered_whenLastSecondsPredatesEverything_namesLastSeconds() {
        SnapshotRequest r = parse("{\"lastSeconds\": 10}");
        ArmException e = assertThrows(ArmException.class,
                () -> r.requireCovered(Instant.parse("2026-12-03T12:00:00Z"), Instant.parse("2026-12-03T12:30:00Z")));
        assertEquals("lastSeconds", e.error().target());
        ArmException empty = assertThrows(ArmException.class, () -> r.requireCovered(null, null));
        assertEquals("lastSeconds", empty.error().target());
    }

    @Test
    void requireCovered_whenTheWindowOverlapsInPart_accepts() {
        SnapshotRequest r = parse("{\"lastSeconds\": 600}");
        r.requireCovered(Instant.parse("2026-12-03T14:55:00Z"), Instant.parse("2026-12-03T14:59:58Z"));
    }

    @Test
    void requireSnapshottable_refusesStoppedCapturesAndASecondSnapshotAtOnce() {
        ArmException stopped = assertThrows(ArmException.class,
                () -> SnapshotRequest.requireSnapshottable("pc1", CaptureStatus.Stopped, 0));
        assertEquals("Conflict", stopped.error().code());
        assertEquals(409, stopped.status());
        ArmException busy = assertThrows(ArmException.class,
                () -> SnapshotRequest.requireSnapshottable("pc1", CaptureStatus.Running, 1));
        assertEquals("AnotherOperationInProgress", busy.error().code());
        SnapshotRequest.requireSnapshottable("pc1", CaptureStatus.Running, 0);
    }
}
