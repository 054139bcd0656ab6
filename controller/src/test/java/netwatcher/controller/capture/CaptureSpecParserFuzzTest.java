package netwatcher.controller.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import netwatcher.arm.ArmException;
import netwatcher.controller.FuzzFindings;
import netwatcher.model.agent.CaptureOrder.WireFilter;
import netwatcher.model.capture.CaptureFilter;
import org.junit.jupiter.api.Tag;

/**
 * Fuzzes the packet-capture PUT body parser with any bytes. The only allowed failure is an
 * {@link netwatcher.arm.ArmException} with a clean message; an accepted spec must hold a VM target,
 * limits in range, a storage location, filters whose normalised notation parses again, a file set (ring) only as
 * the agent can write it, and the host path that continuousCapture's presence allows.
 * Seeds: {@code CaptureSpecParserFuzzTestInputs/captureSpec}.
 */
@Tag("fuzz")
class CaptureSpecParserFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void captureSpec(byte[] input) {
        CaptureSpec spec;
        try {
            spec = CaptureSpecParser.parse(input, netwatcher.arm.ApiVersion.require("2026-01-01"));
        } catch (ArmException e) {
            FuzzFindings.cleanArmError(e, input);
            return;
        }
        String targetResource = "AzureVMSS".equalsIgnoreCase(spec.targetType()) ? "Microsoft.Compute/virtualMachineScaleSets"
                : "Microsoft.Compute/virtualMachines";
        assertTrue(spec.target().isType(targetResource), spec.target()::toString);
        assertTrue(0 <= spec.bytesToCapturePerPacket() && spec.bytesToCapturePerPacket() <= CaptureSpecParser.MAX_UINT32);
        assertTrue(0 <= spec.totalBytesPerSession() && spec.totalBytesPerSession() <= CaptureSpecParser.MAX_UINT32);
        assertTrue(0 <= spec.timeLimitInSeconds() && spec.timeLimitInSeconds() <= CaptureSpecParser.MAX_TIME_LIMIT);
        assertTrue(spec.storageId() != null || spec.filePath() != null || spec.localPath() != null);
        if (spec.filePath() != null) assertTrue(spec.filePath().startsWith(CaptureSpecParser.CAPTURES_ROOT + "/"));
        if (spec.localPath() != null) assertTrue(spec.localPath().startsWith(CaptureSpecParser.CAPTURES_ROOT + "/"));
        // a file set only as the agent writes it (RingOrder's own checks: 1-10000 files of at least 4 KiB); one file
        // otherwise; the path fits continuousCapture's presence
        netwatcher.model.agent.RingOrder ring = spec.ring();
        if (ring == null) {
            assertTrue(!Boolean.TRUE.equals(spec.continuousCapture()), "a ring was accepted without its file set");
            if (spec.captureSettings() != null) assertEquals(1, spec.captureSettings().fileCount());
        } else {
            assertEquals(Boolean.TRUE.equals(spec.continuousCapture()), ring.continuous());
        }
        if (spec.continuousCapture() != null) assertEquals(null, spec.filePath());
        else assertEquals(null, spec.localPath());
        assertTrue(0 <= spec.stop().seconds() && spec.stop().seconds() <= netwatcher.model.agent.CaptureOrder.MAX_TIME_LIMIT_SECONDS);
        assertTrue(0 <= spec.stop().bytes() && spec.stop().bytes() <= CaptureSpecParser.MAX_UINT32);
        for (WireFilter f : spec.filters()) {
            assertNotNull(f.protocol());
            CaptureFilter again = CaptureFilter.parse("f", f.protocol(), f.localIPAddress(), f.remoteIPAddress(),
                    f.localPort(), f.remotePort());
            assertEquals(f.protocol(), again.protocol().wire());
        }
    }
}
