package netwatcher.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.resourcemanager.network.NetworkManager;
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
 * packet capture create/get/list/getStatus/stop/delete, with a protocol-level agent playing along.
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
