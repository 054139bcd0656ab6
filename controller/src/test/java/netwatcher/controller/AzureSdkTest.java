package netwatcher.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.resourcemanager.network.NetworkManager;
import com.azure.resourcemanager.network.models.NetworkWatcher;
import com.azure.resourcemanager.network.models.PacketCapture;
import com.azure.resourcemanager.network.models.PacketCaptureStatus;
import com.azure.resourcemanager.network.models.PcStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.Orders;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The official Azure SDK for Java (azure-resourcemanager-network over the JDK HTTP client) drives
 * the controller: a service principal's token from the built-in issuer, network watcher get/list,
 * packet capture create/get/list/getStatus/stop/delete, with a protocol-level agent playing along.
 */
class AzureSdkTest {

    @Test
    void sdk_drivesPacketCaptureLifecycle() throws Exception {
        try (TestController c = new TestController(Duration.ofSeconds(30))) {
            TestAgent agent = new TestAgent(c, "lab", "sdkvm", "westeurope");
            AtomicBoolean running = new AtomicBoolean(true);
            Thread agentLoop = Thread.ofPlatform().daemon().start(() -> playAgent(agent, running));

            var sp = c.send("POST", "/admin/v1/servicePrincipals", "{\"displayName\":\"sdk\"}").json();
            String clientId = sp.path("clientId").asText();
            String secret = sp.path("clientSecret").asText();
            var role = c.send("POST", "/admin/v1/roleAssignments",
                    "{\"principalId\":\"" + clientId + "\",\"role\":\"Contributor\",\"scope\":\"/subscriptions/" + c.sub + "\"}");
            assertEquals(201, role.status(), role.body());

            String base = c.controller.baseUrl();
            TokenCredential credential = request -> Mono.fromCallable(() -> {
                String form = "grant_type=client_credentials&client_id=" + clientId + "&client_secret="
                        + URLEncoder.encode(secret, StandardCharsets.UTF_8) + "&scope="
                        + URLEncoder.encode(request.getScopes().getFirst(), StandardCharsets.UTF_8);
                var r = c.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/adfs/oauth2/token"))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                var json = netwatcher.arm.Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
                if (r.statusCode() != 200) throw new IllegalStateException("token: " + r.body());
                return new AccessToken(json.path("access_token").asText(), OffsetDateTime.now().plusSeconds(json.path("expires_in").asLong()));
            });
            AzureEnvironment env = new AzureEnvironment(Map.of(
                    "resourceManagerEndpointUrl", base + "/",
                    "managementEndpointUrl", base + "/",
                    "activeDirectoryEndpointUrl", base + "/adfs/",
                    "activeDirectoryResourceId", base + "/"));
            HttpClient httpClient = new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder()
                    .sslContext(TestController.sslContext(c.controller.caFile()))).build();
            NetworkManager network = NetworkManager.configure().withHttpClient(httpClient)
                    .authenticate(credential, new AzureProfile("adfs", c.sub, env));

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
