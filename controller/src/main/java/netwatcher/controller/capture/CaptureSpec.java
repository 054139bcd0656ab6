package netwatcher.controller.capture;

import java.util.List;
import netwatcher.arm.ArmResourceId;
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

    public CaptureSpec withStoragePath(String path) {
        return new CaptureSpec(target, targetType, scopeInclude, scopeExclude, bytesToCapturePerPacket, totalBytesPerSession,
                timeLimitInSeconds, storageId, path, filePath, localPath, filters);
    }
}
