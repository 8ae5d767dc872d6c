package io.blockferry.demo;

import io.blockferry.ceph.CephCluster;
import io.blockferry.ceph.CephSettings;
import io.blockferry.config.Settings;
import io.blockferry.demo.Row.Kind;
import io.blockferry.target.RbdDiffCursor;
import io.blockferry.target.rbd.RbdReplica;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Applying diffs to the DR cluster: a volume's full and then incremental {@code rbd export-diff}
 * file, each applied to an RBD image on the DR cluster by {@code rbd import-diff} (the baseline)
 * and by Blockferry's DR replica (librbd aio, target/rbd). Same diff files, same cluster, one run;
 * afterwards both DR images are checked against the source snapshot. Runs only when a DR cluster
 * is configured (blockferry.target.dr.*, as {@code scripts/ceph-dev.sh --cluster dr target-env} prints).
 */
final class DrApplyPart {

    private static final String FIRST = "bench-dr-1";
    private static final String SECOND = "bench-dr-2";

    private final BenchContext c;
    private final Settings settings;
    private final String image;

    private DrApplyPart(BenchContext c, Settings settings) {
        this.c = c;
        this.settings = settings;
        this.image = c.image("-dr");
    }

    static Void run(BenchContext c, Settings settings) throws Exception {
        new DrApplyPart(c, settings).run();
        return null;
    }

    private void run() throws Exception {
        CephSettings drSettings = CephSettings.from(settings, "blockferry.target.dr.");
        if (!Files.isReadable(drSettings.confFile())) {
            c.say("dr part skipped: no DR cluster at %s (blockferry.target.dr.conf): scripts/ceph-dev.sh --cluster dr "
                    + "start, then eval \"$(scripts/ceph-dev.sh --cluster dr target-env)\"", drSettings.confFile());
            return;
        }
        long size = c.options().size();
        String pool = settings.text("blockferry.target.dr.pool");
        String volume = "bench/" + image;
        String replicaImage = RbdReplica.imageBase(volume) + ".g1";
        String baseline = image + "-baseline";
        Path dir = Files.createTempDirectory("blockferry-bench-dr");
        Path full = dir.resolve("full.rbddiff");
        Path incremental = dir.resolve("incremental.rbddiff");
        List<String> primaryAdmin = List.of("rbd", "--conf", settings.text("blockferry.ceph.conf"), "--id", "admin");
        List<String> drAdmin = List.of("rbd", "--conf", drSettings.confFile().toString(), "--id", "admin");
        try (CephCluster dr = CephCluster.connect(drSettings)) {
            long written = c.images().createWithHoles(image, size, 61);
            c.images().snapshot(image, FIRST);
            c.images().changeTenPercent(image, size, 62);
            c.images().snapshot(image, SECOND);
            String source = BenchImages.volumeId(image);
            run(primaryAdmin, "export-diff", "--no-progress", source + "@" + FIRST, full.toString());
            run(primaryAdmin, "export-diff", "--no-progress", "--from-snap", FIRST, source + "@" + SECOND,
                    incremental.toString());
            c.say("dr: %s, %d MiB with %d MiB written, then 10%% changed; diffs of %d and %d MiB applied to DR pool %s",
                    source, size >> 20, written >> 20, Files.size(full) >> 20, Files.size(incremental) >> 20, pool);
            for (String name : List.of(baseline, replicaImage)) {
                removeQuietly(drAdmin, pool, name);
                run(drAdmin, "create", "--size", size + "B", "--image-feature",
                        "layering,exclusive-lock,object-map,fast-diff", pool + "/" + name);
            }
            RbdReplica replica = new RbdReplica(dr, pool, volume, settings.integer("blockferry.target.dr.aio-window"),
                    Math.toIntExact(settings.bytes("blockferry.target.dr.write-size")));
            long fullBytes = dataBytes(full);
            long incrementalBytes = dataBytes(incremental);
            c.row(Kind.DR_BASELINE_FULL, a -> timed(fullBytes, () -> run(drAdmin, "import-diff", "--no-progress",
                    full.toString(), pool + "/" + baseline)));
            c.row(Kind.DR_FULL, a -> timed(fullBytes, () -> replica.apply(1, full)));
            c.row(Kind.DR_BASELINE_INCREMENTAL, a -> timed(incrementalBytes, () -> run(drAdmin, "import-diff",
                    "--no-progress", incremental.toString(), pool + "/" + baseline)));
            c.row(Kind.DR_INCREMENTAL, a -> timed(incrementalBytes, () -> replica.apply(2, incremental)));
            String expected = c.images().sha256(image, SECOND, size);
            String ours;
            try (var reader = replica.reader()) {
                ours = Checksums.sha256(reader, size);
            }
            String theirs = Checksums.sha256(dr, pool, baseline, SECOND, size);
            if (expected.equals(ours) && expected.equals(theirs)) {
                c.say("dr: both DR images are bit-identical to %s@%s (SHA-256 %s)", source, SECOND, expected);
            } else {
                c.results().failed("dr: DR images differ from the source snapshot: source " + expected
                        + ", Blockferry " + ours + ", rbd import-diff " + theirs);
            }
        } finally {
            removeQuietly(drAdmin, pool(), baseline);
            removeQuietly(drAdmin, pool(), replicaImage);
            Files.deleteIfExists(full);
            Files.deleteIfExists(incremental);
            Files.deleteIfExists(dir);
            c.images().removeIfFree(image);
        }
    }

    private String pool() {
        return settings.text("blockferry.target.dr.pool");
    }

    private interface Work {
        void run() throws Exception;
    }

    private static RowRunner.Outcome timed(long bytes, Work work) throws Exception {
        long start = System.nanoTime();
        work.run();
        return new RowRunner.Outcome(bytes, (System.nanoTime() - start) / 1e9, null);
    }

    /** The data extents of a diff: what both sides write (zero extents are trims). */
    private static long dataBytes(Path diff) throws IOException {
        long bytes = 0;
        try (RbdDiffCursor cursor = new RbdDiffCursor(diff)) {
            while (cursor.next()) {
                if (cursor.data()) {
                    bytes += cursor.length(); // next() skips the data itself
                }
            }
        }
        return bytes;
    }

    private static void run(List<String> rbd, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(rbd);
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("failed (" + p.exitValue() + "): " + String.join(" ", command));
        }
    }

    private static void removeQuietly(List<String> rbd, String pool, String name) {
        try {
            List<String> purge = new ArrayList<>(rbd);
            purge.addAll(List.of("snap", "purge", "--no-progress", pool + "/" + name));
            List<String> remove = new ArrayList<>(rbd);
            remove.addAll(List.of("rm", "--no-progress", pool + "/" + name));
            for (List<String> command : List.of(purge, remove)) {
                new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            }
        } catch (IOException e) {
            // nothing to remove, or the cluster is gone: the row that needed it has failed already
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
