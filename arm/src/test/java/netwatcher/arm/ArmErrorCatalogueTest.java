package netwatcher.arm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Every ARM error leaves through the catalogue: no code outside it, no status chosen by accident. */
class ArmErrorCatalogueTest {

    @Test
    void anErrorWithACodeOutsideTheCatalogueCannotBeMade() {
        var e = assertThrows(IllegalArgumentException.class, () -> new ArmError("SomethingWentWrong", "m", null));
        assertTrue(e.getMessage().contains("SomethingWentWrong"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ArmError("notfound", "m", null, List.of()),
                "codes are exact, as clients compare them");
        assertThrows(IllegalArgumentException.class, () -> new ArmError(" ", "m", null));
    }

    @Test
    void everyCodeHasAnErrorStatusAndMakesItsOwnError() {
        for (ArmErrorCode code : ArmErrorCode.values()) {
            assertTrue(code.status() >= 400 && code.status() <= 599, code + " " + code.status());
            ArmError error = code.error("why", "properties.x");
            assertEquals(code.name(), error.code());
            assertEquals(code, error.kind());
            assertEquals("properties.x", error.target());
            assertEquals(code.status(), code.exception("why").status());
            assertEquals(code, ArmErrorCode.of(code.name()).orElseThrow());
        }
        assertTrue(ArmErrorCode.of("Nope").isEmpty());
    }

    @Test
    void operationFailuresHaveDeliberateStatusesThatSdkRetryPoliciesDoNotRepeat() {
        // a failed capture start is the host's answer, not a server fault: 5xx would make SDKs repeat the poll
        assertEquals(409, ArmErrorCode.PacketCaptureFailed.status());
        assertEquals(409, ArmErrorCode.OperationTimedOut.status());
        assertEquals(409, ArmErrorCode.AgentStopped.status());
        for (ArmErrorCode operationEnd : List.of(ArmErrorCode.PacketCaptureFailed, ArmErrorCode.OperationTimedOut, ArmErrorCode.AgentStopped)) {
            assertTrue(!List.of(408, 429, 500, 502, 503, 504).contains(operationEnd.status()), operationEnd.name());
        }
    }
}
