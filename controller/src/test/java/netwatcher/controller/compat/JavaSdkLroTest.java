package netwatcher.controller.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.resourcemanager.network.NetworkManager;
import com.azure.resourcemanager.network.models.NetworkWatcher;
import com.azure.resourcemanager.network.models.PacketCapture;
import com.azure.resourcemanager.network.models.PcStatus;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import netwatcher.arm.Json;
import netwatcher.controller.Controller;
import netwatcher.controller.TestAgent;
import netwatcher.controller.TestController;
import netwatcher.controller.http.ServedTap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The Azure SDK for Java's long-running operations against the recording controller: the same
 * exchange assertions as for the az CLI and the JavaScript SDK (AzureSdkTest covers the functional side).
 */
@Tag("e2e")
class JavaSdkLroTest {

    @Test
    void javaSdk_packetCaptureOperations_pollBriefly() throws Exception {
        Recorder recorder = new Recorder();
        try (TestController c = new TestController(Duration.ofSeconds(30))) {
            ServedTap.attach(c.controller.http(), recorder);
            TestAgent agent = new TestAgent(c, "javarg", "javavm", "westeurope");
            var sp = c.send("POST", "/admin/v1/servicePrincipals", "{\"displayName\":\"java\"}").json();
            String clientId = sp.path("clientId").asText();
            String secret = sp.path("clientSecret").asText();
            assertEquals(201, c.send("POST", "/admin/v1/roleAssignments", "{\"principalId\":\"" + clientId
                    + "\",\"role\":\"Contributor\",\"scope\":\"/subscriptions/" + c.sub + "\"}").status());
            String base = c.controller.baseUrl();
            TokenCredential credential = request -> Mono.fromCallable(() -> {
                String form = "grant_type=client_credentials&client_id=" + clientId + "&client_secret="
                        + URLEncoder.encode(secret, StandardCharsets.UTF_8) + "&scope="
                        + URLEncoder.encode(request.getScopes().getFirst(), StandardCharsets.UTF_8);
                HttpResponse<String> r = c.http.send(HttpRequest.newBuilder(URI.create(base + "/adfs/oauth2/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) throw new IllegalStateException("token: " + r.body());
                var json = Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
                return new AccessToken(json.path("access_token").asText(), OffsetDateTime.now().plusSeconds(json.path("expires_in").asLong()));
            });
            AzureEnvironment env = new AzureEnvironment(Map.of("resourceManagerEndpointUrl", base + "/",
                    "managementEndpointUrl", base + "/", "activeDirectoryEndpointUrl", base + "/adfs/",
                    "activeDirectoryResourceId", base + "/"));
            HttpClient httpClient = new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder()
                    .sslContext(TestController.sslContext(c.controller.caFile()))).build();
            NetworkManager network = NetworkManager.configure().withHttpClient(httpClient)
                    .authenticate(credential, new AzureProfile("adfs", c.sub, env));
            NetworkWatcher watcher = network.networkWatchers().getByResourceGroup("NetworkWatcherRG", "NetworkWatcher_westeurope");

            try (AgentPlayer player = new AgentPlayer(agent)) {
                recorder.clear();
                PacketCapture pc = watcher.packetCaptures().define("javapc").withTarget(agent.vmId)
                        .withStorageAccountId("/subscriptions/" + c.sub + "/resourceGroups/" + Controller.STORAGE_GROUP
                                + "/providers/Microsoft.Storage/storageAccounts/" + Controller.LOCAL_ACCOUNT)
                        .withTimeLimitInSeconds(60).create();
                assertEquals("Succeeded", pc.provisioningState().toString());
                LroAssertions.createPolledBriefly(recorder, "javapc");

                recorder.clear();
                assertEquals(PcStatus.RUNNING, pc.getStatus().packetCaptureStatus());
                LroAssertions.actionAnswered(recorder, "POST", "/queryStatus", 200);

                recorder.clear();
                pc.stop();
                LroAssertions.actionAnswered(recorder, "POST", "/stop", 200);

                recorder.clear();
                watcher.packetCaptures().deleteByName("javapc");
                LroAssertions.actionAnswered(recorder, "DELETE", "/packetCaptures/javapc", 204);
                System.out.println("Java SDK delete exchange:\n" + recorder.dump());
            }
        }
    }
}
