package netwatcher.controller.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import netwatcher.arm.ApiVersion;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.capture.CaptureSpecParser;
import netwatcher.controller.connectivity.CheckRequestParser;
import netwatcher.controller.http.AccessControl.Permission;
import netwatcher.controller.http.AccessControl.Reference;
import org.junit.jupiter.api.Test;

/** What each request says it touches, and the subscription rule: pure, no server. */
class ReferencesTest {
    static final String VM = "/subscriptions/s1/resourceGroups/apps/providers/Microsoft.Compute/virtualMachines/";
    static final String ACCOUNT = "/subscriptions/s0/resourceGroups/netwatcher-storage/providers/Microsoft.Storage/storageAccounts/acct";
    static final ArmResourceId WATCHER = ArmResourceId.tryParse(
            "/subscriptions/S1/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/nw").orElseThrow();

    private static byte[] json(String text) { return text.getBytes(StandardCharsets.UTF_8); }

    private static List<String> describe(List<Reference> refs) {
        return refs.stream().map(r -> r.field() + " " + r.id() + " " + r.permission() + (r.sameSubscription() ? " local" : " anywhere")).toList();
    }

    @Test
    void capture_referencesItsTargetAndItsStorageAccount_forWriting() {
        var spec = CaptureSpecParser.parse(json("{\"properties\":{\"target\":\"" + VM + "vm1\",\"storageLocation\":{\"storageId\":\""
                + ACCOUNT + "\",\"filePath\":\"/var/captures/a.cap\"}}}"), netwatcher.arm.ApiVersion.require("2026-01-01"));
        assertEquals(List.of("properties.target " + VM + "vm1 WRITE local",
                "properties.storageLocation.storageId " + ACCOUNT + " WRITE anywhere"), describe(spec.references()));

        var fileOnly = CaptureSpecParser.parse(json("{\"properties\":{\"target\":\"" + VM + "vm1\",\"storageLocation\":{\"filePath\":\"/var/captures/a.cap\"}}}"), netwatcher.arm.ApiVersion.require("2026-01-01"));
        assertEquals(List.of("properties.target " + VM + "vm1 WRITE local"), describe(fileOnly.references()));
    }

    @Test
    void connectivityCheck_writesFromItsSource_readsItsDestination() {
        var req = CheckRequestParser.connectivity(json("{\"source\":{\"resourceId\":\"" + VM + "a\"},\"destination\":{\"resourceId\":\""
                + VM + "b\",\"port\":80}}"), ApiVersion.require("2025-05-01"));
        assertEquals(List.of("source.resourceId " + VM + "a WRITE local", "destination.resourceId " + VM + "b READ local"),
                describe(req.references()));

        var toAddress = CheckRequestParser.connectivity(json("{\"source\":{\"resourceId\":\"" + VM + "a\"},\"destination\":{\"address\":\"198.18.1.1\"}}"),
                ApiVersion.require("2025-05-01"));
        assertEquals(List.of("source.resourceId " + VM + "a WRITE local"), describe(toAddress.references()));
    }

    @Test
    void ipFlowVerifyAndNextHop_readTheirTargetAndNic() {
        String nic = "/subscriptions/s1/resourceGroups/apps/providers/Microsoft.Network/networkInterfaces/n1";
        var verify = CheckRequestParser.ipFlowVerify(json("{\"targetResourceId\":\"" + VM + "a\",\"direction\":\"Inbound\",\"protocol\":\"TCP\","
                + "\"localPort\":\"80\",\"remotePort\":\"*\",\"localIPAddress\":\"198.18.1.10\",\"remoteIPAddress\":\"198.18.1.9\","
                + "\"targetNicResourceId\":\"" + nic + "\"}"));
        assertEquals(List.of("targetResourceId " + VM + "a READ local", "targetNicResourceId " + nic + " READ local"),
                describe(verify.references()));
        var hop = CheckRequestParser.nextHop(json("{\"targetResourceId\":\"" + VM + "a\",\"sourceIPAddress\":\"198.18.1.10\","
                + "\"destinationIPAddress\":\"198.18.9.9\"}"));
        assertEquals(List.of("targetResourceId " + VM + "a READ local"), describe(hop.references()));
    }

    @Test
    void requireReach_refusesALocalReferenceOfAnotherSubscription_only() {
        ArmResourceId elsewhere = ArmResourceId.tryParse("/subscriptions/s2/resourceGroups/apps/providers/Microsoft.Compute/virtualMachines/x").orElseThrow();
        ArmException e = assertThrows(ArmException.class,
                () -> Reference.local("properties.target", elsewhere, Permission.WRITE).requireReach(WATCHER));
        assertEquals(ArmErrorCode.InvalidResourceReference, e.code());
        assertEquals("properties.target", e.error().target());

        Reference.anywhere("properties.storageLocation.storageId", elsewhere, Permission.WRITE).requireReach(WATCHER);
        // subscription ids compare without case, as everywhere in ARM
        Reference.local("properties.target", ArmResourceId.tryParse(VM + "vm1").orElseThrow(), Permission.WRITE).requireReach(WATCHER);
    }
}
