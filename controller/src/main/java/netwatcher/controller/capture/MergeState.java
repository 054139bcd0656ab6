package netwatcher.controller.capture;

/**
 * Where a fleet capture's merged file stands ({@code mergedFile.state} in GET and queryStatus): decided from
 * the fleet row's stored file and merge work and whether an instance still lacks a final state.
 */
enum MergeState {
    /** An instance has no final state yet: its file may still come. */
    Waiting,
    /** Every instance is final; no attempt has run yet. */
    Pending,
    /** An attempt runs (on this controller or, in a cluster, on the leader). */
    Merging,
    /** An attempt failed; the next one is due at {@code nextAttemptTime}. */
    Retrying,
    /** The merged file is stored. */
    Done,
    /** Every attempt failed: no merged file; {@code error} says why. */
    MergeFailed;

    /** The state of a fleet capture whose stored file is {@code stored} (null before), merge work {@code work}, {@code waiting} for an instance. */
    static MergeState of(Capture.StoredFile stored, CaptureRepository.MergeWork work, boolean waiting) {
        if (stored != null) return stored.check() == Capture.UploadCheck.VERIFIED ? Done : MergeFailed;
        if (waiting) return Waiting;
        if (work.owner() != null) return Merging;
        return work.error() != null ? Retrying : Pending;
    }
}
