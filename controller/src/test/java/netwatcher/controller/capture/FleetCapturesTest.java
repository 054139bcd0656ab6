package netwatcher.controller.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The file naming scheme of scale-set captures (README "Scale-set captures"). */
class FleetCapturesTest {
    @Test
    void folder_dropsTheFileExtensionOnly() {
        assertEquals("network-watcher-logs/x/2026/12/03/packetcapture_15_00_00_000",
                FleetCaptures.folder("network-watcher-logs/x/2026/12/03/packetcapture_15_00_00_000.cap"));
        assertEquals("network-watcher-logs/a.b/run", FleetCaptures.folder("network-watcher-logs/a.b/run"));
        assertEquals("network-watcher-logs/incident", FleetCaptures.folder("network-watcher-logs/incident.pcapng"));
    }

    @Test
    void mergedPath_sitsBesideTheInstanceFiles() {
        assertEquals("network-watcher-logs/run/merged.pcapng", FleetCaptures.mergedPath("network-watcher-logs/run"));
    }
}
