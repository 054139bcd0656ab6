package netwatcher.model.capture;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import netwatcher.model.wire.WireWords;

/**
 * Where a capture file's upload is: the {@code uploadState} the agent reports and queryStatus shows; on the
 * wire in lower case ({@code uploading}). The agent moves {@code none}/{@code pending} → {@code uploading} →
 * {@code done} | {@code failed}; the controller shows {@link #VERIFYING} between the agent's {@code done} and its
 * own check of the stored file.
 */
public enum UploadState {
    /** The capture has no storage account: nothing to upload. */
    NONE,
    /** The file will be uploaded once the capture ends. */
    PENDING,
    /** The agent is sending the file. */
    UPLOADING,
    /** Controller only: the agent sent the file, the controller has not yet read the stored object back. */
    VERIFYING,
    /** The stored object is the file (length and SHA-256 checked by the controller). */
    DONE,
    /** The upload failed after every retry, or the stored object is not the file. */
    FAILED;

    /** True when nothing more will happen to the upload. */
    public boolean isFinal() {
        return this == NONE || this == DONE || this == FAILED;
    }

    /** True while the agent still has work to do for it (after a restart it resumes). */
    public boolean agentOwes() {
        return this == PENDING || this == UPLOADING;
    }

    /** The state a capture starts with: pending when it has somewhere to upload, else none. */
    public static UploadState initial(boolean hasUploadTarget) {
        return hasUploadTarget ? PENDING : NONE;
    }

    /** The state of an upload that failed before it finished (none stays none: there was nothing to send). */
    public static UploadState failedIf(boolean hasUploadTarget) {
        return hasUploadTarget ? FAILED : NONE;
    }

    /** The protocol's name of this state. */
    @JsonValue
    public String wire() {
        return WireWords.of(this);
    }

    /**
     * The state named {@code wire}.
     *
     * @throws IllegalArgumentException naming the states there are, when {@code wire} is none of them
     */
    @JsonCreator
    public static UploadState fromWire(String wire) {
        return WireWords.parse(UploadState.class, wire, "an upload state");
    }
}
