package netwatcher.controller.capture;

import java.util.ArrayList;
import java.util.List;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.http.AccessControl.Permission;
import netwatcher.controller.http.AccessControl.Reference;
import netwatcher.model.agent.CaptureOrder.WireFilter;

/**
 * A validated PacketCaptureParameters: what the PUT asked for, with ARM's defaults applied.
 *
 * @param target                  the VM
 * @param targetType              as given ({@code AzureVM}), or null
 * @param bytesToCapturePerPacket snap length, 0 = whole packet
 * @param totalBytesPerSession    byte limit
 * @param timeLimitInSeconds      time limit
 * @param storageId               storage account id, or null
 * @param storagePath             blob URL (given or generated), or null
 * @param filePath                path on the host, or null
 * @param filters                 filters in wire notation (normalised)
 */
public record CaptureSpec(ArmResourceId target, String targetType, List<String> scopeInclude, List<String> scopeExclude,
                          long bytesToCapturePerPacket, long totalBytesPerSession, long timeLimitInSeconds,
                          String storageId, String storagePath, String filePath, String localPath,
                          List<WireFilter> filters) {
    public CaptureSpec {
        scopeInclude = List.copyOf(scopeInclude);
        scopeExclude = List.copyOf(scopeExclude);
        filters = List.copyOf(filters);
    }

    /**
     * Every resource this capture acts on besides its watcher: the target VM (Contributor: a capture
     * records that host's traffic; in the watcher's subscription) and the storage account the file is
     * written to (Contributor; any subscription).
     */
    public List<Reference> references() {
        List<Reference> refs = new ArrayList<>();
        refs.add(Reference.local("properties.target", target, Permission.WRITE));
        if (storageId != null) {
            refs.add(Reference.anywhere("properties.storageLocation.storageId",
                    ArmResourceId.parse(storageId, "properties.storageLocation.storageId"), Permission.WRITE));
        }
        return List.copyOf(refs);
    }

    public CaptureSpec withStoragePath(String path) {
        return new CaptureSpec(target, targetType, scopeInclude, scopeExclude, bytesToCapturePerPacket, totalBytesPerSession,
                timeLimitInSeconds, storageId, path, filePath, localPath, filters);
    }
}
