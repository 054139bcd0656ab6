package netwatcher.controller.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * A token the admin hands to hosts so their agents can enroll ({@code POST /agent/v1/enroll}). The
 * agent presents {@code nwe.<id>.<secret>}; only the secret's hash is kept.
 *
 * @param id public id (also the middle part of the presented token)
 * @param secretHash {@link Secrets#hash} of the secret
 * @param subscriptionId if set, agents may enroll only into this subscription
 * @param resourceGroup if set, only into this resource group (requires {@code subscriptionId})
 * @param expiresAt no enrollment at or after this instant
 * @param maxUses how many agents may enroll with it
 * @param uses how many did
 * @param revoked revoked by the admin
 */
public record EnrollmentToken(String id, String secretHash, String subscriptionId, String resourceGroup,
                              Instant expiresAt, int maxUses, int uses, boolean revoked) {
    /** Prefix of the presented token. */
    public static final String PREFIX = "nwe.";

    public EnrollmentToken {
        if (id == null || !id.matches("[A-Za-z0-9_-]{8,64}")) {
            throw new IllegalArgumentException("enrollment token id must be 8..64 URL-safe characters");
        }
        Objects.requireNonNull(secretHash, "secretHash");
        Objects.requireNonNull(expiresAt, "expiresAt");
        subscriptionId = blankToNull(subscriptionId);
        resourceGroup = blankToNull(resourceGroup);
        if (resourceGroup != null && subscriptionId == null) {
            throw new IllegalArgumentException("an enrollment token limited to a resource group needs its subscriptionId");
        }
        if (maxUses < 1) {
            throw new IllegalArgumentException("enrollment token maxUses must be at least 1, was " + maxUses);
        }
        if (uses < 0) {
            throw new IllegalArgumentException("enrollment token uses must not be negative");
        }
    }

    /** Whether an agent could enroll with it at {@code now} (ignoring its scope). */
    public boolean usableAt(Instant now) {
        return !revoked && uses < maxUses && now.isBefore(expiresAt);
    }

    /** Whether it allows enrolling into {@code subscription}/{@code group} (case-insensitive). */
    public boolean allows(String subscription, String group) {
        if (subscriptionId != null && !subscriptionId.equalsIgnoreCase(subscription)) {
            return false;
        }
        return resourceGroup == null || resourceGroup.equalsIgnoreCase(group);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    @Override
    public String toString() {
        return "EnrollmentToken[id=" + id + ", subscriptionId=" + subscriptionId + ", resourceGroup=" + resourceGroup
                + ", expiresAt=" + expiresAt + ", uses=" + uses + "/" + maxUses + ", revoked=" + revoked + "]";
    }
}
