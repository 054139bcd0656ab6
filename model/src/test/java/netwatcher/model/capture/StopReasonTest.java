package netwatcher.model.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each stop reason implies the status and error a capture ends with. */
class StopReasonTest {

    @Test
    void cleanStops_endStoppedWithoutError() {
        for (StopReason reason : EnumSet.of(StopReason.TimeExceeded, StopReason.SizeExceeded, StopReason.StoppedByRequest)) {
            assertEquals(CaptureStatus.Stopped, reason.status(), reason.name());
            assertNull(reason.error(), reason.name());
        }
    }

    @Test
    void agentShutdown_endsStoppedButSaysTheAgentStopped() {
        assertEquals(CaptureStatus.Stopped, StopReason.AgentShutdown.status());
        assertEquals(CaptureError.AgentStopped, StopReason.AgentShutdown.error());
    }

    @Test
    void failures_endInErrorWithTheirError() {
        assertEquals(CaptureError.AgentStopped, StopReason.AgentLost.error());
        assertEquals(CaptureError.AgentStopped, StopReason.AgentUnavailable.error());
        assertEquals(CaptureError.LocalFileFailed, StopReason.DiskSpaceLow.error());
        assertEquals(CaptureError.LocalFileFailed, StopReason.LocalFileFailed.error());
        assertEquals(CaptureError.CaptureFailed, StopReason.CaptureFailed.error());
        assertEquals(CaptureError.StorageFailed, StopReason.UploadFailed.error());
        assertEquals(CaptureError.InternalError, StopReason.InternalError.error());
        Set<StopReason> clean = EnumSet.of(StopReason.TimeExceeded, StopReason.SizeExceeded, StopReason.StoppedByRequest,
                StopReason.AgentShutdown);
        for (StopReason reason : EnumSet.complementOf(EnumSet.copyOf(clean))) {
            assertEquals(CaptureStatus.Error, reason.status(), reason.name());
        }
    }

    @Test
    void everyReasonWithAnErrorStatus_namesAnError() {
        for (StopReason reason : StopReason.values()) {
            if (reason.status() == CaptureStatus.Error) assertEquals(true, reason.error() != null, reason.name());
        }
    }
}
