package netwatcher.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.network.NetworkManager;
import com.azure.resourcemanager.network.fluent.models.PacketCaptureInner;
import com.azure.resourcemanager.network.fluent.models.PacketCaptureResultInner;
import com.azure.resourcemanager.network.models.PacketCaptureMachineScope;
import com.azure.resourcemanager.network.models.PacketCaptureSettings;
import com.azure.resourcemanager.network.models.PacketCaptureStorageLocation;
import com.azure.resourcemanager.network.models.PacketCaptureTargetType;
import com.azure.resourcemanager.network.models.NetworkWatcher;
import com.azure.resourcemanager.network.models.PacketCapture;
import com.azure.resourcemanager.network.models.PacketCaptureStatus;
import com.azure.resourcemanager.network.models.PcStatus;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.Orders;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The official Azure SDK for Java (azure-resourcemanager-network over the JDK HTTP client) drives
 * the controller: a service principal's token from the built-in issuer, network watcher get/list,
 * packet capture create/get/list/getStatus/stop/delete, and the 2023-11-01 capture fields, with a
 * protocol-level agent playing along.
 */
@Tag("e2e")
class AzureSdkTest {

    @Test
    void sdk_drivesPacketCaptureLifecycle() throws Exception {
        try (TestController c = new TestController(Duration.ofSeconds(30))) {
            TestAgent agent = new TestAgent(c, "lab", "sdkvm", "westeurope");
            AtomicBoolean running = new AtomicBoolean(true);
            Thread agentLoop = Thread.ofPlatform().daemon().start(() -> playAgent(agent, running));

            NetworkManager network = SdkClients.network(c);

            NetworkWatcher watcher = network.networkWatchers().getByResourceGroup("NetworkWatcherRG", "NetworkWatcher_westeurope");
            assertEquals("westeurope", watcher.regionName());
            assertTrue(network.networkWatchers().list().stream().anyMatch(w -> w.name().equals("NetworkWatcher_westeurope")));

            long started = System.nanoTime();
            PacketCapture pc = watcher.packetCaptures().define("sdkpc").withTarget(agent.vmId)
                    .withStorageAccountId("/subscriptions/" + c.sub + "/resourceGroups/netwatcher-storage/providers/Microsoft.Storage/storageAccounts/netwatcherlocal")
                    .withTimeLimitInSeconds(60)
                    .definePacketCaptureFilter().withProtocol(com.azure.resourcemanager.network.models.PcProtocol.TCP).withLocalPort(80).attach()
                    .create();
            assertEquals("Succeeded", pc.provisioningState().toString());
            assertTrue(watcher.packetCaptures().list().stream().anyMatch(p -> p.name().equals("sdkpc")));
            PacketCaptureStatus status = pc.getStatus();
            assertEquals(PcStatus.RUNNING, status.packetCaptureStatus());
            pc.stop();
            assertEquals(PcStatus.STOPPED, watcher.packetCaptures().getByName("sdkpc").getStatus().packetCaptureStatus());
            watcher.packetCaptures().deleteByName("sdkpc");
            assertTrue(watcher.packetCaptures().list().stream().noneMatch(p -> p.name().equals("sdkpc")));
            running.set(false);
            agentLoop.join(30_000);
            System.out.println("SDK lifecycle took " + (System.nanoTime() - started) / 1_000_000 + " ms");
        }
    }

