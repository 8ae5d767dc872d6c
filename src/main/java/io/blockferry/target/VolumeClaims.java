package io.blockferry.target;

/**
 * Which volumes of the repository this writer may write. A writer with a repository of its own
 * (locked whole by {@link RepositoryLock}) may write all of them; writers of one site sharing a
 * repository ({@code blockferry.target.work-sharing=kafka}) each write only the volumes they hold
 * now ({@link VolumeLocks}), so a generation is written by one writer at a time.
 */
public interface VolumeClaims {

    /** Every volume, always: the repository is this writer's alone. */
    VolumeClaims WHOLE_REPOSITORY = new VolumeClaims() {
        @Override
        public boolean claim(String volumeId) {
            return true;
        }

        @Override
        public void release(String volumeId) {
            // nothing to let go: the repository lock covers every volume
        }

        @Override
        public boolean shared() {
            return false;
        }
    };

    /**
     * Waits until this writer holds the volume (a writer that had it lets go first).
     *
     * @return false when the volume stopped being wanted here while waiting (it moved on again)
     */
    boolean claim(String volumeId);

    /** Lets the volume go; another writer may take it at once. */
    void release(String volumeId);

    /** Whether other writers share the repository, so a volume's state must be read again when it is claimed. */
    boolean shared();
}
