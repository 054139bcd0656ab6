package netwatcher.controller;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.resourcemanager.network.NetworkManager;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Map;
import reactor.core.publisher.Mono;

/** The official Azure SDK for Java, configured for a test controller with a Contributor service principal. */
final class SdkClients {
    private SdkClients() {}

    static NetworkManager network(TestController c) throws Exception {
        var sp = c.send("POST", "/admin/v1/servicePrincipals", "{\"displayName\":\"sdk\"}").json();
        String clientId = sp.path("clientId").asText();
        String secret = sp.path("clientSecret").asText();
        var role = c.send("POST", "/admin/v1/roleAssignments",
                "{\"principalId\":\"" + clientId + "\",\"role\":\"Contributor\",\"scope\":\"/subscriptions/" + c.sub + "\"}");
        if (role.status() != 201) throw new AssertionError("role assignment: " + role.body());
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
        return NetworkManager.configure().withHttpClient(httpClient).authenticate(credential, new AzureProfile("adfs", c.sub, env));
    }
}
