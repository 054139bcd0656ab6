package netwatcher.agent.control;

import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.UploadTarget;
import netwatcher.model.capture.BpfFilters;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks a capture order from the controller before the agent acts on it. The controller validates
 * what a caller sent, but the agent does not rely on that: an order that is malformed (a bug, a
 * mismatched version, a tampered database) must end as one failed capture, never as an exception
 * that stops every other order or as a file outside the captures root.
 *
 * <p>What is checked: the key (the journal's file name and the id in every report: 1-128 characters
 * of {@code [A-Za-z0-9._:-]}, starting with a letter or digit), the sizes of every text field,
 * the number limits ({@code snapLength}, {@code totalBytes}, {@code timeLimitSeconds} as ARM bounds
 * them) and the number of filters ({@link BpfFilters#MAX_FILTERS}). The filter notation is parsed
 * later by the same code the controller used; the file path is confined to the captures root by
 * {@link CaptureRunner#resolveFile}.
 *
 * <p>Thread-safety: stateless.
 */
final class OrderCheck {
    /** Keys the agent accepts: the controller makes {@code c-<uuid>}. */
    static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    /** Longest text field of an order the agent accepts (ids, URLs, paths, filter fields). */
    static final int MAX_TEXT = 8192;
    private static final long MAX_UINT32 = CaptureOrder.MAX_BYTES;
    private static final long MAX_TIME_LIMIT = CaptureOrder.MAX_TIME_LIMIT_SECONDS;

    private OrderCheck() {}

    /** True when the order has a key the agent can journal and report under. */
    static boolean keyUsable(CaptureOrder order) {
        return order != null && order.key() != null && KEY.matcher(order.key()).matches();
    }

    /** Why the agent refuses {@code order} (its key being usable), or empty when it may act on it. */
    static Optional<String> problem(CaptureOrder order) {
        if (!keyUsable(order)) return Optional.of("the order has no usable key");
        if (tooLong(order.captureId())) return Optional.of("the order's captureId is longer than " + MAX_TEXT + " characters");
        if (order.snapLength() < 0 || order.snapLength() > MAX_UINT32) {
            return Optional.of("the order's snapLength " + order.snapLength() + " is outside 0-" + MAX_UINT32);
        }
        if (order.totalBytes() < 0 || order.totalBytes() > MAX_UINT32) {
            return Optional.of("the order's totalBytes " + order.totalBytes() + " is outside 0-" + MAX_UINT32);
        }
        if (order.timeLimitSeconds() < 0 || order.timeLimitSeconds() > MAX_TIME_LIMIT) {
            return Optional.of("the order's timeLimitSeconds " + order.timeLimitSeconds() + " is outside 0-" + MAX_TIME_LIMIT);
        }
        Optional<String> tooMany = BpfFilters.countProblem(order.filters().size());
        if (tooMany.isPresent()) return Optional.of("the order " + tooMany.get());
        for (int i = 0; i < order.filters().size(); i++) {
            CaptureOrder.WireFilter f = order.filters().get(i);
            if (f == null) return Optional.of("the order's filters[" + i + "] is null");
            if (tooLong(f.protocol()) || tooLong(f.localIPAddress()) || tooLong(f.remoteIPAddress())
                    || tooLong(f.localPort()) || tooLong(f.remotePort())) {
                return Optional.of("the order's filters[" + i + "] has a field longer than " + MAX_TEXT + " characters");
            }
        }
        if (order.filePath() != null && (tooLong(order.filePath()) || order.filePath().indexOf('\0') >= 0)) {
            return Optional.of("the order's filePath is longer than " + MAX_TEXT + " characters or contains NUL");
        }
        UploadTarget upload = order.upload();
        if (upload != null) {
            if (!UploadTarget.LOCAL.equals(upload.kind()) && !UploadTarget.BLOB.equals(upload.kind())) {
                return Optional.of("the order's upload kind is neither " + UploadTarget.LOCAL + " nor " + UploadTarget.BLOB);
            }
            if (upload.url() == null || upload.url().isBlank() || tooLong(upload.url()) || tooLong(upload.storagePath())) {
                return Optional.of("the order's upload target is empty or longer than " + MAX_TEXT + " characters");
            }
        }
        return Optional.empty();
    }

    private static boolean tooLong(String text) {
        return text != null && text.length() > MAX_TEXT;
    }
}
