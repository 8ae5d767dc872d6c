package io.blockferry.demo;

import io.blockferry.demo.Row.Kind;
import java.time.Duration;

/**
 * A chain break on a volume three quarters written, with 1% of its 1 MiB chunks changed each time:
 * first resynced in full (a requested full sync: the work of {@code chain-break-resync=full}), then,
 * after its base snapshot is deleted outside Blockferry, by checksum (the default). Both read the
 * whole volume; the checksum resync sends only the changed chunks. The ratio is of their times.
 */
final class ResyncPart {

    private final BenchContext c;
    private final String image;
    private final SyncRows syncs;

    private ResyncPart(BenchContext c) {
        this.c = c;
        this.image = c.image("-resync");
        this.syncs = new SyncRows(c);
    }

    static Void run(BenchContext c) throws Exception {
        new ResyncPart(c).run();
        return null;
    }

    private void run() throws Exception {
        long size = c.options().size();
        long written = c.images().createWithHoles(image, size, 51);
        c.say("resync: %s, %d MiB with %d MiB written; 1%% of its 1 MiB chunks changed before each resync",
                BenchImages.volumeId(image), size >> 20, written >> 20);
        try {
            syncs.sync(image, false, "full", () -> null, null); // the base, not a row
            int changed = c.images().changeChunks(image, size, 1, 52);
            c.row(Kind.RESYNC_FULL, a -> syncs.sync(image, true, "full", a, changed + " chunks changed"));
            syncs.verify(image);
            String base = syncs.committedSnapshot();
            if (base == null) {
                return;
            }
            c.runtime().awaitChunkSums(BenchImages.volumeId(image), size, Duration.ofMinutes(2));
            c.images().removeSnapshot(image, base);
            int again = c.images().changeChunks(image, size, 1, 53);
            c.row(Kind.RESYNC_CHECKSUM, a -> syncs.sync(image, false, "incremental", a,
                    again + " chunks changed; base snapshot deleted"));
            syncs.verify(image);
        } finally {
            c.images().removeIfFree(image);
        }
    }
}
