package netwatcher.controller.subscriptions;

import java.time.Instant;

/** A subscription: an id (usually a GUID) and a display name. */
public record Subscription(String id, String displayName, Instant createdAt) {}
