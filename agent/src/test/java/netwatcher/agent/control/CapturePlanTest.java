package netwatcher.agent.control;

import netwatcher.agent.EngineCaptureRunner;
import netwatcher.agent.capture.CaptureEngine;
import netwatcher.agent.capture.CaptureOptions;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.HostReport;
import netwatcher.model.agent.NicReport;
import netwatcher.model.capture.BpfFilters;
import netwatcher.model.capture.StopReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The capture pre-flight as a pure decision: order and host in, engine options or a refusal out; no libpcap. */
class CapturePlanTest {
    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

    @TempDir Path root;
    List<NicReport> nics = List.of(new NicReport("eth0", "02:00:00:00:00:01", List.of("198.18.0.2/24", "2001:2::2/64"), true),
            new NicReport("eth1", "02:00:00:00:00:02", List.of(), false));

    private CapturePlan plan() {
        Reconciler.Settings settings = new Reconciler.Settings(root, total -> 4096, 1 << 20, Duration.ofMillis(500),
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), 1, Duration.ofMillis(10), Duration.ofMillis(20));
        return new CapturePlan(settings, EngineCaptureRunner.create(),
                () -> new HostReport("1", "db", "linux", nics, List.of(), List.of(), List.of(), null));
    }

    private static CaptureOrder order(String filePath, long timeLimit, List<CaptureOrder.WireFilter> filters) {
        return new CaptureOrder("c-1", "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkWatchers/w/packetCaptures/pc1",
                true, 1500, 0, timeLimit, filters, filePath, null, NOW.minusSeconds(10), null);
    }

    @Test
    void admit_whenTimeLimitPassedBeforeArrival_refusesTimeExceededWithoutAFile() {
        CapturePlan.Refused r = plan().admit(order(null, 5, List.of()), NOW).orElseThrow();
        assertEquals(StopReason.TimeExceeded, r.reason());
        assertNull(r.file());
        assertEquals("the time limit of 5 s had passed when the agent received the capture", r.message());
    }

    @Test
    void admit_whenOrderMalformed_refusesCaptureFailedNamingTheField() {
        CapturePlan.Refused r = plan().admit(order(null, 1_000_000_000L, List.of()), NOW).orElseThrow();
        assertEquals(StopReason.CaptureFailed, r.reason());
        assertTrue(r.message().startsWith("order refused: the order's timeLimitSeconds"), r.message());
        assertTrue(plan().admit(order(null, 60, List.of()), NOW).isEmpty());
    }

    @Test
    void prepare_whenOrderIsGood_givesTheEngineItsOptions_withoutCompilingAnything() {
        long compiles = CaptureEngine.filterCompilations();
        CaptureOrder o = order(null, 60, List.of(new CaptureOrder.WireFilter("TCP", null, null, "443", null)));
        CapturePlan.Ready ready = assertInstanceOf(CapturePlan.Ready.class, plan().prepare(o, NOW));
        CaptureOptions options = ready.options();
        assertEquals(List.of("eth0"), options.interfaces(), "only interfaces that carry an address");
        assertEquals(root.resolve("c-1.cap"), options.output());
        assertEquals(BpfFilters.compile(List.of(netwatcher.model.capture.CaptureFilter.parse("filters[0]", "TCP", null, null, "443", null)),
                List.of(InetAddress.ofLiteral("198.18.0.2"), InetAddress.ofLiteral("2001:2::2"))), options.bpfFilter());
        assertEquals(1500, options.snapLength());
        assertEquals(Duration.ofSeconds(50), options.timeLimit(), "counted from the order's createdAt");
        assertEquals(4096, options.diskFloorBytes(), "the floor for this file system; the engine checks free space against it");
        assertEquals(0, CaptureEngine.filterCompilations() - compiles, "the pre-flight compiles nothing: the engine's start does, once");
    }

    @Test
    void prepare_whenFilePathEscapesTheRoot_refusesLocalFileFailedWithoutAFile() {
        CapturePlan.Refused r = assertInstanceOf(CapturePlan.Refused.class, plan().prepare(order("/etc/passwd", 60, List.of()), NOW));
        assertEquals(StopReason.LocalFileFailed, r.reason());
        assertNull(r.file());
        assertTrue(r.message().startsWith("file path refused: "), r.message());
    }

    @Test
    void prepare_whenFileAlreadyExists_refusesLocalFileFailed() throws Exception {
        Files.writeString(root.resolve("taken.cap"), "precious");
        CapturePlan.Refused r = assertInstanceOf(CapturePlan.Refused.class,
                plan().prepare(order(root.resolve("taken.cap").toString(), 60, List.of()), NOW));
        assertEquals(StopReason.LocalFileFailed, r.reason());
        assertTrue(r.message().contains("already exists"), r.message());
    }

    @Test
    void prepare_whenFilterNotationBad_refusesCaptureFailedWithTheFile() {
        CapturePlan.Refused r = assertInstanceOf(CapturePlan.Refused.class,
                plan().prepare(order(null, 60, List.of(new CaptureOrder.WireFilter("TCP", null, null, "http", null))), NOW));
        assertEquals(StopReason.CaptureFailed, r.reason());
        assertEquals(root.resolve("c-1.cap"), r.file());
        assertTrue(r.message().startsWith("bad filter: "), r.message());
    }

    @Test
    void prepare_whenHostHasNoAddressedInterface_refusesCaptureFailed() {
        nics = List.of(new NicReport("eth1", "02:00:00:00:00:02", List.of(), false));
        CapturePlan.Refused r = assertInstanceOf(CapturePlan.Refused.class, plan().prepare(order(null, 60, List.of()), NOW));
        assertEquals(StopReason.CaptureFailed, r.reason());
        assertEquals("the host has no network interface with an address to capture on", r.message());
    }

    @Test
    void prepare_whenFiltersOverTheLimits_refusesNamingTheLimitAndTheHostAddresses() {
        List<CaptureOrder.WireFilter> filters = new ArrayList<>();
        for (int i = 0; i <= BpfFilters.MAX_FILTERS; i++) filters.add(new CaptureOrder.WireFilter("UDP", null, null, "53", null));
        CapturePlan.Refused r = assertInstanceOf(CapturePlan.Refused.class, plan().prepare(order(null, 60, filters), NOW));
        assertEquals(StopReason.CaptureFailed, r.reason());
        assertTrue(r.message().contains("at most " + BpfFilters.MAX_FILTERS) && r.message().endsWith(
                "; this host's 2 addresses are the local side of filters that name none"), r.message());
    }
}