    /**
     * The SDK's 2023-11-01 models (api-version 2025-03-01 in this release) send continuousCapture, captureSettings,
     * localPath, targetType and scope, read them back with GET, create a ring (whose order tells the agent the ring) and get the refusal of a set of no
     * files as an ARM error naming the field.
     */
    @Test
    void sdk_sendsAndReadsBackTheContinuousCaptureFields() throws Exception {
        try (TestController c = new TestController(Duration.ofSeconds(30))) {
            TestAgent agent = new TestAgent(c, "lab", "sdkringvm", "westeurope");
            AtomicBoolean running = new AtomicBoolean(true);
            Thread agentLoop = Thread.ofPlatform().daemon().start(() -> playAgent(agent, running));
            var captures = SdkClients.network(c).serviceClient().getPacketCaptures();
            String rg = "NetworkWatcherRG";
            String nw = "NetworkWatcher_westeurope";

            PacketCaptureInner oneFile = new PacketCaptureInner().withTarget(agent.vmId)
                    .withTargetType(PacketCaptureTargetType.AZURE_VM)
                    .withScope(new PacketCaptureMachineScope().withInclude(List.of("sdkringvm")))
                    .withContinuousCapture(false)
                    .withCaptureSettings(new PacketCaptureSettings().withFileCount(1).withFileSizeInBytes(8192L))
                    .withStorageLocation(new PacketCaptureStorageLocation().withLocalPath("/var/captures/sdkring.cap"));
            PacketCaptureResultInner created = captures.create(rg, nw, "sdkring", oneFile);
            assertEquals("Succeeded", created.provisioningState().toString());

            PacketCaptureResultInner got = captures.get(rg, nw, "sdkring");
            assertEquals(Boolean.FALSE, got.continuousCapture());
            assertEquals(1, got.captureSettings().fileCount());
            assertEquals(8192L, got.captureSettings().fileSizeInBytes());
            assertEquals(86400, got.captureSettings().sessionTimeLimitInSeconds(), "the spec's default, filled in");
            assertEquals("/var/captures/sdkring.cap", got.storageLocation().localPath());
            assertEquals(PacketCaptureTargetType.AZURE_VM, got.targetType());
            assertEquals(List.of("sdkringvm"), got.scope().include());

            PacketCaptureResultInner classic = captures.create(rg, nw, "sdkclassic", new PacketCaptureInner().withTarget(agent.vmId)
                    .withStorageLocation(new PacketCaptureStorageLocation().withFilePath("/var/captures/sdkclassic.cap")));
            assertNull(captures.get(rg, nw, classic.name()).continuousCapture(), "absent stays absent");
            assertNull(captures.get(rg, nw, classic.name()).captureSettings());

            // a ring: continuousCapture true, three files of 8 KiB, driven through the SDK's PacketCaptureSettings
            PacketCaptureInner ring = new PacketCaptureInner().withTarget(agent.vmId).withContinuousCapture(true)
                    .withCaptureSettings(new PacketCaptureSettings().withFileCount(3).withFileSizeInBytes(8192L)
                            .withSessionTimeLimitInSeconds(600))
                    .withStorageLocation(new PacketCaptureStorageLocation().withLocalPath("/var/captures/sdkring2.cap"));
            assertEquals("Succeeded", captures.create(rg, nw, "sdkring2", ring).provisioningState().toString());
            PacketCaptureResultInner gotRing = captures.get(rg, nw, "sdkring2");
            assertEquals(Boolean.TRUE, gotRing.continuousCapture());
            assertEquals(3, gotRing.captureSettings().fileCount());
            assertEquals(8192L, gotRing.captureSettings().fileSizeInBytes());
            assertEquals(600, gotRing.captureSettings().sessionTimeLimitInSeconds());
            var order = agent.orders(-1, 0).captures().stream().filter(o -> o.captureId().endsWith("/sdkring2")).findFirst().orElseThrow();
            assertEquals(new netwatcher.model.agent.RingOrder(3, 8192, true), order.ring(), "the agent is told the ring");
            assertEquals(600, order.timeLimitSeconds());
            assertEquals(0, order.totalBytes(), "a ring has no byte limit unless totalBytesPerSession is given");

            var none = oneFile.withCaptureSettings(new PacketCaptureSettings().withFileCount(0));
            ManagementException refused = assertThrows(ManagementException.class, () -> captures.create(rg, nw, "sdkring3", none));
            assertEquals(400, refused.getResponse().getStatusCode());
            assertEquals("UnsupportedFeature", refused.getValue().getCode());
            assertEquals("properties.captureSettings.fileCount", refused.getValue().getTarget());
            running.set(false);
            agentLoop.join(30_000);
        }
    }

    private static void playAgent(TestAgent agent, AtomicBoolean running) {
        long gen = -1;
        Set<String> started = new HashSet<>();
        Set<String> stopped = new HashSet<>();
        while (running.get()) {
            try {
                Orders o = agent.orders(gen, 1);
                gen = o.generation();
                for (CaptureOrder order : o.captures()) {
                    if (order.run() && started.add(order.key())) agent.report(order.key(), "Running", null, List.of(), 1);
                    if (!order.run() && stopped.add(order.key())) agent.report(order.key(), "Stopped", "StoppedByRequest", List.of(), 2);
                }
            } catch (Exception e) {
                if (running.get()) e.printStackTrace();
            }
        }
    }
}
