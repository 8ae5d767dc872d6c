package io.blockferry.source;

/**
 * The volume moved to another proxy of the site while this one synced it: not the volume's
 * failure. Its generation is undone here and its new owner continues the chain; no event, no
 * dead letter.
 */
public class VolumeMovedException extends SyncFailedException {

    public VolumeMovedException(String volumeId, String when) {
        super("volume " + volumeId + " moved to another proxy of the site " + when + ": this proxy stopped, and "
                + "the proxy that owns it now continues its chain from the last acked base");
    }
}
