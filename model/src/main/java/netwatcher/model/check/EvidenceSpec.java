package netwatcher.model.check;

import java.util.List;

/**
 * What the controller asks an agent to capture of a connectivity check's own probes (agent protocol
 * v1, section 8, "Evidence"): a flow filter built by the agent from the order's flow and
 * {@code sourceAddresses}, bounded in time and bytes, and where the finished file goes.
 *
 * @param sourceAddresses the source VM's registered addresses (the probes leave from one of them); used
 *                        in the filter while the flow's source address is not known
 * @param snapLength      bytes kept of each packet (headers, not payloads)
 * @param maxBytes        the file's size limit (header included); the capture ends when it is reached
 * @param maxSeconds      the capture ends by itself this long after it was armed, whatever the check does
 * @param keep            upload the file even when no packet matched (the controller sets it for the
 *                        destination's observer once the flow is resolved: an empty file there is proof)
 * @param uploadUrl       the agent route that takes the file ({@code HEAD}/{@code PUT}, as a capture's
 *                        local upload, section 5), or null when the controller has no local account
 * @param storagePath     the URL the file will have in the storage account ({@code storagePath})
 */
public record EvidenceSpec(List<String> sourceAddresses, int snapLength, long maxBytes, int maxSeconds, boolean keep,
                           String uploadUrl, String storagePath) {
    public EvidenceSpec {
        sourceAddresses = sourceAddresses == null ? List.of() : List.copyOf(sourceAddresses);
    }

    /** This spec with another {@link #keep()}. */
    public EvidenceSpec withKeep(boolean value) {
        return new EvidenceSpec(sourceAddresses, snapLength, maxBytes, maxSeconds, value, uploadUrl, storagePath);
    }
}
